/**
 * Readers of named JSON-RPC parameters that fail with InvalidParams, quoting
 * the value: shared by every method table.
 *
 * @module
 */
import { isObject } from "../is_object.ts";
import { invalidParams } from "../errors.ts";

/**
 * Reads a required string parameter.
 *
 * @throws {RpcError} InvalidParams when missing or not a non-empty string
 */
export function stringParam(
  params: Record<string, unknown>,
  key: string,
  maxLength = 200,
): string {
  const value = params[key];
  if (typeof value !== "string" || value === "" || value.length > maxLength) {
    throw invalidParams(
      `"${key}" must be a string of 1 to ${maxLength} characters, got ${
        JSON.stringify(value)?.slice(0, 100)
      }`,
    );
  }
  return value;
}

/**
 * Reads an optional string parameter.
 *
 * @throws {RpcError} InvalidParams when present but not a string
 */
export function optionalString(
  params: Record<string, unknown>,
  key: string,
  maxLength = 200,
): string | undefined {
  return params[key] === undefined || params[key] === null
    ? undefined
    : stringParam(params, key, maxLength);
}

/**
 * Reads an object parameter (default `{}` when optional and absent).
 *
 * @throws {RpcError} InvalidParams when not an object
 */
export function objectParam(
  params: Record<string, unknown>,
  key: string,
  optional = false,
): Record<string, unknown> {
  const value = params[key];
  if (value === undefined && optional) return {};
  if (!isObject(value)) {
    throw invalidParams(
      `"${key}" must be an object, got ${JSON.stringify(value)?.slice(0, 100)}`,
    );
  }
  return value;
}

/**
 * Reads an optional non-negative integer parameter.
 *
 * @throws {RpcError} InvalidParams when present but not such an integer
 */
export function optionalInteger(
  params: Record<string, unknown>,
  key: string,
  max: number,
): number | undefined {
  const value = params[key];
  if (value === undefined || value === null) return undefined;
  if (
    !Number.isInteger(value) || (value as number) < 0 || (value as number) > max
  ) {
    throw invalidParams(
      `"${key}" must be an integer from 0 to ${max}, got ${
        JSON.stringify(value)
      }`,
    );
  }
  return value as number;
}
