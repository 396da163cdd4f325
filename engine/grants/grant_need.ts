/**
 * The grant a refusal lacked, as the engine itself describes it
 * ({@linkcode GrantNeed}): made only where a broker refuses an op for a
 * missing owner grant, and kept beside the error object (never in its
 * text or data), so nothing a skill writes — an exception's message, a
 * `SkillError`'s fields, a forged error body — can pass for one. The
 * proxy's approval prompt (#27) is built from it alone.
 *
 * @module
 */
import { ErrorCode, RpcError } from "../errors.ts";

/**
 * One grant the owner could give, exactly as `agentos skills allow` takes
 * it. A refusal that reached the caller through a nested
 * `capability.call` also names the provider's tool that was refused
 * (`tool`) and the outermost call the person's retry runs (`via`).
 */
export type GrantNeed =
  & (
    | { kind: "host"; skill: string; host: string }
    | { kind: "secrets"; skill: string }
    | { kind: "read"; skill: string; path: string; pin?: string }
    | { kind: "program"; skill: string; program: string; path?: string }
    | { kind: "keychain"; skill: string; item: string }
    | { kind: "credential"; skill: string; domain: string }
  )
  & { tool?: string; via?: CallSite };

/** A skill's tool: where a call ran. */
export interface CallSite {
  skill: string;
  tool: string;
}

/**
 * A grant for one call of one tool (an MCP client's "allow once"): a host,
 * `--secrets`, a declared keychain item, a program (its real path, run
 * with no folder, no config and no network) or a `--read` path (its real
 * path and pin), the last two as the engine's sandboxed probe resolved
 * them (`engine/skills_api/host_probe.ts`). With `via`, it was refused to a provider
 * that the call of `via` reached through `capability.call`: the retry of
 * that call carries it ({@linkcode NestedOnce}) to the first nested run of
 * the grant's skill and tool, and to no other.
 */
export type OnceGrant = GrantNeed & {
  kind: "host" | "secrets" | "keychain" | "program" | "read" | "credential";
  tool: string;
};

/**
 * A once-grant with `via`, handed down one retried call's nested
 * `capability.call`s: the first nested run of its skill and tool spends it.
 */
export interface NestedOnce {
  grant: OnceGrant;
  spent: boolean;
}

/** The kinds of {@linkcode GrantNeed}. */
export const GRANT_KINDS = [
  "host",
  "secrets",
  "read",
  "program",
  "keychain",
  "credential",
] as const;

/** Refusals the engine made for a missing grant, by identity. */
const NEEDS = new WeakMap<RpcError, GrantNeed>();

/**
 * A Forbidden refusal for a missing grant, remembered with the grant it
 * lacked.
 *
 * @param message what was refused, naming the CLI command
 * @param data the refusal's data (its check)
 * @param need the grant that would have allowed it
 * @returns the error to throw
 */
export function grantRefusal(
  message: string,
  data: Record<string, unknown>,
  need: GrantNeed,
): RpcError {
  const error = new RpcError(ErrorCode.Forbidden, message, data);
  NEEDS.set(error, need);
  return error;
}

/**
 * Remembers the grant a call's refusal lacked on the error the caller gets
 * (a failed skill call, or the capability broker's error about it), so a
 * nested `capability.call` passes the engine's own description up.
 *
 * @param error the caller's error
 * @param need the grant, as the engine described it
 * @returns the error
 */
export function withGrantNeed(error: RpcError, need: GrantNeed): RpcError {
  NEEDS.set(error, need);
  return error;
}

/**
 * The grant a refusal lacked, when the engine made it with
 * {@linkcode grantRefusal}; undefined for any other error, however it reads.
 *
 * @param error what was thrown
 * @returns the grant, or undefined
 */
export function grantNeedOf(error: unknown): GrantNeed | undefined {
  return error instanceof RpcError ? NEEDS.get(error) : undefined;
}

/**
 * The grant in words, as `skills allow` takes it (for logs and the audit).
 *
 * @param need the grant
 * @returns e.g. `api.example.com`, `--secrets`, `--read /x`, `--run git`,
 *   `--keychain "Chrome Safe Storage"`
 */
export function grantText(need: GrantNeed): string {
  switch (need.kind) {
    case "host":
      return need.host;
    case "secrets":
      return "--secrets";
    case "read":
      return `--read ${need.path}`;
    case "program":
      return `--run ${need.program}`;
    case "keychain":
      return `--keychain ${JSON.stringify(need.item)}`;
    case "credential":
      return `--credential ${need.domain}`;
  }
}
