// RFC 9457 problem details for the admin API: a stable `code` and a `type` URI built from it.

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  errors?: unknown[];
}

export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly extra?: Pick<ProblemBody, "errors">,
  ) {
    super(detail ?? title);
    this.name = "ApiProblem";
  }

  toBody(instance?: string): ProblemBody {
    return problemBody(this.status, this.code, this.title, this.detail, instance, this.extra);
  }
}

export function problemBody(
  status: number,
  code: string,
  title: string,
  detail?: string,
  instance?: string,
  extra?: Pick<ProblemBody, "errors">,
): ProblemBody {
  return {
    type: `https://scimbridge.dev/problems/${code}`,
    title,
    status,
    code,
    ...(detail ? { detail } : {}),
    ...(instance ? { instance } : {}),
    ...extra,
  };
}

export const problemNotFound = (what: string) => new ApiProblem(404, "not_found", "Not Found", `${what} not found`);
export const problemBadRequest = (detail: string) => new ApiProblem(400, "bad_request", "Bad Request", detail);
export const problemConflict = (detail: string) => new ApiProblem(409, "conflict", "Conflict", detail);
