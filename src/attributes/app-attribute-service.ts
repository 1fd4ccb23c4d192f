import type { Database } from "../db/database.js";
import { notifyAttributeMappingChange } from "../directories/auth-change.js";
import type { Prisma } from "../generated/prisma/client.js";
import { APP_ATTRIBUTE_TYPES, type AppAttributeType } from "../scim/mapping/attribute-coercion.js";
import { attributeMappingsOf } from "./attribute-mapping-cache.js";
import { requestRemapOfAll } from "./remap-request.js";

// The attributes the app declares once, for every directory (control plane, Prisma). A change re-maps
// every directory's users in the background and tells every replica to drop its cached mappings.

export interface AppAttributeView {
  name: string;
  type: AppAttributeType;
  required: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export class InvalidAttribute extends Error {}

export class AttributeNotFound extends Error {
  constructor(readonly attribute: string) {
    super(`attribute "${attribute}" is not declared (PUT /api/v1/attributes/${attribute} declares it)`);
  }
}

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

export function checkAttributeName(name: string): void {
  if (!NAME.test(name)) {
    throw new InvalidAttribute(
      `attribute name ${JSON.stringify(name)} must start with a letter and hold only letters, digits and "_" (at most 64 characters)`,
    );
  }
}

function checkType(type: string): asserts type is AppAttributeType {
  if (!(APP_ATTRIBUTE_TYPES as readonly string[]).includes(type)) {
    throw new InvalidAttribute(`type ${JSON.stringify(type)} is not one of ${APP_ATTRIBUTE_TYPES.join(", ")}`);
  }
}

function view(row: { name: string; type: string; required: boolean; createdAt: Date; updatedAt: Date }): AppAttributeView {
  return { name: row.name, type: row.type as AppAttributeType, required: row.required, createdAt: row.createdAt, updatedAt: row.updatedAt };
}

export async function listAppAttributes(db: Database): Promise<AppAttributeView[]> {
  return (await db.prisma.appAttribute.findMany({ orderBy: { name: "asc" } })).map(view);
}

/** After a committed change: this process forgets its mappings now, the others at the NOTIFY. */
async function changeDeclarations<T>(db: Database, work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  const out = await db.prisma.$transaction(async (tx) => {
    const result = await work(tx);
    await requestRemapOfAll(tx);
    await notifyAttributeMappingChange(tx);
    return result;
  });
  attributeMappingsOf(db).evict();
  return out;
}

/** Declares or redeclares an attribute; `created` tells which. An unchanged declaration changes nothing. */
export async function putAppAttribute(
  db: Database,
  name: string,
  input: { type: string; required?: boolean },
): Promise<{ attribute: AppAttributeView; created: boolean }> {
  checkAttributeName(name);
  checkType(input.type);
  const type = input.type;
  const required = input.required ?? false;
  const current = await db.prisma.appAttribute.findUnique({ where: { name } });
  if (current && current.type === type && current.required === required) return { attribute: view(current), created: false };
  return changeDeclarations(db, async (tx) => {
    const row = await tx.appAttribute.upsert({
      where: { name },
      create: { name, type, required },
      update: { type, required, updatedAt: new Date() },
    });
    // warnings about the old declaration no longer apply
    await tx.attributeMappingWarning.deleteMany({ where: { attribute: name } });
    return { attribute: view(row), created: !current };
  });
}

export async function deleteAppAttribute(db: Database, name: string): Promise<void> {
  await changeDeclarations(db, async (tx) => {
    const deleted = await tx.appAttribute.deleteMany({ where: { name } });
    if (deleted.count === 0) throw new AttributeNotFound(name);
    await tx.attributeMappingWarning.deleteMany({ where: { attribute: name } });
  });
}
