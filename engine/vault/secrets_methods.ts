/**
 * `secrets.*`: the owner stores, lists and deletes credentials. None
 * returns a value: only metadata leaves the engine.
 *
 * A row is either a domain's (`domain`) or a skill's own (`skill`: what a
 * skill without connections receives), never both, and each call names
 * which: `agentos secrets set example.com` and `agentos secrets set --skill
 * my-skill` can never write the same row, whatever the skill is called.
 *
 * @module
 */
import { invalidParams } from "../errors.ts";
import { isObject } from "../is_object.ts";
import { method, type MethodTable } from "../rpc/mod.ts";
import { SKILL_ID_PATTERN } from "../skills/mod.ts";
import type { SecretValue, Vault } from "./vault.ts";

/** Longest stored credential (its JSON form), in characters. */
export const MAX_SECRET_CHARS = 64 * 1024;
const DOMAIN =
  /^[a-z0-9]([a-z0-9-]{0,62}\.)*[a-z0-9-]{1,63}$|^[a-z0-9][\w.-]{0,99}$/;

/** Which row a call names: a domain's, or a skill's own. */
type Place = { domain: string } | { skill: string };

/** A credential's row: its domain or skill, then its identifier. */
const ROW = { place, identifier };

/**
 * The `secrets.*` methods.
 *
 * @param vault the vault
 * @returns the method table
 */
export function secretsMethods(vault: Vault): MethodTable {
  return {
    "secrets.set": method(
      { ...ROW, value: secretValue, for: askingSkill },
      async ({ place, identifier, value, for: asking }) => {
        if ("skill" in place) {
          if (asking !== undefined) {
            throw invalidParams(
              `"for" names the skill a domain's credential is stored for; a skill's own credential is its skill's alone`,
            );
          }
          await vault.setForSkill(place.skill, identifier, value, "owner");
          return { ok: true, ...place, identifier };
        }
        // The skill it was asked for; else the skills installed now that
        // declare the domain (docs/security.md, "Which skills use a
        // stored credential").
        const users = await vault.set(
          place.domain,
          identifier,
          value,
          "owner",
          asking !== undefined
            ? { fresh: [asking], add: [asking] }
            : { fresh: vault.declaring(place.domain) },
        );
        return { ok: true, ...place, identifier, users };
      },
    ),

    "secrets.list": method({}, () => ({
      secrets: [
        ...vault.list().map((row) => ({ kind: "domain", ...row })),
        ...vault.skillRows().map((row) => ({ kind: "skill", ...row })),
      ],
    })),

    "secrets.delete": method(ROW, ({ place, identifier }) => ({
      deleted: "skill" in place
        ? vault.deleteForSkill(place.skill, identifier)
        : vault.delete(place.domain, identifier),
      ...place,
      identifier,
    })),
  };
}

/**
 * Exactly one of `domain` (a host name, lowercased) and `skill` (a skill
 * id, exactly as skills are named: never lowercased or folded, so
 * `Localhost` or a lookalike is refused rather than taken for another).
 */
function place(params: Record<string, unknown>): Place {
  const { domain: rawDomain, skill: rawSkill } = params;
  if ((rawDomain === undefined) === (rawSkill === undefined)) {
    throw invalidParams(
      `Name either "domain" (a host's credential) or "skill" (the credential of a skill without connections), not ${
        rawDomain === undefined ? "neither" : "both"
      }`,
    );
  }
  if (rawSkill !== undefined) {
    if (typeof rawSkill !== "string" || !SKILL_ID_PATTERN.test(rawSkill)) {
      throw invalidParams(
        `"skill" must be a skill id (${SKILL_ID_PATTERN.source}), got ${
          JSON.stringify(rawSkill)?.slice(0, 100)
        }`,
      );
    }
    return { skill: rawSkill };
  }
  const value = typeof rawDomain === "string"
    ? rawDomain.toLowerCase()
    : undefined;
  if (!value || !DOMAIN.test(value)) {
    throw invalidParams(
      `"domain" must be a host name such as "api.example.com", got ${
        JSON.stringify(rawDomain)?.slice(0, 100)
      }`,
    );
  }
  return { domain: value };
}

/** The skill a credential is stored for (`for`), when named. */
function askingSkill(
  params: Record<string, unknown>,
  key: string,
): string | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !SKILL_ID_PATTERN.test(value)) {
    throw invalidParams(
      `"${key}" must be a skill id (${SKILL_ID_PATTERN.source}), got ${
        JSON.stringify(value)?.slice(0, 100)
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
