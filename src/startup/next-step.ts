import path from "node:path";
import type { Config } from "../config.js";

// What `npm start` prints once the service is ready: where the console and the API docs are, the one command that
// creates a directory, and a warning when the Tenant URL could not work for Entra ID.

/** keyConfigured: the admin key comes from ADMIN_API_KEY rather than the generated DATA_DIR/admin-api-key. */
export function nextStepMessage(config: Config, keyConfigured: boolean): string {
  const key = keyConfigured ? "$ADMIN_API_KEY" : `$(cat '${path.resolve(config.dataDir, "admin-api-key")}')`;
  const lines = [
    "",
    `scimbridge is ready at ${config.publicUrl}`,
    `  Operator console (sign in with the admin API key): ${config.publicUrl}/console`,
    `  API docs (Swagger UI): ${config.publicUrl}/docs`,
    "  Create a directory (prints its Tenant URL and Secret Token):",
    `    curl -s -X POST ${config.publicUrl}/api/v1/directories -H "Authorization: Bearer ${key}" -H 'Content-Type: application/json' -d '{"name":"Acme Corp"}'`,
  ];
  if (!config.publicUrl.startsWith("https://")) {
    lines.push(
      "",
      `warning: PUBLIC_URL (${config.publicUrl}) is not https. Entra ID needs a public HTTPS Tenant URL:`,
      "  set PUBLIC_URL to the https:// address your reverse proxy or tunnel serves this service on.",
    );
  }
  return `${lines.join("\n")}\n\n`;
}
