// Clients spell SCIM endpoints loosely: Microsoft's reference tests send /users and /Users/?filter=….
// Before routing, a URL under /scim/v2/{directoryId}/ gets its resource-type segment in the spelling
// the routes use and loses one trailing slash, so every later stage (routing, request log, metrics)
// sees the canonical route. Nothing else is touched: the directory id, resource ids and the query
// keep their case, and the query is never reparsed (unquoted filter literals stay a 400).

const ENDPOINTS = ["Users", "Groups", "Bulk", "ServiceProviderConfig", "ResourceTypes", "Schemas"];
const CANONICAL = new Map(ENDPOINTS.map((e) => [e.toLowerCase(), e]));
const SCIM_ROOT = "/scim/v2/";

export function canonicalScimUrl(url: string): string {
  if (!url.startsWith(SCIM_ROOT)) return url;
  const q = url.indexOf("?");
  let path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? "" : url.slice(q);
  if (path.length > SCIM_ROOT.length && path.endsWith("/")) path = path.slice(0, -1);
  // ["", "scim", "v2", directoryId, resourceType, ...]
  const segments = path.split("/");
  const endpoint = segments[4] === undefined ? undefined : CANONICAL.get(segments[4].toLowerCase());
  if (endpoint) segments[4] = endpoint;
  return segments.join("/") + query;
}
