import { invalidPath, invalidValue, mutability, noTarget } from "../errors.js";
import { findSubAttribute, type AttributeDefinition } from "../schema/attribute.js";
import type { ScimResourceType } from "../schema/core-schemas.js";
import { complexValue, isUnassigned, mergeInto, multiValuedElements, simpleValue, withoutCleared } from "./attribute-value.js";
import { memberChange, type MemberChange } from "./member-changes.js";
import { parsePatchPath } from "./patch-path.js";
import type { PatchOpName, PatchOperation } from "./patch-request.js";
import { getContainer, resolvePatchTarget, schemasOf, type PatchTarget } from "./patch-target.js";
import { canonicalJson, cloneRequestValue, findKey, getOwn, isPlainObject, jsonEqual, setOwn, type JsonObject } from "./safe-object.js";
import { elementFromFilter, matchesValueFilter, type SubAttributeLookup } from "./value-filter.js";

// RFC 7644 §3.5.2 applied to a stored resource (without id/meta/members). Works on a private copy, so
// either every operation applies or the first failing one throws and nothing changes.

export type ScimObject = Record<string, unknown>;
type AttributeTarget = Extract<PatchTarget, { kind: "attribute" }>;

/** Sub-attributes that only label an element; an element left with nothing else is dropped. */
const LABEL_SUB_ATTRIBUTES = new Set(["type", "primary"]);
/** Most values one operation may give a multi-valued attribute (members have their own, configured limit). */
const MAX_VALUES_PER_OPERATION = 1000;

export function applyPatch(
  resourceType: ScimResourceType,
  resource: ScimObject,
  operations: PatchOperation[],
): { resource: ScimObject; memberChanges: MemberChange[] } {
  const engine = new PatchEngine(resourceType, structuredClone(resource));
  for (const operation of operations) engine.apply(operation);
  engine.checkRequired(resource);
  return { resource: engine.resource, memberChanges: engine.memberChanges };
}

class PatchEngine {
  readonly memberChanges: MemberChange[] = [];
  private readonly knownSchemas: string[];

  constructor(
    private readonly resourceType: ScimResourceType,
    readonly resource: JsonObject,
  ) {
    const { core, extensions } = schemasOf(resourceType);
    this.knownSchemas = [core.id, ...extensions.map((e) => e.id)];
  }

  apply(operation: PatchOperation): void {
    const value = operation.value === undefined ? undefined : cloneRequestValue(operation.value);
    if (operation.path === undefined) {
      if (operation.op === "remove") throw noTarget('"remove" requires a "path"');
      const objects = Array.isArray(value) ? value : [value];
      for (const object of objects) {
        if (!isPlainObject(object)) throw invalidValue('without a "path", "value" must be an object of attributes');
        for (const key of Object.keys(object)) this.applyPath(operation.op, key, object[key], true);
      }
      return;
    }
    this.applyPath(operation.op, operation.path, value, false);
  }

  /** Required attributes (userName, a group's displayName) cannot be removed or cleared. */
  checkRequired(original: ScimObject): void {
    for (const attribute of schemasOf(this.resourceType).core.attributes) {
      if (attribute.required && !isUnassigned(getOwn(original, attribute.name)) && isUnassigned(getOwn(this.resource, attribute.name))) {
        throw invalidValue(`${attribute.name} is required and cannot be removed`);
      }
    }
  }

  /**
   * @param fromObject the path is a key of a no-path value: read-only attributes there are ignored, as
   *   RFC 7644 §3.5.1 says for PUT (Okta and ory/polis send the resource's own `id` back this way).
   */
  private applyPath(op: PatchOpName, rawPath: string, value: unknown, fromObject: boolean): void {
    if (fromObject && rawPath.toLowerCase() === "schemas") return;
    const path = parsePatchPath(rawPath, this.resourceType, this.knownSchemas);
    const target = resolvePatchTarget(this.resourceType, this.resource, path, rawPath);
    if (target.kind === "extension") {
      this.applyExtension(op, target.urn, value, rawPath);
      return;
    }

    const { definition, subDefinition } = target;
    if (definition?.mutability === "readOnly" || subDefinition?.mutability === "readOnly") {
      if (fromObject) return;
      throw mutability(`"${rawPath}" is read-only`);
    }
    // A directory-sync service has no use for cleartext passwords; accepted and never stored.
    if (definition?.name === "password" && target.container === undefined) return;
    if (this.resourceType === "Group" && definition?.name === "members" && target.container === undefined) {
      const change = memberChange(op, target, value, rawPath);
      if (change) this.memberChanges.push(change);
      return;
    }
    this.applyAttribute(op, target, value, rawPath);
  }

