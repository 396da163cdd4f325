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

/**
 * Text a skill controls, shown inside the prompt's double quotes: as
 * {@linkcode promptText}, and every character that could close or fake
 * the quotes — `"`, a backslash, typographic and full-width quotation
 * marks — escaped too, so the quoted name ends where the proxy ends it.
 *
 * @param text the untrusted text
 * @param max the longest result before `…`
 * @returns the text with its quotes, e.g. `"a\"b"`
 */
export function promptQuoted(text: string, max = 200): string {
  // Before promptText: its own `\u{…}` escapes keep their one backslash.
  const quoted = text.replaceAll(
    /["\\\u00ab\u00bb\u2018-\u201f\u2039\u203a\u2e42\u301d-\u301f\uff02\uff07]/g,
    (char) =>
      char === '"' || char === "\\"
        ? `\\${char}`
        : `\\u{${char.codePointAt(0)!.toString(16)}}`,
  );
  return `"${promptText(quoted, max)}"`;
}
