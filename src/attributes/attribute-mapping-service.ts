import type { Database } from "../db/database.js";
import { notifyAttributeMappingChange } from "../directories/auth-change.js";
import { DirectoryNotFound } from "../directories/directory-service.js";
import { ScimError } from "../scim/errors.js";
import type { AppAttributeType } from "../scim/mapping/attribute-coercion.js";
import type { MappingWarningKind } from "../scim/mapping/attribute-mapping.js";
import { parseMappingPath } from "../scim/mapping/mapping-path.js";
import { AttributeNotFound, checkAttributeName } from "./app-attribute-service.js";
import { attributeMappingsOf } from "./attribute-mapping-cache.js";
import { type RemapJobView, remapJobView } from "./remap-job-view.js";
import { requestRemap } from "./remap-request.js";
import { defaultPathFor } from "./provider-defaults.js";

// A directory's SCIM path for each declared attribute (control plane, Prisma): set, cleared (back to the
// provider default), and read with the warnings its users' values raised and the progress of the remap
// that a change starts.

export class InvalidScimPath extends Error {}

export interface AttributeMappingView {
  attribute: string;
  type: AppAttributeType;
  required: boolean;
  /** The path in effect: the directory's own, else the provider default, else null (always null values). */
  scimPath: string | null;
  source: "directory" | "provider_default" | "none";
}

export interface MappingWarningView {
  attribute: string;
  kind: MappingWarningKind;
  scimPath: string;
  expectedType: AppAttributeType;
  example: string | null;
  count: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

export interface DirectoryAttributeMappingsView {
  provider: string;
  data: AttributeMappingView[];
  warnings: MappingWarningView[];
  remap: RemapJobView | null;
}

export async function getDirectoryAttributeMappings(db: Database, directoryId: string): Promise<DirectoryAttributeMappingsView> {
  const directory = await db.prisma.directory.findUnique({
    where: { id: directoryId },
    select: {
      provider: true,
      attributeMappings: true,
      mappingWarnings: { orderBy: [{ attribute: "asc" }, { kind: "asc" }] },
      remapJob: true,
    },
  });
  if (!directory) throw new DirectoryNotFound(directoryId);
  const declared = await db.prisma.appAttribute.findMany({ orderBy: { name: "asc" } });
  const own = new Map(directory.attributeMappings.map((m) => [m.attribute, m.scimPath]));
  return {
    provider: directory.provider,
    data: declared.map((a) => {
      const mine = own.get(a.name);
      const fallback = mine === undefined ? defaultPathFor(directory.provider, a.name) : undefined;
      return {
        attribute: a.name,
        type: a.type as AppAttributeType,
        required: a.required,
        scimPath: mine ?? fallback ?? null,
        source: mine !== undefined ? "directory" : fallback !== undefined ? "provider_default" : "none",
      };
    }),
    warnings: directory.mappingWarnings.map((w) => ({
      attribute: w.attribute,
      kind: w.kind as MappingWarningKind,
      scimPath: w.scimPath,
      expectedType: w.expectedType as AppAttributeType,
      example: w.example,
      count: Number(w.count),
      firstSeenAt: w.firstSeenAt,
      lastSeenAt: w.lastSeenAt,
    })),
    remap: directory.remapJob ? remapJobView(directory.remapJob) : null,
  };
}

/** A path a mapping may hold, or InvalidScimPath with the parser's precise reason. */
export function checkScimPath(scimPath: string): void {
  try {
    parseMappingPath(scimPath);
  } catch (err) {
    if (err instanceof ScimError) throw new InvalidScimPath(`scimPath ${JSON.stringify(scimPath)}: ${err.detail}`);
    throw err;
  }
}

/**
 * Sets (scimPath) or clears (null: the provider default applies again) a directory's mapping of one
 * attribute. A real change clears the attribute's warnings, starts a remap and reaches every replica.
 */
export async function setDirectoryAttributeMapping(
  db: Database,
  directoryId: string,
  attribute: string,
  scimPath: string | null,
): Promise<void> {
  checkAttributeName(attribute);
  if (scimPath !== null) checkScimPath(scimPath);
  const changed = await db.prisma.$transaction(async (tx) => {
    const directory = await tx.directory.findUnique({ where: { id: directoryId }, select: { id: true } });
    if (!directory) throw new DirectoryNotFound(directoryId);
    const declared = await tx.appAttribute.findUnique({ where: { name: attribute } });
    if (!declared) throw new AttributeNotFound(attribute);
    const key = { directoryId_attribute: { directoryId, attribute } };
    const current = await tx.directoryAttributeMapping.findUnique({ where: key });
    if ((current?.scimPath ?? null) === scimPath) return false;
    if (scimPath === null) await tx.directoryAttributeMapping.delete({ where: key });
    else {
      await tx.directoryAttributeMapping.upsert({
        where: key,
        create: { directoryId, attribute, scimPath },
        update: { scimPath, updatedAt: new Date() },
      });
    }
    await tx.attributeMappingWarning.deleteMany({ where: { directoryId, attribute } });
    await requestRemap(tx, directoryId);
    await notifyAttributeMappingChange(tx, directoryId);
    return true;
  });
  if (changed) attributeMappingsOf(db).evict(directoryId);
}

export async function getRemapJob(db: Database, directoryId: string): Promise<RemapJobView | null> {
  const directory = await db.prisma.directory.findUnique({ where: { id: directoryId }, select: { remapJob: true } });
  if (!directory) throw new DirectoryNotFound(directoryId);
  return directory.remapJob ? remapJobView(directory.remapJob) : null;
}

/** Recomputes the directory's users now with the current mapping (idempotent: users already right are not written). */
export async function startRemap(db: Database, directoryId: string): Promise<RemapJobView> {
  return db.prisma.$transaction(async (tx) => {
    const directory = await tx.directory.findUnique({ where: { id: directoryId }, select: { id: true } });
    if (!directory) throw new DirectoryNotFound(directoryId);
    await requestRemap(tx, directoryId);
    return remapJobView((await tx.attributeRemapJob.findUnique({ where: { directoryId } }))!);
  });
}
