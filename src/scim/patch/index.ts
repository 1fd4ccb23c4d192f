// The SCIM PATCH engine (RFC 7644 §3.5.2) with the Entra ID and Okta quirks, as pure functions on JSON.
export { applyPatch, type ScimObject } from "./apply-patch.js";
export type { MemberChange } from "./member-changes.js";
export { PATCH_OP_SCHEMA, parsePatchRequest, type PatchLimits, type PatchOperation } from "./patch-request.js";
