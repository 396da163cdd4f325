/**
 * Value coercion: turns what a skill or client wrote into the type its shape
 * declares, or infers a type for undeclared keys. Coercion never rejects a
 * value: what cannot be coerced is kept as text, with a warning.
 *
 * @module
 */

import {
  type FieldSpec,
  formatFieldType,
  type ScalarType,
} from "./field_type.ts";
import { parseDatetime } from "./parse_datetime.ts";

/** The type tag a value is stored with. Enums are stored as `string`, lists as `json`. */
export type ValueType = Exclude<ScalarType, "enum">;

/**
 * A coerced value, ready to store.
 *
 * `json` values are JSON text; `datetime` values are RFC 3339 UTC strings
 * (`"2024-01-02T03:04:05.000Z"`); lists are `json` holding a JSON array of
 * coerced elements. A `null` value means "unset".
 */
export interface Coerced {
  value: string | number | boolean | null;
  type: ValueType;
  /** Present when the value was kept as text or off an enum's list. */
  warning?: string;
}

/** Undeclared strings longer than this (or with a newline) are `text`, not `string`. */
export const LONG_STRING_CHARS = 280;

const TRUE_WORDS = ["true", "yes", "on", "1"];
const FALSE_WORDS = ["false", "no", "off", "0"];
const GROUPED = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
// Absolute URLs only: a scheme followed by `//` (http, ftp, app schemes such
// as obsidian://), or one of the common schemes without authority. This keeps
// "note: call Bob" and "C:\file" out. `javascript:` and `vbscript:` would
// run if an app rendered them as links.
const SCHEME = /^([a-z][a-z0-9+.-]*):(\/\/)?/i;
const OPAQUE_SCHEMES = [
  "mailto",
  "tel",
  "sms",
  "data",
  "geo",
  "magnet",
  "urn",
  "sip",
  "xmpp",
  "news",
];
const UNSAFE_SCHEMES = ["javascript", "vbscript"];
const PREVIEW_CHARS = 80;

/**
 * The type tag a field's values are stored with.
 *
 * @param field The field spec.
 * @returns `json` for lists, `string` for enums, else the field's type.
 */
export function storageType(field: FieldSpec): ValueType {
  if (field.list) return "json";
  return field.type === "enum" ? "string" : field.type;
}

/**
 * Coerces one value for storage.
 *
 * With a field spec: integers from numbers (truncated toward zero), booleans
 * and numeric strings (`" 1,234 "` → 1234); numbers likewise; booleans from
 * `true/false/yes/no/on/off/1/0` in any case and the numbers 1 and 0;
 * datetimes as {@link parseDatetime} reads them; urls when absolute (a
 * `//host` url gets `https:`); enums matched case-insensitively to the
 * declared spelling (an off-list value is kept as given, with a warning);
 * json from anything JSON can encode; `T[]` element by element, a scalar
 * becoming a one-element list.
 *
 * Without a field spec, the type is inferred from the JSON type: a string is
 * `string`, or `text` when longer than {@link LONG_STRING_CHARS} or
 * multi-line; a safe integer is `integer`, another number `number`; a
 * boolean `boolean`; a `Date` `datetime`; an object or array `json`.
 *
 * `null` and `undefined` give `{ value: null }` with the field's storage type
 * (`json` when undeclared): the key is unset.
 *
 * @param key The field key, for warnings.
 * @param raw The value as written.
 * @param field The declared field, if the shape declares `key`.
 * @returns The value and type to store, and a warning when it was kept as text.
 * @example
 * ```ts
 * coerceValue("priority", "495", { type: "integer", list: false });
 * // { value: 495, type: "integer" }
 * coerceValue("priority", "abc", { type: "integer", list: false });
 * // { value: "abc", type: "text", warning: 'Cannot coerce "abc" to integer for field "priority"; kept as text' }
 * ```
 */
export function coerceValue(
  key: string,
  raw: unknown,
  field?: FieldSpec,
): Coerced {
  if (raw === null || raw === undefined) {
    return { value: null, type: field ? storageType(field) : "json" };
  }
  if (field === undefined) return infer(key, raw);
  if (!field.list) return coerceOne(key, raw, field);
  const items = Array.isArray(raw) ? raw : [raw];
  const element: FieldSpec = { ...field, list: false };
  const warnings: string[] = [];
  const values = items.map((item, i) => {
    if (item === null || item === undefined) return null;
    // json elements stay structured inside the list's JSON text.
    if (field.type === "json") return item;
    const one = coerceOne(`${key}[${i}]`, item, element);
    if (one.warning) warnings.push(one.warning);
    return one.value;
  });
  const text = toJson(values);
  if (text === undefined) return keptAsText(key, raw, formatFieldType(field));
  const out: Coerced = { value: text, type: "json" };
  if (warnings.length > 0) out.warning = warnings.join("; ");
  return out;
}

