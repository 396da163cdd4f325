/**
 * JSON text made ahead: a large string field whose JSON (quoted, escaped,
 * UTF-8) another thread has already written, so the thread that sends the
 * line splices those bytes in instead of serialising and encoding
 * megabytes itself — and never holds the string unless something reads
 * the field. The line is byte for byte what `JSON.stringify(value) + "\n"`
 * encodes to.
 *
 * The field reads as the string the JSON encodes (decoded on first read);
 * a field set afterwards holds the new value and is serialised as usual.
 * A copy of the object (`{ ...value }`) holds the string and no made JSON.
 *
 * @module
 */
import { concat } from "./line_reader.ts";

const MADE = Symbol("agentos.madeJson");

type WithMade = Record<string, unknown> & {
  [MADE]?: Record<string, Uint8Array>;
};

const encoder = new TextEncoder();

/**
 * Sets a string field from its JSON made ahead: the field reads as
 * `JSON.parse` of it (decoded on first read, then kept), and
 * {@linkcode encodeJsonLine} writes the bytes as they are.
 *
 * @param value the object (changed in place)
 * @param field the field to set
 * @param json `JSON.stringify` of a string, encoded as UTF-8
 * @returns the same object
 */
export function withMadeJson<T extends object>(
  value: T,
  field: keyof T & string,
  json: Uint8Array,
): T {
  const target = value as unknown as WithMade;
  const made = target[MADE] ?? {};
  made[field] = json;
  Object.defineProperty(target, MADE, { value: made, configurable: true });
  let text: string | undefined;
  Object.defineProperty(target, field, {
    enumerable: true,
    configurable: true,
    get: () => text ??= JSON.parse(new TextDecoder().decode(json)) as string,
    set: (next: unknown) => {
      delete made[field];
      Object.defineProperty(target, field, {
        value: next,
        enumerable: true,
        configurable: true,
        writable: true,
      });
    },
  });
  return value;
}

/**
 * A value as one JSON line in UTF-8, the JSON text made ahead spliced in
 * for the fields of the value and of its direct members that carry one
 * ({@linkcode withMadeJson}).
 *
 * @param value any JSON-serialisable value
 * @returns `JSON.stringify(value) + "\n"`, encoded
 */
export function encodeJsonLine(value: unknown): Uint8Array {
  const parts = encodeJsonLineParts(value);
  return concat(parts, parts.reduce((size, part) => size + part.length, 0));
}

/**
 * {@linkcode encodeJsonLine} in parts, to be written one after the other:
 * the made JSON as it is, not copied into one buffer with the rest.
 *
 * @param value any JSON-serialisable value
 * @returns the parts of `JSON.stringify(value) + "\n"`, encoded
 */
export function encodeJsonLineParts(value: unknown): Uint8Array[] {
  const marker = `made-json-${crypto.randomUUID()}-`;
  const spliced: Uint8Array[] = [];
  const shown = markedMembers(marked(value, marker, spliced), marker, spliced);
  const text = JSON.stringify(shown) + "\n";
  if (spliced.length === 0) return [encoder.encode(text)];
  // Where each marker is, in the order the text holds them.
  const at = spliced.map((json, i) => {
    const quoted = `"${marker}${i}"`;
    const start = text.indexOf(quoted);
    return { start, end: start + quoted.length, json };
  }).sort((a, b) => a.start - b.start);
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const { start, end, json } of at) {
    parts.push(encoder.encode(text.slice(from, start)), json);
    from = end;
  }
  parts.push(encoder.encode(text.slice(from)));
  return parts;
}

/** The value with each made field replaced by a marker (the field is not read). */
function marked(value: unknown, marker: string, spliced: Uint8Array[]) {
  const made = isObject(value) ? (value as WithMade)[MADE] : undefined;
  if (!made || Object.keys(made).length === 0) return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value as WithMade)) {
    const json = made[key];
    if (json === undefined) copy[key] = (value as WithMade)[key];
    else {
      copy[key] = `${marker}${spliced.length}`;
      spliced.push(json);
    }
  }
  return copy;
}

/** {@linkcode marked} applied to each direct member of an object. */
function markedMembers(
  value: unknown,
  marker: string,
  spliced: Uint8Array[],
): unknown {
  if (!isObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [key, member] of Object.entries(value)) {
    const shown = marked(member, marker, spliced);
    if (shown === member) continue;
    copy ??= { ...(value as Record<string, unknown>) };
    copy[key] = shown;
  }
  return copy ?? value;
}

function isObject(value: unknown): value is object {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