  /** A path (or no-path key) naming a whole extension: its keys are attribute operations. */
  private applyExtension(op: PatchOpName, urn: string, value: unknown, rawPath: string): void {
    if (urn === schemasOf(this.resourceType).core.id && (op === "remove" || !isPlainObject(value))) {
      throw invalidPath(`"${rawPath}" names the core schema; only an object of its attributes can be set through it`);
    }
    if (op === "remove" || isUnassigned(value)) {
      if (op !== "remove" && !getContainer(this.resource, urn)) return;
      delete this.resource[urn];
      const schemas = getOwn(this.resource, "schemas");
      if (Array.isArray(schemas))
        setOwn(
          this.resource,
          "schemas",
          schemas.filter((s) => s !== urn),
        );
      return;
    }
    if (!isPlainObject(value)) throw invalidValue(`"${rawPath}" must be given an object of attributes`);
    for (const key of Object.keys(value)) this.applyPath(op, `${urn}:${key}`, value[key], true);
  }

  private applyAttribute(op: PatchOpName, target: AttributeTarget, value: unknown, rawPath: string): void {
    const container = getContainer(this.resource, target.container) ?? {};
    const existing = getOwn(container, target.name);
    const result = target.filter
      ? this.filtered(op, target, existing, value, rawPath)
      : target.subAttribute !== undefined
        ? this.subAttribute(op, target, existing, value, rawPath)
        : this.whole(op, target, existing, value, rawPath);

    if (result === undefined) delete container[target.name];
    else setOwn(container, target.name, result);
    if (target.container === undefined) return;
    if (Object.keys(container).length === 0) {
      delete this.resource[target.container];
    } else {
      setOwn(this.resource, target.container, container);
      this.ensureSchema(target.container);
    }
  }

  /** The attribute's new value for a path without filter or sub-attribute; undefined removes it. */
  private whole(op: PatchOpName, target: AttributeTarget, existing: unknown, value: unknown, rawPath: string): unknown {
    const { definition } = target;
    if (Array.isArray(value) && value.length > MAX_VALUES_PER_OPERATION) {
      throw invalidValue(`"${rawPath}" may be given at most ${MAX_VALUES_PER_OPERATION} values in one operation`);
    }
    if (op === "remove") {
      if (value === undefined || isUnassigned(value) || !Array.isArray(existing)) return undefined;
      // Remove with a value list (as Entra does for members) removes just those elements.
      const doomed = definition ? multiValuedElements(definition, value, rawPath) : Array.isArray(value) ? value : [value];
      const kept = existing.filter((element) => !doomed.some((d) => elementMatches(element, d)));
      return kept.length === 0 ? undefined : kept;
    }
    if (!definition) {
      if (isUnassigned(value)) return undefined;
      return op === "add" && Array.isArray(existing) && Array.isArray(value) ? appendDistinct(existing, value) : value;
    }
    if (definition.multiValued) {
      const elements = multiValuedElements(definition, value, rawPath);
      const list = op === "add" && Array.isArray(existing) ? appendDistinct(existing, elements) : elements;
      settlePrimary(list, elements);
      return list.length === 0 ? undefined : list;
    }
    if (definition.type === "complex") {
      const changes = complexValue(definition, value, rawPath);
      if (!changes) return undefined;
      const merged: JsonObject = isPlainObject(existing) ? existing : {};
      mergeInto(merged, changes);
      return Object.keys(merged).length === 0 ? undefined : merged;
    }
    return simpleValue(definition, value, rawPath);
  }

  /** `name.givenName`, `emails.value` (every element), or a sub-key of a schema-less object. */
  private subAttribute(op: PatchOpName, target: AttributeTarget, existing: unknown, value: unknown, rawPath: string): unknown {
    const sub = this.subValue(op, target, value, rawPath);
    if (target.definition?.multiValued || (!target.definition && Array.isArray(existing))) {
      const elements = Array.isArray(existing) ? existing.filter(isPlainObject) : [];
      if (elements.length === 0) {
        return sub.value === undefined ? existing : [this.newElement(target, {}, sub.key, sub.value)];
      }
      for (const element of elements) setSub(element, sub.key, sub.value);
      return finishList(elements, elements);
    }
    const object: JsonObject = isPlainObject(existing) ? existing : {};
    setSub(object, sub.key, sub.value);
    return Object.keys(object).length === 0 ? undefined : object;
  }

  /** `emails[type eq "work"]`, `emails[type eq "work"].value`, `members`-like filters on other lists. */
  private filtered(op: PatchOpName, target: AttributeTarget, existing: unknown, value: unknown, rawPath: string): unknown {
    const filter = target.filter!;
    const lookup = this.subLookup(target.definition, rawPath);
    const elements = Array.isArray(existing) ? [...existing] : [];
    const matched = elements.filter((e): e is JsonObject => isPlainObject(e) && matchesValueFilter(filter, e, lookup));

    if (target.subAttribute !== undefined) {
      const sub = this.subValue(op, target, value, rawPath);
      if (op === "remove" && matched.length === 0) throw noTarget(`no value matches "${rawPath}"`);
      if (matched.length === 0) {
        if (sub.value === undefined) return existing;
        elements.push(this.elementForFilter(target, rawPath, sub.key, sub.value));
        return finishList(elements, elements.slice(-1));
      }
      for (const element of matched) setSub(element, sub.key, sub.value);
      return finishList(elements, matched);
    }

    if (op === "remove" || isUnassigned(value)) {
      if (op === "remove" && matched.length === 0) throw noTarget(`no value matches "${rawPath}"`);
      const doomed = new Set<unknown>(matched);
      const kept = elements.filter((e) => !doomed.has(e));
      return kept.length === 0 ? undefined : kept;
    }
    const changes = target.definition ? complexValue({ ...target.definition, multiValued: false }, value, rawPath) : value;
    if (!isPlainObject(changes)) throw invalidValue(`"${rawPath}" must be given an object`);
    if (matched.length === 0) {
      elements.push(this.elementForFilter(target, rawPath, undefined, withoutCleared(changes)));
      return finishList(elements, elements.slice(-1));
    }
    for (const element of matched) mergeInto(element, changes);
    return finishList(elements, matched);
  }

