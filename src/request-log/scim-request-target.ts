// Which directory and resource a /scim/v2/... URL addresses, read from the raw URL so it works for
// every request, including ones no route matched and ones rejected before authentication.

const SCIM_URL = /^\/scim\/v2\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(\/[^?#]*)?(?:\?([^#]*))?/i;

export interface ScimRequestTarget {
  directoryId: string;
  /** Path below the Tenant URL: /Users, /Users/123, "/" for the Tenant URL itself */
  path: string;
  /** Raw query string without "?" ("" when absent) */
  query: string;
}

export function scimRequestTarget(url: string): ScimRequestTarget | null {
  const m = SCIM_URL.exec(url);
  if (!m) return null;
  return { directoryId: m[1]!.toLowerCase(), path: m[2] || "/", query: m[3] ?? "" };
}

const RESOURCES = new Map(
  ["Users", "Groups", "Bulk", "Schemas", "ResourceTypes", "ServiceProviderConfig", "Me"].map((r) => [r.toLowerCase(), r]),
);

/** SCIM resource and operation names for metrics; a fixed, small set of values. */
export function scimOperationOf(method: string, path: string): { resource: string; operation: string } {
  const [, first = "", second] = path.split("/");
  const resource = RESOURCES.get(first.toLowerCase()) ?? "other";
  const hasId = second !== undefined && second !== "";
  let operation: string;
  if (resource === "Bulk") operation = "bulk";
  else if (method === "POST" && second === ".search") operation = "search";
  else if (method === "GET") operation = hasId ? "get" : "list";
  else if (method === "POST") operation = "create";
  else if (method === "PUT") operation = "replace";
  else if (method === "PATCH") operation = "patch";
  else if (method === "DELETE") operation = "delete";
  else operation = "other";
  return { resource, operation };
}
