import { readFileSync } from "node:fs";
import { PATCH_OP_SCHEMA } from "../../../src/scim/patch/index.js";

// Loads the real IdP request bodies the PATCH tests replay.

// biome-ignore lint/suspicious/noExplicitAny: fixtures are arbitrary JSON read by path in assertions
type Json = Record<string, any>;

function load(file: string): Json {
  return JSON.parse(readFileSync(new URL(`./idp-requests/${file}`, import.meta.url), "utf8"));
}

export const entra = load("entra-documented-examples.json");
export const polisUsers = load("polis-user-requests.json");
export const polisGroups = load("polis-group-requests.json");
export const polisAzure = load("polis-e2e-azure.json");
export const polisOkta = load("polis-e2e-okta.json");

export function entraTutorial(name: string): Json {
  const example = entra.tutorial.examples.find((e: Json) => e.name === name);
  if (!example) throw new Error(`no Entra tutorial example "${name}"`);
  return example;
}

export function entraCompat(name: string): Json {
  const example = entra.compat.examples.find((e: Json) => e.name === name);
  if (!example) throw new Error(`no Entra compatibility example "${name}"`);
  return example;
}

/** A resource as the PATCH engine receives it: without server-maintained id/meta and without members. */
export function stored(body: Json): Json {
  const { id: _id, meta: _meta, members: _members, ...rest } = structuredClone(body);
  return rest;
}

/** ory/polis fixtures omit the PatchOp schema RFC 7644 requires; tests add it where they test the operations. */
export function withPatchSchema(body: Json): Json {
  return { schemas: [PATCH_OP_SCHEMA], ...body };
}
