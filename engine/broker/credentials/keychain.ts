import { ErrorCode, invalidParams, RpcError } from "../../errors.ts";
import type { SkillEntry } from "../../skills/mod.ts";
import { declaredKeychainItems, grantRefusal } from "../../grants/mod.ts";
import type { CallCredentials } from "./call_credentials.ts";
import { type CredentialSource, KEYCHAIN_DOMAIN } from "./skill_credentials.ts";

/**
 * On Linux a keychain item `(service, account)` is the vault row
 * {@linkcode KEYCHAIN_DOMAIN} with the identifier `service/account` (or
 * `service` alone).
 */
export { KEYCHAIN_DOMAIN };

/** Options for {@linkcode readKeychain}. */
export interface ReadKeychainOptions {
  vault: CredentialSource | undefined;
  credentials: CallCredentials;
  params: Record<string, unknown>;
  /** The items the owner granted the skill (`skills allow --keychain`). */
  granted: string[];
}

/**
 * `keychain.read` on Linux: there is no macOS keychain, so the item is
 * read from the vault (row {@linkcode KEYCHAIN_DOMAIN}). Only an item the
 * skill's readme declares and the owner granted by name
 * (`agentos skills allow <skill> --keychain <item>`). A skill granted real
 * values (`--secrets`) gets the value; any other gets a placeholder that
 * only the engine's own ops (`crypto.*`) can use — it may be sent to no
 * host.
 *
 * @param skill the calling skill
 * @param options the vault, the call's credentials and the dispatch params (`service`, `account`, `binary`)
 * @returns the value (hex when `binary`) or its placeholder, and the row read
 * @throws {RpcError} InvalidParams, Forbidden (not declared, not granted),
 *   NotFound with the command that stores the item
 */
export async function readKeychain(
  skill: SkillEntry,
  options: ReadKeychainOptions,
): Promise<{ value: string; identifier: string }> {
  const { params, vault } = options;
  const service = params.service;
  if (typeof service !== "string" || service === "" || service.length > 200) {
    throw invalidParams(`keychain.read needs a "service" (1-200 characters)`);
  }
  assertKeychainGrant(skill, service, options.granted);
  const account = typeof params.account === "string" && params.account !== ""
    ? params.account.slice(0, 200)
    : undefined;
  const candidates = account ? [`${service}/${account}`, service] : [service];
  const rows = vault?.list() ?? [];
  const identifier = candidates.find((id) =>
    rows.some((r) => r.domain === KEYCHAIN_DOMAIN && r.identifier === id)
  );
  const stored = identifier === undefined
    ? undefined
    : await vault!.read(KEYCHAIN_DOMAIN, identifier);
  if (identifier === undefined || stored === undefined) {
    throw new RpcError(
      ErrorCode.NotFound,
      `keychain.read: this engine runs on Linux, where keychain items come from the AgentOS vault, and it holds none for ${
        JSON.stringify(candidates[0])
      }; store it with: agentos secrets set ${KEYCHAIN_DOMAIN} --identifier ${
        JSON.stringify(candidates[0])
      }`,
      { check: "keychain" },
    );
  }
  const text = typeof stored === "string"
    ? stored
    : stored.value ?? stored.key ?? Object.values(stored)[0] ?? "";
  if (params.binary === true && options.credentials.masked) {
    throw new RpcError(
      ErrorCode.Forbidden,
      `Skill "${skill.id}" may read keychain items as bytes only with real values (capabilities: [secrets] and agentos skills allow ${skill.id} --secrets); without them, it gets a placeholder for the text value`,
      { check: "secrets_grant" },
    );
  }
  const value = params.binary === true
    ? Array.from(
      new TextEncoder().encode(text),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("")
    : text;
  const view = options.credentials.add({
    domain: KEYCHAIN_DOMAIN,
    value,
    // Sendable nowhere: only ops the engine performs itself can use it.
    scope: { hosts: [], domains: [] },
  });
  return { value: view as string, identifier };
}

/**
 * A keychain item is read only when the skill's readme declares it
 * (`keychain: [...]`) and the owner granted it by name; the refusal names
 * what is missing, never the item's value.
 */
function assertKeychainGrant(
  skill: SkillEntry,
  service: string,
  granted: string[],
): void {
  const item = JSON.stringify(service.slice(0, 200));
  if (!declaredKeychainItems(skill.discovery).includes(service)) {
    throw new RpcError(
      ErrorCode.Forbidden,
      `Skill "${skill.id}" may not read the keychain item ${item}: its readme does not declare it (keychain: [${
        service.slice(0, 200)
      }])`,
      { check: "keychain_declared" },
    );
  }
  // Only a declared item is a grant the owner could give (and be asked for).
  if (!granted.includes(service)) {
    throw grantRefusal(
      `Skill "${skill.id}" may not read the keychain item ${item} until the owner grants it: agentos skills allow ${skill.id} --keychain ${item}`,
      { check: "keychain_grant" },
      { kind: "keychain", skill: skill.id, item: service },
    );
  }
}
