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
