import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { deleteAppAttribute, listAppAttributes, putAppAttribute } from "../../attributes/app-attribute-service.js";
import {
  getDirectoryAttributeMappings,
  getRemapJob,
  setDirectoryAttributeMapping,
  startRemap,
} from "../../attributes/attribute-mapping-service.js";
import { seenScimPaths } from "../../attributes/seen-scim-paths.js";
import { assertDirectoryExists } from "../../directories/directory-service.js";
import { ApiProblem } from "../problem.js";
import {
  AppAttribute,
  AppAttributeInput,
  AppAttributeList,
  AttributeMappingInput,
  DirectoryAttributeMappings,
  RemapJob,
  SeenScimPaths,
} from "./attribute-schemas.js";
import { ADMIN_SECURITY, DirectoryParams, problems, ref } from "./schemas.js";

// The app's declared attributes and each directory's mapping of them to SCIM paths (issue 16;
// docs/attribute-mapping.md).

const NameParams = Type.Object({ name: Type.String({ maxLength: 200, description: "Attribute name" }) });
const MappingParams = Type.Object({ id: Type.String({ format: "uuid" }), name: Type.String({ maxLength: 200 }) });

export const attributeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ["attributes"];

  app.get(
    "/attributes",
    {
      schema: {
        tags,
        summary: "List the app's declared attributes",
        operationId: "listAttributes",
        security: ADMIN_SECURITY,
        response: { 200: ref(AppAttributeList), ...problems() },
      },
    },
    async () => ({ data: await listAppAttributes(app.db) }),
  );

  app.put(
    "/attributes/:name",
    {
      schema: {
        tags,
        summary: "Declare (or redeclare) an attribute of the app-facing user",
        description:
          "Every directory's users get `attributes.{name}`, typed as declared (string, number, boolean, date, string[]). " +
          "A change recomputes every directory's users in the background (see the directory's `remap`).",
        operationId: "putAttribute",
        security: ADMIN_SECURITY,
        params: NameParams,
        body: ref(AppAttributeInput),
        response: { 200: ref(AppAttribute), 201: ref(AppAttribute), ...problems(400) },
      },
    },
    async (request, reply) => {
      const { attribute, created } = await putAppAttribute(app.db, request.params.name, request.body);
      return reply.code(created ? 201 : 200).send(attribute);
    },
  );

  app.delete(
    "/attributes/:name",
    {
      schema: {
        tags,
        summary: "Remove a declared attribute (and every directory's mapping of it)",
        operationId: "deleteAttribute",
        security: ADMIN_SECURITY,
        params: NameParams,
        response: { 204: Type.Null({ description: "Removed" }), ...problems(404) },
      },
    },
    async (request, reply) => {
      await deleteAppAttribute(app.db, request.params.name);
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/directories/:id/attribute-mappings",
    {
      schema: {
        tags,
        summary: "A directory's SCIM path for each declared attribute, its mapping warnings and remap progress",
        operationId: "getAttributeMappings",
        security: ADMIN_SECURITY,
        params: DirectoryParams,
        response: { 200: ref(DirectoryAttributeMappings), ...problems(400, 404) },
      },
    },
    async (request) => getDirectoryAttributeMappings(app.db, request.params.id),
  );

  app.put(
    "/directories/:id/attribute-mappings/:name",
    {
      schema: {
        tags,
        summary: "Map a declared attribute to a SCIM path in this directory",
        description:
          'Any core, enterprise or custom-extension path, value filters included: `emails[type eq "work"].value`, ' +
          "`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`, " +
          "`urn:ietf:params:scim:schemas:extension:Acme:2.0:User:costCenter`. `null` goes back to the provider default. " +
          "A change recomputes the directory's users in the background.",
        operationId: "putAttributeMapping",
        security: ADMIN_SECURITY,
        params: MappingParams,
        body: ref(AttributeMappingInput),
        response: { 200: ref(DirectoryAttributeMappings), ...problems(400, 404) },
      },
    },
    async (request) => {
      await setDirectoryAttributeMapping(app.db, request.params.id, request.params.name, request.body.scimPath);
      return getDirectoryAttributeMappings(app.db, request.params.id);
    },
  );

  app.get(
    "/directories/:id/attribute-remap",
    {
      schema: {
        tags,
        summary: "Progress of the directory's latest attribute recomputation",
        operationId: "getAttributeRemap",
        security: ADMIN_SECURITY,
        params: DirectoryParams,
        response: { 200: ref(RemapJob), ...problems(400, 404) },
      },
    },
    async (request) => {
      const job = await getRemapJob(app.db, request.params.id);
      if (!job) throw new ApiProblem(404, "remap_not_found", "Not Found", "no attribute remap has run for this directory");
      return job;
    },
  );

  app.post(
    "/directories/:id/attribute-remap",
    {
      schema: {
        tags,
        summary: "Recompute the directory's users with the current mapping now",
        description: "Mapping and declaration changes start this by themselves. Users whose attributes are already right are not written.",
        operationId: "startAttributeRemap",
        security: ADMIN_SECURITY,
        params: DirectoryParams,
        response: { 202: ref(RemapJob), ...problems(400, 404) },
      },
    },
    async (request, reply) => reply.code(202).send(await startRemap(app.db, request.params.id)),
  );

  app.get(
    "/directories/:id/scim-paths",
    {
      schema: {
        tags,
        summary: "SCIM paths present in the directory's users, with examples and how often each appears",
        description: "Computed over the newest 1000 users at most (`sampledUsers`); counts and shares are over that sample.",
        operationId: "listScimPaths",
        security: ADMIN_SECURITY,
        params: DirectoryParams,
        response: { 200: ref(SeenScimPaths), ...problems(400, 404) },
      },
    },
    async (request) => {
      await assertDirectoryExists(app.db, request.params.id);
      return seenScimPaths(app.db, request.params.id);
    },
  );
};
