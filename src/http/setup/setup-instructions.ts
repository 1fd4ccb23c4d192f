import { html, type SafeHtml } from "../html.js";

// Step-by-step guides, in the order the identity providers' admin consoles present them.

const ui = (label: string) => html`<span class="ui">${label}</span>`;

export function entraSteps(directoryName: string): SafeHtml {
  return html`<ol class="steps">
  <li><h3>Open Enterprise applications</h3>
    <p>Sign in to the <a href="https://entra.microsoft.com" rel="noreferrer noopener">Microsoft Entra admin center</a> as at least a Cloud Application Administrator,
    then go to ${ui("Identity")} → ${ui("Applications")} → ${ui("Enterprise applications")}.</p></li>
  <li><h3>Create your own application</h3>
    <p>Select ${ui("New application")}, then ${ui("Create your own application")}. Name it (for example “${directoryName}”),
    choose ${ui("Integrate any other application you don't find in the gallery (Non-gallery)")} and select ${ui("Create")}.</p></li>
  <li><h3>Start provisioning</h3>
    <p>In the new application, open ${ui("Provisioning")} in the left menu and select ${ui("Get started")}
    (or ${ui("New configuration")}). Set ${ui("Provisioning Mode")} to ${ui("Automatic")}.</p></li>
  <li><h3>Paste the Admin Credentials</h3>
    <p>Under ${ui("Admin Credentials")}, paste the <strong>Tenant URL</strong> and the <strong>Secret Token</strong> from this page
    (use “Reveal token” to create the token).</p></li>
  <li><h3>Test Connection</h3>
    <p>Select ${ui("Test Connection")}. Entra should report that the supplied credentials are authorized; the status panel on
    this page shows “Test Connection: Succeeded”. Then select ${ui("Save")} (or ${ui("Create")}).</p></li>
  <li><h3>Mappings</h3>
    <p>Under ${ui("Mappings")}, keep the defaults for ${ui("Provision Microsoft Entra ID Users")} and
    ${ui("Provision Microsoft Entra ID Groups")}; they work as they are.</p></li>
  <li><h3>Settings</h3>
    <p>Under ${ui("Settings")}, set ${ui("Scope")} to ${ui("Sync only assigned users and groups")}, optionally add a notification email,
    and switch ${ui("Provisioning Status")} to ${ui("On")}. Select ${ui("Save")}.</p></li>
  <li><h3>Assign users and groups</h3>
    <p>Open ${ui("Users and groups")} in the application's left menu, select ${ui("Add user/group")}, pick the people and groups
    who should have access, and select ${ui("Assign")}.</p></li>
  <li><h3>Watch the first cycle</h3>
    <p>Entra starts the first provisioning cycle within minutes and then runs about every 40 minutes. To try one person now, use
    ${ui("Provision on demand")}. Users and groups appear in the status panel as they are synced.</p></li>
</ol>`;
}

export function oktaSteps(): SafeHtml {
  return html`<ol class="steps">
  <li><h3>Open your app integration</h3>
    <p>In the Okta Admin Console go to ${ui("Applications")} → ${ui("Applications")} and open the app integration for this
    product (or ${ui("Create App Integration")} → ${ui("SAML 2.0")} if there is none yet).</p></li>
  <li><h3>Enable SCIM provisioning</h3>
    <p>On the ${ui("General")} tab, select ${ui("Edit")} under ${ui("App Settings")}, set ${ui("Provisioning")} to ${ui("SCIM")} and save.</p></li>
  <li><h3>Configure the SCIM connection</h3>
    <p>On the ${ui("Provisioning")} tab, under ${ui("Integration")}, select ${ui("Edit")} and enter:</p>
    <ul>
      <li>${ui("SCIM connector base URL")}: the <strong>Tenant URL</strong></li>
      <li>${ui("Unique identifier field for users")}: <code>userName</code></li>
      <li>${ui("Supported provisioning actions")}: Push New Users, Push Profile Updates, Push Groups</li>
      <li>${ui("Authentication Mode")}: ${ui("HTTP Header")}, ${ui("Authorization")}: the <strong>Secret Token</strong></li>
    </ul>
    <p>Select ${ui("Test Connector Configuration")}, then ${ui("Save")}.</p></li>
  <li><h3>Choose what Okta may change</h3>
    <p>Under ${ui("Provisioning")} → ${ui("To App")}, select ${ui("Edit")} and enable ${ui("Create Users")},
    ${ui("Update User Attributes")} and ${ui("Deactivate Users")}. Save.</p></li>
  <li><h3>Assign people and push groups</h3>
    <p>On ${ui("Assignments")}, assign people or groups. On ${ui("Push Groups")}, add the groups whose membership should be synced.</p></li>
</ol>`;
}

export function genericSteps(tenantUrl: string): SafeHtml {
  const example = `curl -H "Authorization: Bearer $SECRET_TOKEN" \\\n  "${tenantUrl}/Users?filter=userName%20eq%20%22test%40example.com%22"`;
  return html`<ol class="steps">
  <li><h3>Base URL</h3>
    <p>Use the <strong>Tenant URL</strong> as the SCIM 2.0 base URL (RFC 7644). Resources live at <code>/Users</code> and
    <code>/Groups</code>; discovery at <code>/ServiceProviderConfig</code>, <code>/Schemas</code> and <code>/ResourceTypes</code>.</p></li>
  <li><h3>Authentication</h3>
    <p>Send the <strong>Secret Token</strong> as an OAuth bearer token: <code>Authorization: Bearer &lt;Secret Token&gt;</code>.</p></li>
  <li><h3>Content type</h3>
    <p>Send and expect <code>application/scim+json</code> (plain <code>application/json</code> is accepted too).</p></li>
  <li><h3>Check the connection</h3>
    <p>A filtered query should return an empty list; the status panel shows it as a successful Test Connection.</p>
    <pre><code>${example}</code></pre></li>
  <li><h3>Provision</h3>
    <p>Create users with <code>POST /Users</code>, update them with <code>PATCH</code> or <code>PUT</code>, and manage groups and
    their <code>members</code> the same way. Deactivate with <code>active: false</code>.</p></li>
</ol>`;
}
