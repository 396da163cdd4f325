/**
 * The pieces of a stored value an auth template can send other than the
 * whole value: each part a split keeps (`.auth.key | split(":") | .[1]`).
 * A server that echoes such a part would hand it back to the skill, and
 * the reflection guard only knows the values it is given, so a call's
 * credentials guard each part as a value of its own.
 *
 * @module
 */
import { MAX_PART_INDEX, SPLIT_SEPARATORS } from "./template_parser.ts";
import { MIN_SENT_CHARS } from "./template_eval.ts";

/**
 * The parts of a value a template may send (shorter ones it refuses).
 *
 * @param value a stored field's value
 * @returns each distinct part of at least {@linkcode MIN_SENT_CHARS}
 *   characters, the whole value excluded
 */
export function sendableParts(value: string): string[] {
  const out = new Set<string>();
  for (const separator of SPLIT_SEPARATORS) {
    const parts = value.split(separator);
    if (parts.length < 2) continue;
    for (const part of parts.slice(0, MAX_PART_INDEX + 1)) {
      if (part.length >= MIN_SENT_CHARS) out.add(part);
    }
  }
  return [...out];
}
