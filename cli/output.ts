/**
 * The CLI's printing module: the only place in the CLI allowed to write to
 * stdout and stderr.
 *
 * @module
 */
// deno-lint-ignore-file no-console

/** Prints a line to stdout. */
export function print(text = ""): void {
  console.log(text);
}

/** Prints a value as indented JSON to stdout. */
export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/** Prints an error line to stderr, prefixed with `agentos:`. */
export function printError(text: string): void {
  console.error(`agentos: ${text}`);
}

/** Prints a hint line to stderr. */
export function printHint(text: string): void {
  console.error(text);
}

/**
 * Prints rows as an aligned text table.
 *
 * @param headers column titles
 * @param rows cells, converted with String()
 */
export function printTable(headers: string[], rows: unknown[][]): void {
  const cells = rows.map((row) => row.map((cell) => cellText(cell)));
  const widths = headers.map((header, i) =>
    Math.min(
      60,
      Math.max(header.length, ...cells.map((row) => row[i]?.length ?? 0)),
    )
  );
  const line = (row: string[]) =>
    row.map((cell, i) => clip(cell, widths[i]!).padEnd(widths[i]!)).join("  ")
      .trimEnd();
  console.log(line(headers.map((h) => h.toUpperCase())));
  for (const row of cells) console.log(line(row));
  if (rows.length === 0) console.log("(none)");
}

/**
 * Prints key/value pairs, one per line, keys aligned.
 *
 * @param pairs the pairs in display order
 */
export function printPairs(pairs: [string, unknown][]): void {
  const width = Math.max(...pairs.map(([key]) => key.length));
  for (const [key, value] of pairs) {
    console.log(`${key.padEnd(width)}  ${cellText(value)}`);
  }
}

/**
 * Indents every line by two spaces.
 *
 * @param text the text
 * @returns the indented text
 */
export function indent(text: string): string {
  return text.split("\n").map((line) => `  ${line}`).join("\n");
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return escapeControls(JSON.stringify(value));
  return escapeControls(String(value).replaceAll(/\s+/g, " "));
}

// C0 and C1 controls, DEL, and the bidirectional overrides and isolates: a
// skill chooses op names, hosts and messages, and a raw ESC or U+202E in
// one could rewrite the owner's terminal or reorder what a row says.
const CONTROLS =
  // deno-lint-ignore no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Makes text safe to print on a terminal: control characters (C0, DEL, C1)
 * and bidirectional overrides become visible escapes such as `\x1b` and
 * `\u202e`.
 *
 * @param text text that may come from a skill
 * @returns the text with every control character escaped
 */
export function escapeControls(text: string): string {
  return text.replaceAll(CONTROLS, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

function clip(text: string, width: number): string {
  return text.length <= width ? text : text.slice(0, width - 1) + "…";
}
