/**
 * The auth template evaluator's operations: what `.name`, `[N]`, `+` and
 * each built-in function do to a value. The parser composes them into an
 * {@linkcode AuthTemplate}. A null (a missing field) passes through, so a
 * header whose field is absent is left out rather than sent half-made.
 *
 * @module
 */
import {
  type AuthTemplate,
  TemplateError,
  templateFail,
  type TemplateValue,
} from "./template_value.ts";

/** Functions taking one string argument: `split("s")` and the like. */
export const STRING_FUNCS: ReadonlySet<string> = new Set([
  "split",
  "join",
  "ltrimstr",
  "rtrimstr",
]);

/** Functions taking no argument. */
export const BARE_FUNCS: ReadonlySet<string> = new Set([
  "ascii_downcase",
  "ascii_upcase",
  "tostring",
  "@base64",
  "@uri",
]);

/**
 * `.name`: an object's field (null when absent, or on null).
 *
 * @param value the object
 * @param name the field
 * @returns the field's value
 * @throws {TemplateError} on a non-object
 */
export function field(value: TemplateValue, name: string): TemplateValue {
  if (value === null) return null;
  if (typeof value === "object" && !Array.isArray(value)) {
    return Object.hasOwn(value, name) ? value[name]! : null;
  }
  throw new TemplateError(`Cannot read field "${name}" of a non-object`);
}

/**
 * `[N]`: a list's item, negative from the end (null when absent, or on null).
 *
 * @param value the list
 * @param n the index
 * @returns the item
 * @throws {TemplateError} on a non-list
 */
export function item(value: TemplateValue, n: number): TemplateValue {
  if (value === null) return null;
  if (!Array.isArray(value)) throw new TemplateError(`Cannot index [${n}]`);
  return value.at(n) ?? null;
}

/**
 * `a + b`: two strings joined or two numbers added.
 *
 * @param a the left value
 * @param b the right value
 * @param source the template, for messages
 * @returns the sum, or null when either side is null
 * @throws {TemplateError} for mixed or other types
 */
export function add(
  a: TemplateValue,
  b: TemplateValue,
  source: string,
): TemplateValue {
  // A missing field leaves the header out rather than sending "Bearer ".
  if (a === null || b === null) return null;
  if (typeof a === "string" && typeof b === "string") return a + b;
  if (typeof a === "number" && typeof b === "number") return a + b;
  throw templateFail(source, `"+" joins two strings or two numbers`);
}

/**
 * A function of {@linkcode BARE_FUNCS} over its input.
 *
 * @param name the function
 * @param input its input
 * @param source the template, for messages
 * @returns the result
 * @throws {TemplateError} for a non-string input (except to `tostring`)
 */
export function bare(
  name: string,
  input: TemplateValue,
  source: string,
): TemplateValue {
  if (name === "tostring") {
    return typeof input === "string" ? input : JSON.stringify(input);
  }
  if (input === null) return null;
  if (typeof input !== "string") {
    throw templateFail(source, `${name} needs a string`);
  }
  const ascii = { ascii_downcase: /[A-Z]/g, ascii_upcase: /[a-z]/g }[name];
  if (ascii) {
    const up = name === "ascii_upcase";
    return input.replace(ascii, (c) => up ? c.toUpperCase() : c.toLowerCase());
  }
  if (name === "@uri") return encodeURIComponent(input);
  const bytes = new TextEncoder().encode(input);
  return btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(""));
}

/**
 * A function of {@linkcode STRING_FUNCS} whose argument evaluates, over
 * the same input, to a string.
 *
 * @param name the function
 * @param arg the argument's expression
 * @param source the template, for messages
 * @returns the call as an expression
 */
export function stringCall(
  name: string,
  arg: AuthTemplate,
  source: string,
): AuthTemplate {
  return (input) => {
    const text = arg(input);
    if (typeof text !== "string") {
      throw templateFail(source, `${name}() needs a string`);
    }
    return stringFunc(name, input, text, source);
  };
}

function stringFunc(
  name: string,
  input: TemplateValue,
  arg: string,
  source: string,
): TemplateValue {
  if (input === null) return null;
  if (name === "join") {
    if (!Array.isArray(input)) {
      throw templateFail(source, "join() needs a list");
    }
    return input.map((v) => v === null ? "" : String(v)).join(arg);
  }
  if (typeof input !== "string") {
    throw templateFail(source, `${name}() needs a string`);
  }
  if (name === "split") return input.split(arg);
  if (name === "ltrimstr") {
    return input.startsWith(arg) ? input.slice(arg.length) : input;
  }
  return arg !== "" && input.endsWith(arg)
    ? input.slice(0, -arg.length)
    : input;
}
