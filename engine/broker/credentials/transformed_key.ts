import { ErrorCode, RpcError } from "../../errors.ts";

const PREFIX = "agentos-secret-";

/**
 * Forms a placeholder takes once a skill has cut or encoded it: the
 * prefix not followed by its 32 hex digits (split, sliced), and the
 * prefix in base64 (at each of the three byte alignments) or in hex. A
 * whole placeholder is not a fragment: substitution handles it.
 */
const FRAGMENTS: RegExp[] = [
  new RegExp(`agentos-secret(?!-[0-9a-f]{32})`, "i"),
  ...[0, 1, 2].map((offset) => {
    const text = "\0".repeat(offset) + PREFIX;
    const groups = Math.floor(text.length / 3);
    const inner = btoa(text).slice(4 * Math.ceil(offset / 3), 4 * groups);
    // base64url writes - and _ for + and /.
    return new RegExp(
      inner.replace(/[+/]/g, (c) => `[${c === "+" ? "+\\-" : "/_"}]`),
    );
  }),
  new RegExp(
    Array.from(
      new TextEncoder().encode(PREFIX),
      (b) => b.toString(16).padStart(2, "0"),
    ).join(""),
    "i",
  ),
];

/**
 * Whether outgoing text carries a fragment or an encoding of a
 * placeholder: the sign that a masked skill tried to split, slice or
 * encode its key.
 *
 * @param texts the request's URL, header values and body
 * @returns the first text found carrying one, or undefined
 */
export function placeholderFragment(texts: string[]): string | undefined {
  return texts.find((text) => FRAGMENTS.some((re) => re.test(text)));
}

/**
 * The error that fails a call whose skill transforms its credential
 * while it only holds placeholders, naming the command that gives it
 * real values.
 *
 * @param skillId the skill
 * @param how what was seen
 * @returns the error
 */
export function transformedKeyError(skillId: string, how: string): RpcError {
  const command = `agentos skills allow ${skillId} --secrets`;
  return new RpcError(
    ErrorCode.Forbidden,
    `Skill "${skillId}" ${how}: it holds placeholders, not real values, so it cannot split, encode or sign with its key. If you trust it with the real value, run: ${command}`,
    { check: "credentials", reason: "NEEDS_REAL_SECRETS", command },
  );
}
