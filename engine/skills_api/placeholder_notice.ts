/**
 * Why a result carries a credential placeholder (`agentos-secret-…`): the
 * skill gets credentials masked, and handed one back instead of using it
 * in a request. The notice names the grant that gives it real values.
 *
 * @module
 */
import { PLACEHOLDER } from "../broker/mod.ts";

/** Longest result text searched (a result is capped well below this). */
const MAX_SCAN_CHARS = 16 * 1024 * 1024;

/**
 * The notice for a result that holds a placeholder, or undefined.
 *
 * @param skillId the skill that returned it
 * @param result what it returned
 * @returns the notice, naming `agentos skills allow <skill> --secrets`
 */
export function placeholderNotice(
  skillId: string,
  result: unknown,
): string | undefined {
  let text: string;
  try {
    text = JSON.stringify(result) ?? "";
  } catch {
    return undefined;
  }
  const one = new RegExp(PLACEHOLDER.source, "i");
  if (!one.test(text.slice(0, MAX_SCAN_CHARS))) return undefined;
  return `The result carries a credential placeholder (agentos-secret-…), not the real value: skill "${skillId}" gets credentials masked, and the engine puts the real value in only where the skill sends it in a request. If you trust it with the real value, run: agentos skills allow ${skillId} --secrets`;
}
