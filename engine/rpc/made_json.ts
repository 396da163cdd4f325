/**
 * JSON text made ahead: a large string field whose JSON (quoted, escaped,
 * UTF-8) another thread has already written, so the thread that sends the
 * line splices those bytes in instead of serialising and encoding
 * megabytes itself. The line is byte for byte what
 * `JSON.stringify(value) + "\n"` encodes to.
 *
 * The made text is kept beside the string it encodes and used only while
 * the field still holds that string: a field changed afterwards is
 * serialised as usual. It is not enumerable, so a copy of the object
 * (`{ ...value }`) does not carry it.
 *
 * @module
 */

const MADE = Symbol("agentos.madeJson");

interface Made {
  /** The string the bytes encode. */
  text: string;
  /** `JSON.stringify(text)` as UTF-8. */
  json: Uint8Array;
}

type WithMade = Record<string, unknown> & { [MADE]?: Record<string, Made> };

const encoder = new TextEncoder();

/**
 * Notes the JSON text of one string field of an object.
 *
 * @param value the object (changed in place)
 * @param field the field, holding `text`
 * @param json `JSON.stringify(value[field])` encoded as UTF-8
 * @returns the same object
 */
export function withMadeJson<T extends object>(
  value: T,
  field: keyof T & string,
  json: Uint8Array,
): T {
  const target = value as unknown as WithMade;
  const text = target[field];
  if (typeof text !== "string") return value;
  const made = target[MADE] ?? {};
  made[field] = { text, json };
  Object.defineProperty(target, MADE, {
    value: made,
    enumerable: false,
    configurable: true,
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
  const marker = `made-json-${crypto.randomUUID()}-`;
  const spliced: Uint8Array[] = [];
  const shown = markedMembers(marked(value, marker, spliced), marker, spliced);
  const text = JSON.stringify(shown) + "\n";
  if (spliced.length === 0) return encoder.encode(text);
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
  return concat(parts);
}

/** The value with each made field (still holding its string) replaced by a marker. */
function marked(value: unknown, marker: string, spliced: Uint8Array[]) {
  const made = isObject(value) ? (value as WithMade)[MADE] : undefined;
  if (!made) return value;
  const copy: Record<string, unknown> = { ...(value as WithMade) };
  for (const [field, { text, json }] of Object.entries(made)) {
    if (copy[field] !== text) continue;
    copy[field] = `${marker}${spliced.length}`;
    spliced.push(json);
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

function concat(parts: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const part of parts) size += part.length;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
