import { compileErrors, validate } from "@readme/openapi-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../helpers/test-app.js";

// The OpenAPI document is generated from the route schemas: it must be valid OpenAPI 3.1 and
// list every route the app serves.

type Operation = { security?: unknown[]; tags?: string[]; responses?: Record<string, unknown> };
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
};

describe("OpenAPI document", () => {
  let t: TestApp;
  let doc: Document;
  beforeAll(async () => {
    t = await buildTestApp();
    const res = await t.app.inject({ method: "GET", url: "/openapi.json" });
    expect(res.statusCode).toBe(200);
    doc = res.json();
  });
  afterAll(async () => t.close());

  it("is a valid OpenAPI 3.1 document", async () => {
    expect(doc.openapi).toBe("3.1.0");
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid, result.valid ? "" : compileErrors(result)).toBe(true);
  });

  it("documents every registered route", () => {
    const routes = t.app.registeredRoutes.filter((r) => !r.hidden && r.method !== "HEAD");
    expect(routes.length).toBeGreaterThan(15);
    const missing = routes.filter((r) => {
      const path = r.url.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
      return !doc.paths[path]?.[r.method.toLowerCase()];
    });
    expect(missing).toEqual([]);
  });

  it("names the admin components and secures every admin operation with adminApiKey", () => {
    for (const name of [
      "Directory",
      "DirectoryCreated",
      "DirectoryCreate",
      "TokenIssued",
      "TokenMetadata",
      "AppUser",
      "AppGroup",
      "DirectoryStats",
      "Problem",
    ]) {
      expect(doc.components.schemas, name).toHaveProperty(name);
    }
    expect(doc.components.securitySchemes).toHaveProperty("adminApiKey");
    const admin = Object.entries(doc.paths).filter(([path]) => path.startsWith("/api/v1/"));
    expect(admin.length).toBeGreaterThan(5);
    for (const [path, ops] of admin) {
      for (const [method, op] of Object.entries(ops)) {
        expect(op.security, `${method} ${path}`).toEqual([{ adminApiKey: [] }]);
        expect(op.tags?.length, `${method} ${path}`).toBeGreaterThan(0);
      }
    }
    const create = doc.paths["/api/v1/directories"]!.post!;
    expect(JSON.stringify(create.responses?.["201"])).toContain("#/components/schemas/DirectoryCreated");
  });

  it("serves Swagger UI at /docs", async () => {
    const res = await t.app.inject({ method: "GET", url: "/docs/" });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain("swagger");
  });
});
