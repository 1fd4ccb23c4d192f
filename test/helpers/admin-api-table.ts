import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";

// The route table of docs/admin-api.md, rendered from the OpenAPI document so the two cannot drift:
// `npm run docs:admin-api` rewrites it, test/http/admin-api-docs.test.ts fails when it is stale.

/** docs/admin-api.md of this checkout, wherever it is cloned. */
export const ADMIN_API_DOC = fileURLToPath(new URL("../../docs/admin-api.md", import.meta.url));
export const ROUTES_START = "<!-- routes:start -->";
export const ROUTES_END = "<!-- routes:end -->";

const ADMIN_PREFIX = "/api/v1/";
const METHODS = ["get", "post", "put", "patch", "delete"] as const;

type Schema = {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  anyOf?: Schema[];
};
type Operation = {
  summary?: string;
  parameters?: { in: string; name: string }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, unknown>;
};
export type OpenApiDocument = {
  paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
  components?: { schemas?: Record<string, Schema> };
};

/** One admin API operation as the table shows it. */
export interface AdminRoute {
  method: string;
  path: string;
  summary: string;
  query: string[];
  /** Top-level body fields, `?` when optional, e.g. `{name, tenant?}`; undefined without a JSON body. */
  body: string | undefined;
  /** The 2xx statuses. */
  success: string[];
}

/** Every /api/v1 operation of the document, in document order. */
export function adminRoutesOf(doc: OpenApiDocument): AdminRoute[] {
  const routes: AdminRoute[] = [];
  for (const [path, operations] of Object.entries(doc.paths)) {
    if (!path.startsWith(ADMIN_PREFIX)) continue;
    for (const method of METHODS) {
      const op = operations[method];
      if (!op) continue;
      routes.push({
        method: method.toUpperCase(),
        path,
        summary: op.summary ?? "",
        query: (op.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name),
        body: bodyFields(doc, op),
        success: Object.keys(op.responses ?? {}).filter((status) => status.startsWith("2")),
      });
    }
  }
  return routes;
}

function resolve(doc: OpenApiDocument, schema: Schema | undefined): Schema | undefined {
  const name = schema?.$ref?.replace("#/components/schemas/", "");
  return name ? doc.components?.schemas?.[name] : schema;
}

function bodyFields(doc: OpenApiDocument, op: Operation): string | undefined {
  const schema = resolve(doc, op.requestBody?.content?.["application/json"]?.schema);
  if (!schema?.properties) return undefined;
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties).map(([name, field]) => {
    const nullable = field.anyOf?.some((s) => s.type === "null") ?? false;
    return `${name}${required.has(name) ? "" : "?"}${nullable ? " | null" : ""}`;
  });
  return `{${fields.join(", ")}}`;
}

/** A table cell: pipes escaped, one line. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
}

/** The Markdown table, one row per admin operation. */
export function renderRouteTable(doc: OpenApiDocument): string {
  const rows = adminRoutesOf(doc).map((r) => {
    const query = r.query.length > 0 ? `?${r.query.map((q) => `${q}=`).join("&")}` : "";
    const what = r.body ? `${r.summary}. Body: \`${r.body}\`` : r.summary;
    return `| ${cell(`\`${r.method} ${r.path}${query}\``)} | ${cell(what)} | ${r.success.join(", ")} |`;
  });
  return ["| Method and path | What | Success |", "| --- | --- | --- |", ...rows].join("\n");
}

/** The text between the route markers (trimmed); throws when the markers are missing. */
export function routeTableIn(markdown: string): string {
  const start = markdown.indexOf(ROUTES_START);
  const end = markdown.indexOf(ROUTES_END);
  if (start < 0 || end < start) throw new Error(`${ROUTES_START} … ${ROUTES_END} not found`);
  return markdown.slice(start + ROUTES_START.length, end).trim();
}

/** The Markdown with the text between the markers replaced by `table`; everything else is kept. */
export function withRouteTable(markdown: string, table: string): string {
  routeTableIn(markdown);
  const start = markdown.indexOf(ROUTES_START) + ROUTES_START.length;
  const end = markdown.indexOf(ROUTES_END);
  return `${markdown.slice(0, start)}\n${table}\n${markdown.slice(end)}`;
}

/** Method and path (query string removed) and summary of each row of a table rendered above. */
export function parseRouteTable(table: string): { method: string; path: string; summary: string }[] {
  return table
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .map((line) => {
      const cells = line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim().replace(/\\\|/g, "|"));
      const [method, pathAndQuery] = cells[0]!.replace(/`/g, "").split(" ");
      const summary = cells[1]!.replace(/\. Body: `.*`$/, "");
      return { method: method!, path: pathAndQuery!.split("?")[0]!, summary };
    });
}

/** The app's OpenAPI document, as GET /openapi.json serves it. */
export function openApiDocumentOf(app: FastifyInstance): OpenApiDocument {
  return app.swagger() as unknown as OpenApiDocument;
}
