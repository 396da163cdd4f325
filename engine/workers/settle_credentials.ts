import type { Logger } from "../logger.ts";
import { isObject } from "../is_object.ts";
import type {
  CallCredentials,
  CallSession,
  CredentialSource,
} from "../broker/mod.ts";
import { declaresSecrets } from "../broker/mod.ts";
import { type SkillEntry } from "../skills/mod.ts";
import { inDomain } from "../grants/mod.ts";
import { callerResult } from "./record_sink.ts";
import { skillCredentialDomains } from "../grants/mod.ts";

/** Most `__secrets__` rows one call may store. */
const MAX_SECRETS = 20;
/** Longest stored value, in characters (as the vault's own limit). */
const MAX_VALUE_CHARS = 64 * 1024;

/** What the caller learns of a credential a tool stored: never a value. */
export interface StoredSecret {
  domain: string;
  identifier: string;
  item_type: string | null;
  /** Whether it was stored; a refusal says why. */
  stored: boolean;
  reason?: string;
  /** Each field's masked preview (`••••1a2b`). */
  preview?: Record<string, string>;
}

/** Options for {@linkcode settleCredentials}. */
export interface SettleOptions {
  skill: SkillEntry;
  session: CallSession;
  credentials: CallCredentials;
  vault?: CredentialSource;
  log: Logger;
  callId: string;
}

/**
 * What a successful call gives its caller: fails it when a request was
 * refused for a transformed key (even if the skill caught the error),
 * settles its credentials ({@linkcode settleCredentials}) and redacts the
 * result, unless the owner granted the skill real values (a logo URL
 * carries its token; logs and the audit trail stay redacted).
 *
 * @param value what the tool returned
 * @param options as for {@linkcode settleCredentials}, and the grant
 * @returns the stored secrets' previews and the caller's result
 * @throws {RpcError} the session's refusal
 */
export async function settleCall(
  value: unknown,
  options: SettleOptions & { granted: boolean },
): Promise<{ secrets: StoredSecret[]; result: unknown }> {
  if (options.session.refusal) throw options.session.refusal;
  const secrets = await settleCredentials(value, options);
  const shown = callerResult(value);
  return {
    secrets,
    result: options.granted ? shown : options.credentials.redactValue(shown),
  };
}

/**
 * After a successful call: writes the call's cookie changes back to the
 * rows they came from, and stores the `__secrets__` rows the tool
 * returned (upsert by domain and identifier). A skill stores credentials
 * for its own connections' domains, or any domain when it declares
 * `secrets` (a password manager). Each stored value joins the call's
 * credentials, so the caller's result is redacted of it.
 *
 * @param value what the tool returned
 * @param options the skill, the call's session and credentials, the vault
 * @returns what the caller may see of the stored secrets
 */
export async function settleCredentials(
  value: unknown,
  options: SettleOptions,
): Promise<StoredSecret[]> {
  const { skill, session, credentials, vault, log, callId } = options;
  if (!vault?.set) return [];
  for (const write of session.cookieWrites()) {
    await vault.set(write.domain, write.identifier, write.fields);
    log.info("Cookie session updated", {
      callId,
      skill: skill.id,
      domain: write.domain,
      cookies: Object.keys(write.fields).length - 1,
    });
  }
  if (!isObject(value) || !Array.isArray(value.__secrets__)) return [];
  const own = skillCredentialDomains(skill.id, skill.discovery.connections)
    .flatMap((entry) => entry.candidates);
  const anyDomain = declaresSecrets(skill);
  const out: StoredSecret[] = [];
  for (const entry of value.__secrets__.slice(0, MAX_SECRETS)) {
    if (!isObject(entry)) continue;
    const domain = String(entry.domain ?? "").trim().toLowerCase()
      .replace(/^\*?\./, "").replace(/\.$/, "").slice(0, 253);
    // A login tool names the account with what it read: maybe a placeholder.
    const named = String(entry.identifier ?? "").slice(0, 500);
    const identifier = credentials.revealFor(named, domain) ?? named;
    const itemType = entry.item_type ?? entry.itemType;
    const row: StoredSecret = {
      domain,
      identifier,
      item_type: typeof itemType === "string" ? itemType : null,
      stored: false,
    };
    out.push(row);
    const fields = secretFields(entry.value);
    if (domain === "" || !fields) {
      row.reason = "needs a domain and a value (text or an object of text)";
      continue;
    }
    if (
      !anyDomain && !own.some((d) => inDomain(domain, d) || inDomain(d, domain))
    ) {
      row.reason = `"${domain}" is not one of the skill's connection domains (${
        own.join(", ")
      })`;
      continue;
    }
    const real: Record<string, string> = {};
    for (const [name, field] of Object.entries(fields)) {
      const revealed = credentials.revealFor(field, domain);
      if (revealed === undefined) break;
      real[name] = revealed;
    }
    if (Object.keys(real).length !== Object.keys(fields).length) {
      row.reason =
        `it carries a placeholder of a credential that does not belong to "${domain}"`;
      continue;
    }
    credentials.add({ domain, value: real, scope: { domain } });
    await vault.set(domain, identifier, real);
    row.stored = true;
    row.preview = Object.fromEntries(
      Object.entries(real).map(([name, v]) => [name, preview(v)]),
    );
    log.info("Credential stored by a skill", {
      callId,
      skill: skill.id,
      domain,
      identifier,
      fields: Object.keys(fields),
    });
  }
  return out;
}

function secretFields(value: unknown): Record<string, string> | undefined {
  if (typeof value === "string") {
    return value === "" || value.length > MAX_VALUE_CHARS
      ? undefined
      : { key: value };
  }
  if (!isObject(value)) return undefined;
  const fields: Record<string, string> = {};
  for (const [name, field] of Object.entries(value)) {
    if (field === null || field === undefined) continue;
    fields[name] = typeof field === "string" ? field : JSON.stringify(field);
  }
  if (Object.keys(fields).length === 0) return undefined;
  if (JSON.stringify(fields).length > MAX_VALUE_CHARS) return undefined;
  return fields;
}

function preview(value: string): string {
  return value.length >= 12 ? `••••${value.slice(-4)}` : "••••";
}
