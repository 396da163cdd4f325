/**
 * JSON text made ahead: a large string field whose JSON (quoted, escaped,
 * UTF-8) another thread has already written, so the thread that sends the
 * line splices those bytes in instead of serialising and encoding
 * megabytes itself — and never holds the string unless something reads
 * the field. The line is byte for byte what `JSON.stringify(value) + "\n"`
 * encodes to.
 *
 * The field reads as the string the JSON encodes (decoded on first read,
 * unless the string came with it); a field set afterwards holds the new
 * value and is serialised as usual. A copy of the object (`{ ...value }`)
 * holds the string and no made JSON.
 *
 * Made JSON is found in the value a line is made of and in its direct
 * members, and deeper along containers marked with
 * {@linkcode holdsMadeJson} (a tool's result inside the reply).
 *
 * @module
 */
import { concat } from "./line_reader.ts";

const MADE = Symbol("agentos.madeJson");

/** On a container one of whose members (or theirs) holds made JSON. */
const HOLDS = Symbol("agentos.holdsMadeJson");

/** What the thread that made a field's JSON found in its string, by field. */
const FACTS = Symbol("agentos.madeFacts");

/** What was found in a string where its JSON was made (e.g. `placeholder: true`). */
export type MadeFacts = Readonly<Record<string, boolean>>;

type WithMade = Record<string, unknown> & {
  [MADE]?: Record<string, Uint8Array>;
  [HOLDS]?: true;
  [FACTS]?: Record<string, MadeFacts>;
};

const encoder = new TextEncoder();

/**
 * Sets a string field from its JSON made ahead: the field reads as
 * `JSON.parse` of it (decoded on first read, then kept), and
 * {@linkcode encodeJsonLine} writes the bytes as they are.
 *
 * @param value the object (changed in place), or an array (the field an index)
 * @param field the field to set
 * @param json `JSON.stringify` of a string, encoded as UTF-8
 * @param string the string itself, when the caller has it (never decoded then)
 * @param facts what was found in the string where its JSON was made
 *   ({@linkcode madeFacts} reads them while the field holds it)
 * @returns the same object
 */
export function withMadeJson<T extends object>(
  value: T,
  field: keyof T & string,
  json: Uint8Array,
  string?: string,
  facts?: MadeFacts,
): T {
  const target = value as unknown as WithMade;
  const made = target[MADE] ?? {};
  made[field] = json;
  Object.defineProperty(target, MADE, { value: made, configurable: true });
  const found = target[FACTS] ?? {};
  if (facts) found[field] = facts;
  Object.defineProperty(target, FACTS, { value: found, configurable: true });
  let text: string | undefined = string;
  Object.defineProperty(target, field, {
    enumerable: true,
    configurable: true,
    get: () => text ??= JSON.parse(new TextDecoder().decode(json)) as string,
    set: (next: unknown) => {
      delete made[field];
      delete found[field];
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
 * A copy of an object without some of its keys that keeps the made JSON
 * of the rest (a spread copy holds the strings and no made JSON).
 *
 * @param value the object
 * @param drop the keys left out
 * @returns the copy
 */
export function copyWithout(
  value: object,
  drop: readonly string[],
): Record<string, unknown> {
  const from = value as WithMade;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(from)) {
    if (drop.includes(key)) continue;
    const json = from[MADE]?.[key];
    if (json === undefined) copy[key] = from[key];
    else {
      withMadeJson(copy, key, json, from[key] as string, from[FACTS]?.[key]);
    }
  }
  if (from[HOLDS]) holdsMadeJson(copy);
  return copy;
}

/**
 * What was found in a field's string where its JSON was made, while the
 * field still holds that string.
 *
 * @param value an object or an array
 * @param field one of its fields
 * @returns the facts, or undefined (none were given, or the field was set since)
 */
export function madeFacts(
  value: object,
  field: string | number,
): MadeFacts | undefined {
  return (value as WithMade)[FACTS]?.[field];
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
  const found: Found = { marker: "", spliced: [] };
  const text = JSON.stringify(shown(value, 0, found)) + "\n";
  const { marker, spliced } = found;
  if (spliced.length === 0) return [encoder.encode(text)];
  const at = markersAt(text, marker, spliced);
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const { start, end, json } of at) {
    parts.push(encoder.encode(text.slice(from, start)), json);
    from = end;
  }
  parts.push(encoder.encode(text.slice(from)));
  return parts;
}

/**
 * Where each marker is, in the order the text holds them. They are met in
 * the order they were set ({@linkcode shown} walks the value as
 * `JSON.stringify` does): each is looked for after the one before, in one
 * pass over the text however many there are (a result of thousands of
 * strings); looked for from the start only when one is not there.
 */
function markersAt(text: string, marker: string, spliced: Uint8Array[]) {
  let from = 0;
  const at = spliced.map((json, i) => {
    const quoted = `"${marker}${i}"`;
    let start = text.indexOf(quoted, from);
    if (start === -1) start = text.indexOf(quoted);
    from = start + quoted.length;
    return { start, end: start + quoted.length, json };
  });
  return at.sort((a, b) => a.start - b.start);
}

/**
 * Marks a container (an object or an array) as holding made JSON among
 * its members or deeper: {@linkcode encodeJsonLine} looks into it, at
 * any depth, as into the line's value and its direct members.
 *
 * @param container the container (changed in place)
 */
export function holdsMadeJson(container: object): void {
  Object.defineProperty(container, HOLDS, { value: true, configurable: true });
}

/** The made JSON found so far, and the marker that stands for each. */
interface Found {
  marker: string;
  spliced: Uint8Array[];
}

/**
 * The value with each made field replaced by a marker (the field is not
 * read): the value and its members looked into (a reply and its
 * result), and deeper where marked.
 */
function shown(value: unknown, depth: number, found: Found): unknown {
  if (typeof value !== "object" || value === null) return value;
  const target = value as WithMade;
  const made = target[MADE];
  const deeper = depth < 2 || target[HOLDS] === true;
  if (!deeper && !made) return value;
  let copy: Record<string, unknown> | unknown[] | undefined;
  const keys = Object.keys(target);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const json = made?.[key];
    let member: unknown;
    if (json !== undefined) {
      if (found.spliced.length === 0) {
        found.marker = `made-json-${crypto.randomUUID()}-`;
      }
      member = `${found.marker}${found.spliced.length}`;
      found.spliced.push(json);
    } else {
      const item = target[key];
      member = deeper ? shown(item, depth + 1, found) : item;
      if (member === item && copy === undefined) continue;
    }
    copy ??= copyUpTo(target, keys, i);
    (copy as Record<string, unknown>)[key] = member;
  }
  return copy ?? value;
}

/** A plain copy of the container's first `count` members. */
function copyUpTo(
  value: WithMade,
  keys: string[],
  count: number,
): Record<string, unknown> | unknown[] {
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value)
    ? []
    : {};
  for (let i = 0; i < count; i++) {
    (copy as Record<string, unknown>)[keys[i]!] = value[keys[i]!];
  }
  return copy;
}
