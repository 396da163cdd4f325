/**
 * A skill call's settle stage, after the tool answered: a request refused
 * for a transformed key fails the call; the call's cookie changes are
 * written back; the credentials the tool returned in `__secrets__` are
 * stored (its own connections' domains, never a parent or a public
 * suffix, never over a row it did not write); the caller's result is
 * redacted unless the owner granted real values.
 *
 * @module
 */
import type { Logger } from "../logger.ts";
import { ErrorCode, RpcError } from "../errors.ts";
import { isObject } from "../is_object.ts";
import type {
  CallCredentials,
  CallSession,
  CredentialSource,
  OffThreadGuard,
} from "../broker/mod.ts";
import { declaresSecrets, KEYCHAIN_DOMAIN } from "../broker/mod.ts";
import { type SkillEntry } from "../skills/mod.ts";
import { inDomain, isPublicSuffix } from "../grants/mod.ts";
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
  /** The owner granted the skill real values (`skills allow --secrets`). */
  granted?: boolean;
}

/** Options for {@linkcode settleCall}: a settle's, and where the result is redacted. */
export interface SettleCallOptions extends SettleOptions {
  /** The guard workers and the call's budget. */
  guard: OffThreadGuard;
  /**
   * The call serves another skill's `capability.call`: its result goes to
   * that skill, so it is redacted whatever this skill's grant.
   */
  nested?: boolean;
}

/** What a settled call gives: the stored secrets, the caller's result, the records' source. */
export interface SettledCall {
  secrets: StoredSecret[];
  /** What the caller sees: redacted unless the owner granted real values. */
  result: unknown;
  /**
   * The caller's view redacted, whatever the grant: what the graph stores
   * (any skill with `sql`, any app reads it).
   */
  stored: unknown;
  /** The tool's whole return value, redacted (its `__cache__`, `__data__` are kept). */
  raw: unknown;
}

/**
 * What a successful call gives its caller: fails it when a request was
 * refused for a transformed key (even if the skill caught the error),
 * settles its credentials ({@linkcode settleCredentials}) and redacts the
 * return value once, on the guard workers when it is large, within the
 * call's guard budget: the caller's result and the records' source are
 * both taken from that one pass. The caller's result is unredacted when
 * the owner granted the skill real values (a logo URL carries its token;
 * logs, the audit trail and the records stored stay redacted) and the caller is the owner's
 * (an app, an MCP client): a result that goes back to a calling skill
 * (`capability.call`) is always redacted, or a masked skill would read a
 * granted provider's values through it (the confused deputy).
 *
 * @param value what the tool returned
 * @param options as for {@linkcode settleCredentials}, the grant and the guard
 * @returns the stored secrets' previews, the caller's result and the redacted value
 * @throws {RpcError} the session's refusal; Timeout past the call's guard budget
 */
export async function settleCall(
  value: unknown,
  options: SettleCallOptions,
): Promise<SettledCall> {
  if (options.session.refusal) throw options.session.refusal;
  const secrets = await settleCredentials(value, options);
  const shown = callerResult(value);
  // The result's strings are the value's: one pass redacts both.
  const [result, raw] = await options.credentials.redactValuesOffThread(
    [shown, value],
    options.guard,
  );
  const real = options.granted === true && options.nested !== true;
  return { secrets, result: real ? shown : result, stored: result, raw };
}

/**
 * After a successful call: writes the call's cookie changes back to the
 * rows they came from, and stores the `__secrets__` rows the tool
 * returned. A skill stores credentials under its own connections'
 * domains (or their subdomains), any registrable domain only when it
 * declares `secrets` and the owner granted it real values (a password
 * manager); never under a public suffix, never over a row another writer
 * wrote: that fails the call before anything is stored. Each stored value
 * joins the call's credentials, so the caller's result is redacted of it.
 *
 * @param value what the tool returned
 * @param options the skill, the call's session and credentials, the vault
 * @returns what the caller may see of the stored secrets
 * @throws {RpcError} Forbidden when a row would replace one the skill did not write
 */
export async function settleCredentials(
  value: unknown,
  options: SettleOptions,
): Promise<StoredSecret[]> {
  const { vault } = options;
  if (!canStore(vault)) return [];
  await writeBackCookies(options, vault);
  if (!isObject(value) || !Array.isArray(value.__secrets__)) return [];
  const domains = storableDomains(options.skill, options.granted === true);
  const known = new Set(vault.list().map((row) => row.identifier));
  const { credentials } = options;
  const planned = value.__secrets__.slice(0, MAX_SECRETS).filter(isObject)
    .map((entry) => planSecret(entry, domains, { credentials, known }));
  assertOwnRows(planned, vault, options.skill.id);
  for (const { row, real, fields } of planned) {
    if (real) await keepSecret(row, real, fields, { ...options, vault });
  }
  return planned.map((plan) => plan.row);
}

/**
 * Refuses the whole settle when a row would replace one another writer
 * (the owner, another skill, an older engine) wrote: that row may be what
 * the owner's other skills act with.
 */