  private subValue(op: PatchOpName, target: AttributeTarget, value: unknown, rawPath: string): { key: string; value: unknown } {
    const key = target.subAttribute!;
    if (op === "remove") return { key, value: undefined };
    if (target.subDefinition) return { key, value: simpleValue(target.subDefinition, value, rawPath) };
    return { key, value: isUnassigned(value) ? undefined : value };
  }

  /** The element an add/replace through a filter creates when nothing matches (what Entra expects). */
  private elementForFilter(target: AttributeTarget, rawPath: string, subKey: string | undefined, value: unknown): JsonObject {
    const described = elementFromFilter(target.filter!);
    if (!described) throw noTarget(`no value matches "${rawPath}" and its filter does not describe a new one`);
    return this.newElement(target, described, subKey, value);
  }

  private newElement(target: AttributeTarget, base: JsonObject, subKey: string | undefined, value: unknown): JsonObject {
    const element: JsonObject = {};
    for (const key of Object.keys(base)) {
      const sub = target.definition ? findSubAttribute(target.definition, key) : undefined;
      if (target.definition && !sub) throw invalidPath(`${target.name} has no sub-attribute "${key}"`);
      setOwn(element, sub?.name ?? key, sub ? simpleValue(sub, base[key], `${target.name}.${sub.name}`) : base[key]);
    }
    if (subKey !== undefined) setOwn(element, subKey, value);
    else if (isPlainObject(value)) mergeInto(element, value);
    return element;
  }

  private subLookup(definition: AttributeDefinition | undefined, rawPath: string): SubAttributeLookup {
    return (name) => {
      if (!definition) return { key: name, caseExact: false };
      const sub = findSubAttribute(definition, name);
      if (!sub) throw invalidPath(`"${rawPath}": ${definition.name} has no sub-attribute "${name}"`);
      return { key: sub.name, caseExact: sub.caseExact };
    };
  }

  private ensureSchema(urn: string): void {
    const schemas = getOwn(this.resource, "schemas");
    if (!Array.isArray(schemas)) {
      setOwn(this.resource, "schemas", [schemasOf(this.resourceType).core.id, urn]);
    } else if (!schemas.some((s) => typeof s === "string" && s.toLowerCase() === urn.toLowerCase())) {
      setOwn(this.resource, "schemas", [...schemas, urn]);
    }
  }
}

function setSub(element: JsonObject, key: string, value: unknown): void {
  const stored = findKey(element, key);
  if (stored !== undefined && stored !== key) delete element[stored];
  if (value === undefined) delete element[key];
  else setOwn(element, key, value);
}

/** Drops elements a clear left with only labels, enforces a single primary; undefined if nothing is left. */
function finishList(elements: unknown[], touched: unknown[]): unknown[] | undefined {
  const touchedSet = new Set(touched);
  const kept = elements.filter((e) => !(touchedSet.has(e) && isPlainObject(e) && Object.keys(e).every((k) => LABEL_SUB_ATTRIBUTES.has(k))));
  settlePrimary(kept, touched);
  return kept.length === 0 ? undefined : kept;
}

/** RFC 7644 §3.5.2: setting one value's primary to true sets it to false on the others. */
function settlePrimary(elements: unknown[], touched: unknown[]): void {
  const present = new Set(elements);
  const primary = [...touched].reverse().find((e) => present.has(e) && isPlainObject(e) && e.primary === true);
  if (!primary) return;
  for (const element of elements) {
    if (element !== primary && isPlainObject(element) && element.primary === true) element.primary = false;
  }
}

function appendDistinct(existing: unknown[], additions: unknown[]): unknown[] {
  const list = [...existing];
  const seen = new Set(existing.map(canonicalJson));
  for (const item of additions) {
    const key = canonicalJson(item);
    if (seen.has(key)) continue;
    seen.add(key);
    list.push(item);
  }
  return list;
}

/** Whether a stored element is one a remove-with-value names: every given sub-attribute is equal. */
function elementMatches(element: unknown, given: unknown): boolean {
  if (!isPlainObject(element) || !isPlainObject(given)) return jsonEqual(element, given);
  return Object.keys(given).every((k) => jsonEqual(getOwn(element, k), given[k]));
}
