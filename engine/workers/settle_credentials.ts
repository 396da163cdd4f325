/**
 * A skill call's settle stage, after the tool answered: a request refused
 * for a transformed key fails the call; the call's cookie changes are
 * written back; the credentials the tool returned in `__secrets__` are
 * stored (its own domains, or any when it declares `secrets`); the
 * caller's result is redacted unless the owner granted real values.
 *
 * @module
 */
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
  const { vault } = options;
  if (!canStore(vault)) return [];
  await writeBackCookies(options, vault);
  if (!isObject(value) || !Array.isArray(value.__secrets__)) return [];
  const domains = storableDomains(options.skill);
  const out: StoredSecret[] = [];
  for (const entry of value.__secrets__.slice(0, MAX_SECRETS)) {
    if (!isObject(entry)) continue;
    out.push(await storeSecret(entry, domains, { ...options, vault }));
  }
  return out;
}

/** A vault that can store. */
type WritableVault = CredentialSource & Required<Pick<CredentialSource, "set">>;

function canStore(vault?: CredentialSource): vault is WritableVault {
  return Boolean(vault?.set);
}

/** The call's cookie changes, written back to the rows they came from. */
async function writeBackCookies(
  { skill, session, log, callId }: SettleOptions,
  vault: WritableVault,
): Promise<void> {
  for (const write of session.cookieWrites()) {
    await vault.set(write.domain, write.identifier, write.fields);
    log.info("Cookie session updated", {
      callId,
      skill: skill.id,
      domain: write.domain,
      cookies: Object.keys(write.fields).length - 1,
    });
  }
}

/** Where a skill may store credentials: its connections' domains, or any. */
interface StorableDomains {
  own: string[];
  /** The skill declares `secrets` (a password manager). */
  anyDomain: boolean;
}

function storableDomains(skill: SkillEntry): StorableDomains {
  const own = skillCredentialDomains(skill.id, skill.discovery.connections)
    .flatMap((entry) => entry.candidates);
  return { own, anyDomain: declaresSecrets(skill) };
}

/**
 * One `__secrets__` row: refused without a domain and a value, outside the
 * skill's domains, or carrying another domain's placeholder; else stored.
 */
async function storeSecret(
  entry: Record<string, unknown>,
  { own, anyDomain }: StorableDomains,
  options: SettleOptions & { vault: WritableVault },
): Promise<StoredSecret> {
  const { credentials } = options;
  const row = secretRow(entry, credentials);
  const { domain } = row;
  const fields = secretFields(entry.value);
  if (domain === "" || !fields) {
    return refuse(
      row,
      "needs a domain and a value (text or an object of text)",
    );
  }
  if (
    !anyDomain && !own.some((d) => inDomain(domain, d) || inDomain(d, domain))
  ) {
    return refuse(
      row,
      `"${domain}" is not one of the skill's connection domains (${
        own.join(", ")
      })`,
    );
  }
  const real = revealedFields(fields, credentials, domain);
  if (!real) {
    return refuse(
      row,
      `it carries a placeholder of a credential that does not belong to "${domain}"`,
    );
  }
  await keepSecret(row, real, fields, options);
  return row;
}

/** The row as the caller will see it, not yet stored. */
function secretRow(
  entry: Record<string, unknown>,
  credentials: CallCredentials,
): StoredSecret {
  const domain = String(entry.domain ?? "").trim().toLowerCase()
    .replace(/^\*?\./, "").replace(/\.$/, "").slice(0, 253);
  // A login tool names the account with what it read: maybe a placeholder.
  const named = String(entry.identifier ?? "").slice(0, 500);
  const identifier = credentials.revealFor(named, domain) ?? named;
  const itemType = entry.item_type ?? entry.itemType;
  return {
    domain,
    identifier,
    item_type: typeof itemType === "string" ? itemType : null,
    stored: false,
  };
}

function refuse(row: StoredSecret, reason: string): StoredSecret {
  row.reason = reason;
  return row;
}

/** Each field's real value, or undefined when one is another domain's placeholder. */
function revealedFields(
  fields: Record<string, string>,
  credentials: CallCredentials,
  domain: string,
): Record<string, string> | undefined {
  const real: Record<string, string> = {};
  for (const [name, field] of Object.entries(fields)) {
    const revealed = credentials.revealFor(field, domain);
    if (revealed === undefined) break;
    real[name] = revealed;
  }
  if (Object.keys(real).length !== Object.keys(fields).length) return undefined;
  return real;
}

/** Stores the row: joins the call's credentials (so results redact it), then the vault. */
async function keepSecret(
  row: StoredSecret,
  real: Record<string, string>,
  fields: Record<string, string>,
  { credentials, vault, log, callId, skill }: SettleOptions & {
    vault: WritableVault;
  },
): Promise<void> {
  const { domain, identifier } = row;
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
