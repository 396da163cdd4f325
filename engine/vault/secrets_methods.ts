/**
 * `secrets.*`: the owner stores, lists and deletes credentials. None
 * returns a value: only metadata leaves the engine.
 *
 * @module
 */
import { invalidParams } from "../errors.ts";
import { isObject } from "../is_object.ts";
import { method, type MethodTable } from "../rpc/mod.ts";
import type { SecretValue, Vault } from "./vault.ts";

/** Longest stored credential (its JSON form), in characters. */
export const MAX_SECRET_CHARS = 64 * 1024;
const DOMAIN =
  /^[a-z0-9]([a-z0-9-]{0,62}\.)*[a-z0-9-]{1,63}$|^[a-z0-9][\w.-]{0,99}$/;

/** A credential's row: its domain, then its identifier. */
const ROW = { domain, identifier };

/**
 * The `secrets.*` methods.
 *
 * @param vault the vault
 * @returns the method table
 */
export function secretsMethods(vault: Vault): MethodTable {
  return {
    "secrets.set": method(
      { ...ROW, value: secretValue },
      async ({ domain, identifier, value }) => {
        await vault.set(domain, identifier, value, "owner");
        return { ok: true, domain, identifier };
      },
    ),

    "secrets.list": method({}, () => ({ secrets: vault.list() })),

    "secrets.delete": method(ROW, ({ domain, identifier }) => ({
      deleted: vault.delete(domain, identifier),
      domain,
      identifier,
    })),
  };
}

/** A host name, lowercased. */
function domain(params: Record<string, unknown>, key: string): string {
  const raw = params[key];
  const value = typeof raw === "string" ? raw.toLowerCase() : undefined;
  if (!value || !DOMAIN.test(value)) {
    throw invalidParams(
      `"${key}" must be a host name such as "api.example.com", got ${
        JSON.stringify(raw)?.slice(0, 100)
      }`,
    );
  }
  return value;
}

/** Which of several credentials for one domain; `""` when there is one. */
function identifier(params: Record<string, unknown>, key: string): string {
  const value = params[key] ?? "";
  if (typeof value !== "string" || value.length > 200) {
    throw invalidParams(
      `"${key}" must be a string of at most 200 characters`,
    );
  }
  return value;
}

/** A non-empty string, or an object of string fields; bounded in size. */
function secretValue(
  params: Record<string, unknown>,
  key: string,
): SecretValue {
  const value = params[key];
  const valid = typeof value === "string"
    ? value.length > 0
    : isObject(value) && Object.keys(value).length > 0 &&
      Object.values(value).every((field) => typeof field === "string");
  if (!valid) {
    throw invalidParams(
      `"${key}" must be a non-empty string or an object of string fields`,
    );
  }
  if (JSON.stringify(value).length > MAX_SECRET_CHARS) {
    throw invalidParams(
      `"${key}" is longer than ${MAX_SECRET_CHARS} characters`,
    );
  }
  return value as SecretValue;
}
