import { ErrorCode, RpcError } from "../errors.ts";
import { isObject } from "../is_object.ts";
import {
  type CredentialSource,
  findCredential,
  fitsConnection,
  toolConnection,
  usableBy,
} from "../broker/mod.ts";
import {
  type ConnectionInfo,
  type SkillEntry,
  type ToolInfo,
} from "../skills/mod.ts";
import { credentialDomains } from "../grants/mod.ts";

/** A vault row's metadata, as the account check keys it. */
export interface RowInfo {
  domain: string;
  identifier: string;
  updated_at?: string;
  fields?: string[];
  writer?: string | null;
}

/** What the engine remembers about accounts between calls (one per engine). */
export interface AccountState {
  /** `(domain, identifier)` of rows the check tool accepted. */
  verified: Set<string>;
  /** Row versions (`domain, identifier, updated_at`) that failed: skipped until rewritten. */
  expired: Set<string>;
}

/** Runs the call (or the check tool) with the rows in `skip` left out. */
export type SkippingRun<T> = (skip: (row: RowInfo) => boolean) => Promise<T>;

/** Options for {@linkcode runWithAccountCheck}. */
export interface AccountCheckOptions<T> {
  skill: SkillEntry;
  connection: ConnectionInfo;
  /** The check tool (`auth.account.check`). */
  checkTool: string;
  vault: CredentialSource;
  state: AccountState;
  /** Runs the check tool; its result says `authenticated: true` or not. */
  check: SkippingRun<{ result: unknown }>;
  /** Runs the call itself. */
  run: SkippingRun<T>;
}

/**
 * The connection whose `auth.account.check` tool vouches for a tool's
 * credential, or undefined: none is named, the tool is the check itself, or
 * it is how one signs in (named in `auth.account`, or a `login`/`store_…`
 * tool), which must run without a valid session.
 *
 * @param skill the skill
 * @param tool the tool about to run
 * @returns the connection and its check tool
 */
export function accountCheck(
  skill: SkillEntry,
  tool: ToolInfo,
): { connection: ConnectionInfo; checkTool: string } | undefined {
  const connection = toolConnection(skill, tool);
  const auth = connection?.auth;
  if (!connection || !isObject(auth) || !isObject(auth.account)) {
    return undefined;
  }
  const checkTool = auth.account.check;
  if (typeof checkTool !== "string") return undefined;
  if (!skill.discovery.tools.some((t) => t.name === checkTool)) {
    return undefined;
  }
  if (Object.values(auth.account).includes(tool.name)) return undefined;
  if (/login|logout|^store_/.test(tool.name)) return undefined;
  return { connection, checkTool };
}

/**
 * Runs a call whose credential a check tool vouches for: before a row's
 * first use the check tool must answer `authenticated: true`; after an
 * auth failure (a `SESSION_EXPIRED:` error, or a failure after a 401/403
 * from the credential's domain) the row is set aside and the credential
 * resolved again, once. A row that fails stays aside until it is rewritten
 * (a new login, new cookies). Nothing left: `NeedsRelogin`.
 *
 * @param options the skill, the connection, its check tool, the vault and the two runs
 * @returns what the call returned
 * @throws {RpcError} SkillFailed with reason `NeedsRelogin`, or the call's own error
 */
export async function runWithAccountCheck<T>(
  options: AccountCheckOptions<T>,
): Promise<T> {
  const { skill, connection, vault, state } = options;
  const { candidates } = credentialDomains(skill.id, connection);
  const skip = (row: RowInfo) => state.expired.has(versionKey(row));
  let failed: RowInfo | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    const row = findCredential(
      (vault.list() as RowInfo[]).filter((r) =>
        !skip(r) && usableBy(r, skill.id) && fitsConnection(r, connection)
      ),
      candidates,
    ) as RowInfo | undefined;
    if (!row) {
      if (!failed) return await options.run(skip);
      break;
    }
    if (!state.verified.has(accountKey(row))) {
      const answer = await options.check(skip).catch(() => undefined);
      if (!isObject(answer?.result) || answer.result.authenticated !== true) {
        state.expired.add(versionKey(row));
        failed = row;
        continue;
      }
      state.verified.add(accountKey(row));
    }
    try {
      return await options.run(skip);
    } catch (error) {
      if (!isAuthFailure(error)) throw error;
      state.expired.add(versionKey(row));
      state.verified.delete(accountKey(row));
      failed = row;
    }
  }
  throw needsRelogin(
    skill,
    connection,
    failed ?? { domain: candidates.at(-1)!, identifier: "" },
  );
}

/**
 * Whether a call failed because its session is no longer valid: the
 * skill raised `SESSION_EXPIRED: …`, or it failed after the credential's
 * domain answered 401 or 403.
 *
 * @param error what the call threw
 * @returns true for an auth failure
 */
export function isAuthFailure(error: unknown): boolean {
  if (!(error instanceof RpcError) || error.code !== ErrorCode.SkillFailed) {
    return false;
  }
  const data = isObject(error.data) ? error.data : {};
  return data.auth_failure === true ||
    (typeof data.message === "string" &&
      data.message.startsWith("SESSION_EXPIRED:"));
}

function needsRelogin(
  skill: SkillEntry,
  connection: ConnectionInfo,
  row: RowInfo,
): RpcError {
  const auth = connection.auth;
  const account = isObject(auth) && isObject(auth.account) ? auth.account : {};
  const login = typeof account.login === "string"
    ? account.login
    : skill.discovery.tools.find((t) => /login/.test(t.name))?.name;
  const who = row.identifier ? ` (${row.identifier})` : "";
  return new RpcError(
    ErrorCode.SkillFailed,
    `NeedsRelogin: the stored session of skill "${skill.id}" for "${row.domain}"${who} is no longer valid; sign in again${
      login ? ` with its "${login}" tool` : ""
    }, or store a fresh credential with: agentos secrets set ${row.domain}${
      row.identifier ? ` --identifier ${row.identifier}` : ""
    }`,
    {
      reason: "NeedsRelogin",
      connection: connection.name,
      domain: row.domain,
      identifier: row.identifier,
      ...(login ? { login } : {}),
    },
  );
}

function accountKey(row: RowInfo): string {
  return `${row.domain}\u0000${row.identifier}`;
}

function versionKey(row: RowInfo): string {
  return `${accountKey(row)}\u0000${row.updated_at ?? ""}`;
}
