import { expect } from "vitest";
import { ScimError } from "../../../src/scim/errors.js";

/** Runs `action` and asserts it failed with the SCIM error a client would see (status and scimType). */
export function expectScimError(action: () => unknown, status: number, scimType: string | undefined): ScimError {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ScimError);
  const error = caught as ScimError;
  expect({ status: error.status, scimType: error.scimType }).toEqual({ status, scimType });
  expect(error.detail.length).toBeGreaterThan(0);
  return error;
}
