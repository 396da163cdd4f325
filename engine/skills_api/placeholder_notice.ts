/**
 * Why a result carries a credential placeholder (`agentos-secret-…`): the
 * skill gets credentials masked, and handed one back instead of using it
 * in a request. The notice names the grant that gives it real values.
 *
 * @module
 */
import { PLACEHOLDER } from "../broker/mod.ts";
import { madeFacts } from "../rpc/mod.ts";

/**
 * One placeholder, any case. Made once: V8 compiles a pattern to machine
 * code only once the same object has run, and a fresh one interprets a
 * long result at a fraction of the speed.
 */
const ONE = new RegExp(PLACEHOLDER.source, "i");

/**
 * The notice for a result that holds a placeholder, or undefined. Each
 * string of the result (keys too) is searched as it is, never the
 * result's JSON: a placeholder (letters, digits, dashes) reads the same in
 * both, and a long result is not serialised on the main thread for it.
 *
 * @param skillId the skill that returned it
 * @param result what it returned
 * @returns the notice, naming `agentos skills allow <skill> --secrets`
 */
export function placeholderNotice(
  skillId: string,
  result: unknown,
): string | undefined {
  if (!someString(result, (text) => ONE.test(text))) return undefined;
  return `The result carries a credential placeholder (agentos-secret-…), not the real value: skill "${skillId}" gets credentials masked, and the engine puts the real value in only where the skill sends it in a request. If you trust it with the real value, run: agentos skills allow ${skillId} --secrets`;
}

/**
 * Whether any string of the value (keys included) passes the test. A
 * long string whose JSON a wire worker made was searched there
 * (`placeholder` among its facts): its answer is taken, the string is not
 * searched again on this thread.
 */
function someString(value: unknown, test: (text: string) => boolean): boolean {
  const stack = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === "string") {
      if (test(item)) return true;
    } else if (Array.isArray(item)) {
      for (let i = 0; i < item.length; i++) {
        const found = searched(item, i);
        if (found === true) return true;
        if (found === undefined) stack.push(item[i]);
      }
    } else if (typeof item === "object" && item !== null) {
      for (const key of Object.keys(item)) {
        if (test(key)) return true;
        const found = searched(item, key);
        if (found === true) return true;
        if (found === undefined) {
          stack.push((item as Record<string, unknown>)[key]);
        }
      }
    }
  }
  return false;
}

/** Whether a wire worker found a placeholder in a field's string; undefined when it did not search it. */
function searched(
  container: object,
  key: string | number,
): boolean | undefined {
  return madeFacts(container, key)?.placeholder;
}
