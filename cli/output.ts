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

function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value).replaceAll(/\s+/g, " ");
}

function clip(text: string, width: number): string {
  return text.length <= width ? text : text.slice(0, width - 1) + "…";
}