function coerceOne(key: string, raw: unknown, field: FieldSpec): Coerced {
  switch (field.type) {
    case "string":
    case "text": {
      if (typeof raw === "string") return { value: raw, type: field.type };
      if (
        typeof raw === "number" || typeof raw === "boolean" ||
        typeof raw === "bigint"
      ) {
        return { value: String(raw), type: field.type };
      }
      if (raw instanceof Date && !Number.isNaN(raw.getTime())) {
        return { value: raw.toISOString(), type: field.type };
      }
      break;
    }
    case "integer":
    case "number": {
      let n = toNumber(raw);
      if (n !== undefined && field.type === "integer") n = Math.trunc(n) + 0; // + 0 turns -0 into 0
      if (
        n !== undefined && (field.type === "number" || Number.isSafeInteger(n))
      ) {
        return { value: n, type: field.type };
      }
      break;
    }
    case "boolean": {
      const b = toBoolean(raw);
      if (b !== undefined) return { value: b, type: "boolean" };
      break;
    }
    case "datetime": {
      const ms = parseDatetime(raw);
      if (ms !== undefined) {
        return { value: new Date(ms).toISOString(), type: "datetime" };
      }
      break;
    }
    case "url": {
      const url = typeof raw === "string" ? toUrl(raw.trim()) : undefined;
      if (url !== undefined) return { value: url, type: "url" };
      break;
    }
    case "enum": {
      if (
        typeof raw !== "string" && typeof raw !== "number" &&
        typeof raw !== "boolean"
      ) break;
      const given = String(raw);
      const values = field.values ?? [];
      const wanted = given.trim().toLowerCase();
      const match = values.find((v) => v === given) ??
        values.find((v) => v.toLowerCase() === wanted);
      if (match !== undefined) return { value: match, type: "string" };
      return {
        value: given,
        type: "string",
        warning: `Value ${
          preview(given)
        } is not one of the values of enum field "${key}" (${
          values.join(", ")
        }); kept as given`,
      };
    }
    case "json": {
      const text = toJson(raw);
      if (text !== undefined) return { value: text, type: "json" };
      break;
    }
  }
  return keptAsText(key, raw, field.type);
}

function infer(key: string, raw: unknown): Coerced {
  switch (typeof raw) {
    case "string": {
      const long = raw.length > LONG_STRING_CHARS || raw.includes("\n");
      return { value: raw, type: long ? "text" : "string" };
    }
    case "number":
      if (Number.isSafeInteger(raw)) return { value: raw + 0, type: "integer" };
      if (Number.isFinite(raw)) return { value: raw, type: "number" };
      return keptAsText(key, raw, "number");
    case "boolean":
      return { value: raw, type: "boolean" };
    case "bigint":
      return coerceOne(key, raw, { type: "integer", list: false });
    case "object":
      if (raw instanceof Date) {
        return coerceOne(key, raw, { type: "datetime", list: false });
      }
      return coerceOne(key, raw, { type: "json", list: false });
    default:
      return keptAsText(key, raw, "json");
  }
}

function toNumber(raw: unknown): number | undefined {
  if (typeof raw === "number") return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw === "boolean") return raw ? 1 : 0;
  if (typeof raw === "bigint") {
    const n = Number(raw);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  if (typeof raw !== "string") return undefined;
  let s = raw.trim();
  if (GROUPED.test(s)) s = s.replaceAll(",", "");
  if (!NUMERIC.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

function toBoolean(raw: unknown): boolean | undefined {
  if (typeof raw === "boolean") return raw;
  if (raw === 1 || raw === 0) return raw === 1;
  if (typeof raw !== "string") return undefined;
  const s = raw.trim().toLowerCase();
  if (TRUE_WORDS.includes(s)) return true;
  if (FALSE_WORDS.includes(s)) return false;
  return undefined;
}

function toUrl(s: string): string | undefined {
  const candidate = s.startsWith("//") ? `https:${s}` : s;
  const m = SCHEME.exec(candidate);
  if (m === null || /\s/.test(candidate)) return undefined;
  const scheme = m[1]!.toLowerCase();
  if (UNSAFE_SCHEMES.includes(scheme)) return undefined;
  if (m[2] === undefined && !OPAQUE_SCHEMES.includes(scheme)) return undefined;
  return URL.canParse(candidate) ? candidate : undefined;
}

function toJson(raw: unknown): string | undefined {
  try {
    return JSON.stringify(raw); // undefined for functions and symbols
  } catch {
    return undefined; // cycles, bigints
  }
}

/** The fallback: keep the value as text and say why. */
function keptAsText(key: string, raw: unknown, target: string): Coerced {
  let text: string;
  if (typeof raw === "string") text = raw;
  else if (raw !== null && typeof raw === "object" && !(raw instanceof Date)) {
    text = toJson(raw) ?? String(raw);
  } else text = String(raw);
  return {
    value: text,
    type: "text",
    warning: `Cannot coerce ${
      preview(text)
    } to ${target} for field "${key}"; kept as text`,
  };
}

function preview(text: string): string {
  return JSON.stringify(
    text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text,
  );
}