function assertOwnRows(
  planned: PlannedSecret[],
  vault: CredentialSource,
  skillId: string,
): void {
  const rows = vault.list();
  for (const { row, real } of planned) {
    if (!real) continue;
    const existing = rows.find((r) =>
      r.domain === row.domain && r.identifier === row.identifier
    );
    if (!existing || existing.writer === `skill:${skillId}`) continue;
    const who = existing.writer === "owner"
      ? "the owner"
      : existing.writer
      ? `skill "${existing.writer.replace(/^skill:/, "")}"`
      : "an earlier engine";
    const id = row.identifier === ""
      ? ""
      : ` --identifier ${JSON.stringify(row.identifier)}`;
    throw new RpcError(
      ErrorCode.Forbidden,
      `Skill "${skillId}" tried to replace the credential for "${row.domain}"${
        row.identifier ? ` (${row.identifier})` : ""
      } that ${who} stored; a skill replaces only rows it wrote itself, so nothing was stored. To let it store its own, delete that row first: agentos secrets delete ${row.domain}${id}`,
      { check: "vault_writer", domain: row.domain },
    );
  }
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
  /** It declares `secrets` and the owner granted it real values. */
  anyDomain: boolean;
}

function storableDomains(skill: SkillEntry, granted: boolean): StorableDomains {
  const entries = skillCredentialDomains(skill.id, skill.discovery.connections);
  return {
    // A connection keyed by the skill has no domain: its row lives in the
    // skill namespace, which `__secrets__` never writes (only the owner:
    // `agentos secrets set --skill <id>`).
    own: entries.flatMap((entry) => entry.candidates),
    anyDomain: granted && declaresSecrets(skill),
  };
}

/** One `__secrets__` row, checked: its real fields when it may be stored. */
interface PlannedSecret {
  row: StoredSecret;
  fields: Record<string, string>;
  real?: Record<string, string>;
}

/**
 * One `__secrets__` row: refused without a domain and a value, under a
 * domain the skill may not write, named by a credential, or carrying a
 * placeholder of a credential whose domain does not cover it.
 */
function planSecret(
  entry: Record<string, unknown>,
  domains: StorableDomains,
  { credentials, known }: { credentials: CallCredentials; known: Set<string> },
): PlannedSecret {
  const row = secretRow(entry);
  const fields = secretFields(entry.value) ?? {};
  const plan: PlannedSecret = { row, fields };
  if (namedByCredential(row.identifier, fields, { credentials, known })) {
    // Checked first: a refused row is shown to the caller too.
    row.identifier = "[refused]";
    return refuse(
      plan,
      "its identifier carries a credential (a placeholder or a stored value); an identifier names an account in clear",
    );
  }
  if (row.domain === "" || Object.keys(fields).length === 0) {
    return refuse(
      plan,
      "needs a domain and a value (text or an object of text)",
    );
  }
  const where = unwritable(row.domain, domains);
  if (where) return refuse(plan, where);
  const real = revealedFields(fields, credentials, row.domain);
  if (!real) {
    return refuse(
      plan,
      `it carries a placeholder of a credential that does not belong to "${row.domain}"`,
    );
  }
  plan.real = real;
  return plan;
}

/**
 * Why a skill may not write under a domain, or undefined when it may: a
 * public suffix never (by the Public Suffix List), else one of its own
 * connections' domains or a subdomain of one, or any for a granted
 * password manager. The skill's id is never a domain: a skill-keyed row
 * lives in the vault's skill namespace.
 */
function unwritable(
  domain: string,
  { own, anyDomain }: StorableDomains,
): string | undefined {
  // Whatever a connection declares as its domain: the keychain's row is
  // the owner's, and a public suffix is no one site's.
  if (domain === KEYCHAIN_DOMAIN) {
    return `"${domain}" holds the owner's keychain items, which skills only read (keychain.read)`;
  }
  if (isPublicSuffix(domain)) {
    return `"${domain}" is a public suffix, no one site's domain`;
  }
  if (own.includes(domain) || anyDomain) return undefined;
  const covered = own.some((d) => !isPublicSuffix(d) && inDomain(domain, d));
  if (covered) return undefined;
  return `"${domain}" is not one of the skill's connection domains (${
    own.join(", ")
  }) nor under one`;
}

/**
 * Whether an identifier is, or holds, a placeholder, a value the skill
 * holds in clear, or a value of the row itself. An identifier a vault row
 * already has is shown in clear anyway (an account's email).
 */
function namedByCredential(
  identifier: string,
  fields: Record<string, string>,
  { credentials, known }: { credentials: CallCredentials; known: Set<string> },
): boolean {
  if (identifier === "") return false;
  if (known.has(identifier)) return false;
  if (credentials.carriesCredential(identifier)) return true;
  return Object.values(fields).some((value) =>
    value.length >= 4 ? identifier.includes(value) : identifier === value
  );
}

/** The row as the caller will see it, not yet stored. */
function secretRow(entry: Record<string, unknown>): StoredSecret {
  const domain = String(entry.domain ?? "").trim().toLowerCase()
    .replace(/^\*?\./, "").replace(/\.$/, "").slice(0, 253);
  // Never substituted: an identifier is shown in clear (logs, results,
  // `secrets list`), so it must not be, or hold, a credential.
  const identifier = String(entry.identifier ?? "").slice(0, 500);
  const itemType = entry.item_type ?? entry.itemType;
  return {
    domain,
    identifier,
    item_type: typeof itemType === "string" ? itemType : null,
    stored: false,
  };
}

function refuse(plan: PlannedSecret, reason: string): PlannedSecret {
  plan.row.reason = reason;
  return plan;
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
  await vault.set(domain, identifier, real, `skill:${skill.id}`);
  row.stored = true;
  // The last 4 characters only of a value the skill gave in clear: a
  // revealed placeholder's would hand a masked skill a piece of a key.
  row.preview = Object.fromEntries(
    Object.entries(real).map((
      [name, v],
    ) => [name, fields[name] === v ? preview(v) : "••••"]),
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
