/**
 * Text a skill controls (its id, a domain it declares), made safe to show
 * the person in a prompt: control characters and bidirectional overrides
 * become visible `\u{…}` escapes, so nothing can hide or reorder what the
 * prompt says, and the text is cut to a bounded length.
 *
 * @param text the untrusted text
 * @param max the longest result before `…`
 * @returns the text to show
 */
export function promptText(text: string, max = 200): string {
  const escaped = text.replaceAll(
    // C0/C1 controls, zero-width and bidi marks, line/paragraph separators.
    // deno-lint-ignore no-control-regex
    /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g,
    (char) => `\\u{${char.codePointAt(0)!.toString(16)}}`,
  );
  return escaped.length > max ? `${escaped.slice(0, max)}…` : escaped;
}
