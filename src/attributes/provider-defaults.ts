import { ENTERPRISE_USER_SCHEMA } from "../scim/schema/core-schemas.js";

// The SCIM path a declared attribute gets in a directory that has no mapping of its own for it, by the
// attribute's name (any case) and the directory's provider. Both Entra ID's and Okta's default
// provisioning mappings send these paths (docs/attribute-mapping.md has the table).

const E = `${ENTERPRISE_USER_SCHEMA}:`;

const COMMON: Record<string, string> = {
  employeeNumber: `${E}employeeNumber`,
  employeeId: `${E}employeeNumber`,
  department: `${E}department`,
  costCenter: `${E}costCenter`,
  division: `${E}division`,
  organization: `${E}organization`,
  managerId: `${E}manager.value`,
  title: "title",
  jobTitle: "title",
  email: 'emails[type eq "work"].value',
  workEmail: 'emails[type eq "work"].value',
  phone: 'phoneNumbers[type eq "work"].value',
  workPhone: 'phoneNumbers[type eq "work"].value',
  mobilePhone: 'phoneNumbers[type eq "mobile"].value',
  givenName: "name.givenName",
  firstName: "name.givenName",
  familyName: "name.familyName",
  lastName: "name.familyName",
  displayName: "displayName",
  userType: "userType",
  preferredLanguage: "preferredLanguage",
  locale: "locale",
  timezone: "timezone",
  streetAddress: 'addresses[type eq "work"].streetAddress',
  city: 'addresses[type eq "work"].locality',
  state: 'addresses[type eq "work"].region',
  postalCode: 'addresses[type eq "work"].postalCode',
  country: 'addresses[type eq "work"].country',
};

/** Where the providers differ from COMMON. */
const BY_PROVIDER: Record<string, Record<string, string>> = {
  // Entra's `mobile` and `facsimileTelephoneNumber` (its default mapping sends them as these types)
  entra: { mobile: 'phoneNumbers[type eq "mobile"].value', fax: 'phoneNumbers[type eq "fax"].value' },
  // Okta's profile names primaryPhone / nickName
  okta: { primaryPhone: 'phoneNumbers[type eq "work"].value', nickName: "nickName" },
};

export const DEFAULT_PROVIDERS = ["entra", "okta"] as const;

/** Every default of a provider (COMMON plus its own), keyed by attribute name. */
export function providerDefaults(provider: string): Record<string, string> {
  return { ...COMMON, ...(BY_PROVIDER[provider] ?? {}) };
}

/** The default SCIM path for an attribute name (case-insensitive), if the provider has one. */
export function defaultPathFor(provider: string, attribute: string): string | undefined {
  const lower = attribute.toLowerCase();
  for (const [name, path] of Object.entries(providerDefaults(provider))) if (name.toLowerCase() === lower) return path;
  return undefined;
}
