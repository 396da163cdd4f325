import { ErrorCode, RpcError } from "../../errors.ts";
import { type SkillEntry } from "../../skills/mod.ts";
import { inDomain } from "../../grants/mod.ts";
import { skillCredentialDomains } from "../../grants/mod.ts";
import type { CallCredentials } from "./call_credentials.ts";
import {
  type CredentialSource,
  declaresSecrets,
  usableBy,
} from "./skill_credentials.ts";

/** Options for {@linkcode retrieveCredentials}. */
export interface RetrieveOptions {
  vault: CredentialSource | undefined;
  credentials: CallCredentials;
  /** Asks the `login_credentials` capability's providers (they store what they find). */
  askProviders?: (params: Record<string, unknown>) => Promise<unknown>;
}

/**
 * Serves `credentials.retrieve(domain, account=, required=)`: the vault's
 * row for the domain (the named account, or the default one first) that
 * holds every `required` field; failing that, the `login_credentials`
 * providers are asked (what they return in `__secrets__` lands in the
 * vault) and the vault is read again. A skill retrieves the credentials
 * of its own connections' domains only, unless it declares `secrets` and
 * the owner granted it real values (`skills allow --secrets`); the
 * values are placeholders (bound to the row's domain) unless it may see
 * real values.
 *
 * @param skill the skill asking
 * @param params `domain`, `account`, `required`
 * @param options the vault, the call's credentials, the providers
 * @returns `{found: true, identifier, value, source}` or `{found: false}`
 * @throws {RpcError} InvalidParams, Forbidden for another skill's domain
 */
export async function retrieveCredentials(
  skill: SkillEntry,
  params: Record<string, unknown>,
  options: RetrieveOptions,
): Promise<Record<string, unknown>> {
  const domain = typeof params.domain === "string"
    ? params.domain.trim().toLowerCase().replace(/^\*?\./, "").slice(0, 253)
    : "";
  if (domain === "") {
    throw new RpcError(
      ErrorCode.InvalidParams,
      `credentials.retrieve needs a "domain"`,
    );
  }
  const own = skillCredentialDomains(skill.id, skill.discovery.connections)
    .flatMap((entry) => entry.candidates);
  const mine = own.some((d) => inDomain(domain, d) || inDomain(d, domain));
  // Any domain only for a password manager the owner granted real values.
  const anyDomain = declaresSecrets(skill) && !options.credentials.masked;
  if (!mine && !anyDomain) {
    throw new RpcError(
      ErrorCode.Forbidden,
      `Skill "${skill.id}" may retrieve credentials only for its own connections' domains (${
        own.join(", ")
      }); "${domain}" is not one`,
      { check: "credential_domain" },
    );
  }
  const account = typeof params.account === "string" ? params.account : null;
  const required = Array.isArray(params.required)
    ? params.required.map(String)
    : [];
  const find = async () => {
    const { vault } = options;
    const rows = (vault?.list() ?? []).filter((row) =>
      usableBy(row, skill.id) && row.domain === domain &&
      (account === null || row.identifier === account)
    ).sort((a, b) => Number(b.identifier === "") - Number(a.identifier === ""));
    for (const row of rows) {
      const stored = await vault!.read(row.domain, row.identifier);
      if (stored === undefined) continue;
      const fields = typeof stored === "string" ? { key: stored } : stored;
      if (!required.every((name) => typeof fields[name] === "string")) continue;
      const value = options.credentials.add({
        domain: row.domain,
        value: fields,
        scope: { domain: row.domain },
      });
      return {
        found: true,
        identifier: row.identifier,
        value,
        source: "vault",
      };
    }
    return undefined;
  };
  const stored = await find();
  if (stored || !options.askProviders) return stored ?? { found: false };
  try {
    await options.askProviders({ domain, account, required });
  } catch {
    return { found: false };
  }
  return await find() ?? { found: false };
}
