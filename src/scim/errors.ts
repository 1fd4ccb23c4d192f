// RFC 7644 §3.12 errors: thrown once as values, rendered once by the HTTP error handler.

export const SCIM_ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

export type ScimType =
  | "invalidFilter"
  | "tooMany"
  | "uniqueness"
  | "mutability"
  | "invalidSyntax"
  | "invalidPath"
  | "noTarget"
  | "invalidValue"
  | "invalidVers"
  | "sensitive";

export class ScimError extends Error {
  constructor(
    readonly status: number,
    readonly scimType: ScimType | undefined,
    readonly detail: string,
  ) {
    super(detail);
    this.name = "ScimError";
  }
}

export interface ScimErrorBody {
  schemas: [typeof SCIM_ERROR_SCHEMA];
  status: string;
  scimType?: string;
  detail: string;
}

export function scimErrorBody(status: number, detail: string, scimType?: string): ScimErrorBody {
  return { schemas: [SCIM_ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail };
}

export const invalidFilter = (detail: string) => new ScimError(400, "invalidFilter", detail);
export const invalidPath = (detail: string) => new ScimError(400, "invalidPath", detail);
export const invalidValue = (detail: string) => new ScimError(400, "invalidValue", detail);
export const invalidSyntax = (detail: string) => new ScimError(400, "invalidSyntax", detail);
export const noTarget = (detail: string) => new ScimError(400, "noTarget", detail);
export const mutability = (detail: string) => new ScimError(400, "mutability", detail);
export const uniqueness = (detail: string) => new ScimError(409, "uniqueness", detail);
export const notFound = (detail: string) => new ScimError(404, undefined, detail);
export const preconditionFailed = (detail: string) => new ScimError(412, undefined, detail);
