import { invalidPath } from "../errors.js";
import { parsePatchPath } from "../patch/patch-path.js";
import { type PatchTarget, resolvePatchTarget, schemasOf } from "../patch/patch-target.js";

// A SCIM path that an app attribute is mapped to (`emails[type eq "work"].value`,
// `urn:…:enterprise:2.0:User:manager.value`, `urn:…:CustomExtension:2.0:User:costCenter`). Parsed once, by
// the PATCH path grammar and schema lookup, so a mapping accepts exactly the paths a PATCH would.

/** Where the path points (as a PATCH target), and the path as written. */
export type MappingPath = Omit<Extract<PatchTarget, { kind: "attribute" }>, "kind"> & { raw: string };

const MAX_MAPPING_PATH_LENGTH = 512;

/** Parses and checks a mapping path; a ScimError (invalidPath) with a precise detail when it cannot name a value. */
export function parseMappingPath(raw: string): MappingPath {
  if (raw.length > MAX_MAPPING_PATH_LENGTH) throw invalidPath(`path is longer than ${MAX_MAPPING_PATH_LENGTH} characters`);
  const { core, extensions } = schemasOf("User");
  const parsed = parsePatchPath(raw, "User", [core.id, ...extensions.map((e) => e.id)]);
  const target = resolvePatchTarget("User", {}, parsed, raw);
  if (target.kind === "extension") throw invalidPath(`"${raw}" names a whole schema, not an attribute`);
  const { definition } = target;
  let { subAttribute, subDefinition } = target;
  if (definition?.name === "password") throw invalidPath(`"${raw}": password is never stored`);
  if (definition?.name === "groups")
    throw invalidPath(`"${raw}": a user's groups are not part of its SCIM resource; map roles from groups instead`);
  if (definition?.type === "complex" && subAttribute === undefined) {
    const value = definition.subAttributes?.find((s) => s.name === "value");
    if (!value) {
      const example = definition.subAttributes?.[0]?.name ?? "value";
      throw invalidPath(`"${raw}": ${definition.name} is complex; name one of its sub-attributes, e.g. ${definition.name}.${example}`);
    }
    // `manager`, `emails[type eq "work"]`: the element's value
    subAttribute = value.name;
    subDefinition = value;
  }
  return {
    raw,
    ...(target.container !== undefined ? { container: target.container } : {}),
    name: target.name,
    ...(definition ? { definition } : {}),
    ...(target.filter ? { filter: target.filter } : {}),
    ...(subAttribute !== undefined ? { subAttribute } : {}),
    ...(subDefinition ? { subDefinition } : {}),
  };
}
