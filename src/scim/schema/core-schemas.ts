import { attr, multiValued, type AttributeDefinition, type SchemaDefinition } from "./attribute.js";

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const ENTERPRISE_USER_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/** Attributes every resource has (RFC 7643 §3.1); `id` and `meta` are server-maintained. */
export const COMMON_ATTRIBUTES: AttributeDefinition[] = [
  attr("id", "string", "Unique identifier for the resource, assigned by the service provider.", {
    caseExact: true,
    mutability: "readOnly",
    returned: "always",
    uniqueness: "server",
  }),
  attr("externalId", "string", "Identifier of the resource as defined by the provisioning client.", { caseExact: true }),
  attr("meta", "complex", "Resource metadata.", {
    mutability: "readOnly",
    subAttributes: [
      attr("resourceType", "string", "The name of the resource type.", { caseExact: true, mutability: "readOnly" }),
      attr("created", "dateTime", "When the resource was added.", { mutability: "readOnly" }),
      attr("lastModified", "dateTime", "When the resource was last modified.", { mutability: "readOnly" }),
      attr("location", "reference", "The URI of the resource.", { caseExact: true, mutability: "readOnly", referenceTypes: ["uri"] }),
      attr("version", "string", "The version (weak ETag) of the resource.", { caseExact: true, mutability: "readOnly" }),
    ],
  }),
];

export const userSchema: SchemaDefinition = {
  id: USER_SCHEMA,
  name: "User",
  description: "User Account",
  attributes: [
    attr("userName", "string", "Unique identifier for the User, used to authenticate. Unique per directory, case-insensitive.", {
      required: true,
      uniqueness: "server",
    }),
    attr("name", "complex", "The components of the user's real name.", {
      subAttributes: [
        attr("formatted", "string", "The full name, formatted for display."),
        attr("familyName", "string", "The family name of the User."),
        attr("givenName", "string", "The given name of the User."),
        attr("middleName", "string", "The middle name(s) of the User."),
        attr("honorificPrefix", "string", "The honorific prefix(es) of the User."),
        attr("honorificSuffix", "string", "The honorific suffix(es) of the User."),
      ],
    }),
    attr("displayName", "string", "The name of the User, suitable for display to end-users."),
    attr("nickName", "string", "The casual way to address the user."),
    attr("profileUrl", "reference", "A URI of the User's online profile.", { referenceTypes: ["external"] }),
    attr("title", "string", "The user's title, such as 'Vice President'."),
    attr("userType", "string", "The relationship between the organization and the user."),
    attr("preferredLanguage", "string", "The User's preferred written or spoken language."),
    attr("locale", "string", "The User's default location for localization."),
    attr("timezone", "string", "The User's time zone in IANA format."),
    attr("active", "boolean", "The User's administrative status."),
    attr("password", "string", "The User's cleartext password; never returned.", { mutability: "writeOnly", returned: "never" }),
    multiValued("emails", "Email addresses for the user.", ["work", "home", "other"]),
    multiValued("phoneNumbers", "Phone numbers for the User.", ["work", "home", "mobile", "fax", "pager", "other"]),
    multiValued("ims", "Instant messaging addresses for the User.", ["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"]),
    multiValued("photos", "URLs of photos of the User.", ["photo", "thumbnail"], "reference"),
    attr("addresses", "complex", "A physical mailing address for this User.", {
      multiValued: true,
      subAttributes: [
        attr("formatted", "string", "The full mailing address."),
        attr("streetAddress", "string", "The full street address component."),
        attr("locality", "string", "The city or locality component."),
        attr("region", "string", "The state or region component."),
        attr("postalCode", "string", "The zip code or postal code component."),
        attr("country", "string", "The country name component."),
        attr("type", "string", "A label indicating the attribute's function.", { canonicalValues: ["work", "home", "other"] }),
        attr("primary", "boolean", "Indicates the primary address."),
      ],
    }),
    attr("groups", "complex", "Groups the user belongs to (maintained by the service provider).", {
      multiValued: true,
      mutability: "readOnly",
      subAttributes: [
        attr("value", "string", "The identifier of the User's group.", { mutability: "readOnly" }),
        attr("$ref", "reference", "The URI of the Group.", { mutability: "readOnly", referenceTypes: ["Group"] }),
        attr("display", "string", "The display name of the group.", { mutability: "readOnly" }),
        attr("type", "string", "direct or indirect membership.", { mutability: "readOnly", canonicalValues: ["direct", "indirect"] }),
      ],
    }),
    multiValued("entitlements", "A list of entitlements for the User.", []),
    multiValued("roles", "A list of roles for the User.", []),
    multiValued("x509Certificates", "A list of certificates issued to the User.", [], "binary"),
  ],
};

export const enterpriseUserSchema: SchemaDefinition = {
  id: ENTERPRISE_USER_SCHEMA,
  name: "EnterpriseUser",
  description: "Enterprise User",
  attributes: [
    attr("employeeNumber", "string", "Numeric or alphanumeric identifier assigned to a person."),
    attr("costCenter", "string", "Identifies the name of a cost center."),
    attr("organization", "string", "Identifies the name of an organization."),
    attr("division", "string", "Identifies the name of a division."),
    attr("department", "string", "Identifies the name of a department."),
    attr("manager", "complex", "The User's manager.", {
      subAttributes: [
        attr("value", "string", "The id of the SCIM resource representing the User's manager.", { caseExact: true }),
        attr("$ref", "reference", "The URI of the manager's resource.", { referenceTypes: ["User"] }),
        attr("displayName", "string", "The displayName of the User's manager.", { mutability: "readOnly" }),
      ],
    }),
  ],
};

export const groupSchema: SchemaDefinition = {
  id: GROUP_SCHEMA,
  name: "Group",
  description: "Group",
  attributes: [
    attr("displayName", "string", "A human-readable name for the Group. Unique per directory, case-insensitive.", {
      required: true,
      uniqueness: "server",
    }),
    attr("members", "complex", "A list of members of the Group.", {
      multiValued: true,
      returned: "default",
      subAttributes: [
        attr("value", "string", "Identifier of the member of this Group.", { caseExact: true, mutability: "immutable" }),
        attr("$ref", "reference", "The URI of the member resource.", { mutability: "immutable", referenceTypes: ["User", "Group"] }),
        attr("display", "string", "A human-readable name for the member.", { mutability: "readOnly" }),
        attr("type", "string", "The type of member.", { mutability: "immutable", canonicalValues: ["User", "Group"] }),
      ],
    }),
  ],
};

export type ScimResourceType = "User" | "Group";

export interface ResourceTypeDefinition {
  name: ScimResourceType;
  endpoint: string;
  schema: SchemaDefinition;
  extensions: { schema: SchemaDefinition; required: boolean }[];
}

export const RESOURCE_TYPES: Record<ScimResourceType, ResourceTypeDefinition> = {
  User: { name: "User", endpoint: "/Users", schema: userSchema, extensions: [{ schema: enterpriseUserSchema, required: false }] },
  Group: { name: "Group", endpoint: "/Groups", schema: groupSchema, extensions: [] },
};

export const ALL_SCHEMAS: SchemaDefinition[] = [userSchema, enterpriseUserSchema, groupSchema];
