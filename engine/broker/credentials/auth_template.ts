/**
 * A connection's auth template: the small jq-like expression a published
 * skill writes in `connection(..., auth={"header": {"Authorization":
 * '"Bearer " + .auth.key'}})`, parsed and evaluated by the engine over the
 * credential's fields. A hand-written parser over a closed grammar: no
 * `eval`, no loops, no input but the credential, bounded length.
 *
 * Grammar (every form the public catalog uses, and the jq basics around them):
 *
 * ```text
 * pipe    := alt ("|" alt)*
 * alt     := sum ("//" sum)*                 a // b: b when a is null or ""
 * sum     := postfix ("+" postfix)*          string concatenation
 * postfix := primary (".name" | "[N]" | ".[N]" | '["name"]')*
 * primary := "." | ".name" | ".[N]" | "string" | number | "(" pipe ")"
 *          | split("s") | join("s") | ltrimstr("s") | rtrimstr("s")
 *          | ascii_downcase | ascii_upcase | tostring | @base64 | @uri
 * ```
 *
 * @module
 */

/** A value an expression produces. */
export type TemplateValue =
  | string
  | number
  | null
  | TemplateValue[]
  | { [key: string]: TemplateValue };

/** A parsed expression: evaluate it over `{auth: fields}`. */
export type AuthTemplate = (input: TemplateValue) => TemplateValue;

/** Longest template accepted. */
const MAX_TEMPLATE_CHARS = 500;

/** A template that does not parse or evaluate; the message names why. */
export class TemplateError extends SyntaxError {
  /** @param message what is wrong, quoting the template */
  constructor(message: string) {
    super(message);
    this.name = "TemplateError";
  }
}

type Token =
  | { kind: "dot"; name?: string }
  | { kind: "string"; value: string }
  | { kind: "number"; value: number }
  | { kind: "ident"; value: string }
  | { kind: "op"; value: string };

const STRING_FUNCS = new Set(["split", "join", "ltrimstr", "rtrimstr"]);
const BARE_FUNCS = new Set([
  "ascii_downcase",
  "ascii_upcase",
  "tostring",
  "@base64",
  "@uri",
]);

/**
 * Parses a template.
 *
 * @param source e.g. `.auth.key | split(":") | .[0]`
 * @returns the evaluator
 * @throws {TemplateError} for anything outside the grammar
 */
export function parseTemplate(source: string): AuthTemplate {
  if (typeof source !== "string" || source.trim() === "") {
    throw new TemplateError("Auth template is empty");
  }
  if (source.length > MAX_TEMPLATE_CHARS) {
    throw new TemplateError(
      `Auth template is longer than ${MAX_TEMPLATE_CHARS} characters`,
    );
  }
  const tokens = tokenize(source);
  let at = 0;
  const fail = (what: string): never => {
    throw templateFail(source, `${what}`);
  };
  const peek = () => tokens[at];
  const isOp = (value: string) => {
    const token = peek();
    return token?.kind === "op" && token.value === value;
  };
  const expectOp = (value: string) => {
    if (!isOp(value)) fail(`expected "${value}"`);
    at++;
  };

  const pipe = (): AuthTemplate => {
    let left = alt();
    while (isOp("|")) {
      at++;
      const first = left, next = alt();
      left = (input) => next(first(input));
    }
    return left;
  };
  const alt = (): AuthTemplate => {
    let left = sum();
    while (isOp("//")) {
      at++;
      const first = left, other = sum();
      left = (input) => {
        const value = first(input);
        return value === null || value === "" ? other(input) : value;
      };
    }
    return left;
  };
  const sum = (): AuthTemplate => {
    let left = postfix();
    while (isOp("+")) {
      at++;
      const first = left, second = postfix();
      left = (input) => add(first(input), second(input), source);
    }
    return left;
  };
  const postfix = (): AuthTemplate => {
    let value = primary();
    while (true) {
      const token = peek();
      if (token?.kind === "dot" && token.name !== undefined) {
        at++;
        const inner = value, name = token.name;
        value = (input) => field(inner(input), name);
      } else if (token?.kind === "dot" && isIndexNext(1)) {
        at++;
        value = index(value);
      } else if (isOp("[")) {
        value = index(value);
      } else return value;
    }
  };
  const isIndexNext = (offset: number) => {
    const token = tokens[at + offset];
    return token?.kind === "op" && token.value === "[";
  };
  const index = (inner: AuthTemplate): AuthTemplate => {
    expectOp("[");
    const token = peek();
    at++;
    expectOp("]");
    if (token?.kind === "number") {
      const n = token.value;
      return (input) => item(inner(input), n);
    }
    if (token?.kind === "string") {
      const name = token.value;
      return (input) => field(inner(input), name);
    }
    return fail("an index must be a number or a string");
  };
  const primary = (): AuthTemplate => {
    const token = peek();
    if (!token) return fail("ends too early");
    at++;
    switch (token.kind) {
      case "dot": {
        if (token.name !== undefined) {
          const name = token.name;
          return (input) => field(input, name);
        }
        if (isOp("[")) return index((input) => input);
        return (input) => input;
      }
      case "string": {
        const value = token.value;
        return () => value;
      }
      case "number": {
        const value = token.value;
        return () => value;
      }
      case "ident": {
        const name = token.value;
        if (BARE_FUNCS.has(name)) return (input) => bare(name, input, source);
        if (!STRING_FUNCS.has(name)) return fail(`unknown function "${name}"`);
        expectOp("(");
        const arg = pipe();
        expectOp(")");
        return (input) => {
          const text = arg(input);
          if (typeof text !== "string") {
            throw templateFail(source, `${name}() needs a string`);
          }
          return stringFunc(name, input, text, source);
        };
      }
      case "op":
        if (token.value === "(") {
          const inner = pipe();
          expectOp(")");
          return inner;
        }
    }
    return fail(`unexpected "${describe(token)}"`);
  };

  const parsed = pipe();
  if (at < tokens.length) fail(`unexpected "${describe(tokens[at]!)}"`);
  return parsed;
}

/**
 * Evaluates a template over a credential's fields to the text sent.
 *
 * @param template the parsed template
 * @param fields the credential's fields (`{key: "…"}`)
 * @returns the text, or undefined when the expression gives null
 * @throws {TemplateError} when it gives something other than a string or number
 */
export function renderTemplate(
  template: AuthTemplate,
  fields: Record<string, string>,
): string | undefined {
  const value = template({ auth: { ...fields } });
  if (value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  throw new TemplateError(
    `Auth template gives ${
      Array.isArray(value) ? "a list" : "an object"
    }, not text`,
  );
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const ident = /[A-Za-z_][A-Za-z0-9_]*/y;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === ".") {
      ident.lastIndex = i + 1;
      const name = ident.exec(source)?.[0];
      if (name !== undefined) {
        tokens.push({ kind: "dot", name });
        i += 1 + name.length;
      } else if (source[i + 1] === '"') {
        // ."name" is .["name"]
        const { value, end } = readString(source, i + 1);
        tokens.push({ kind: "dot", name: value });
        i = end;
      } else {
        tokens.push({ kind: "dot" });
        i++;
      }
      continue;
    }
    if (c === '"') {
      const { value, end } = readString(source, i);
      tokens.push({ kind: "string", value });
      i = end;
      continue;
    }
    if (/[0-9-]/.test(c)) {
      const match = /-?[0-9]+/y;
      match.lastIndex = i;
      const text = match.exec(source)?.[0];
      if (text === undefined) {
        throw templateFail(source, `unexpected "-"`);
      }
      tokens.push({ kind: "number", value: Number(text) });
      i += text.length;
      continue;
    }
    if (c === "@" || /[A-Za-z_]/.test(c)) {
      ident.lastIndex = c === "@" ? i + 1 : i;
      const name = ident.exec(source)?.[0] ?? "";
      const value = c === "@" ? `@${name}` : name;
      tokens.push({ kind: "ident", value });
      i += value.length;
      continue;
    }
    if (source.startsWith("//", i)) {
      tokens.push({ kind: "op", value: "//" });
      i += 2;
      continue;
    }
    if ("|+()[]".includes(c)) {
      tokens.push({ kind: "op", value: c });
      i++;
      continue;
    }
    throw templateFail(source, `unexpected character "${c}"`);
  }
  return tokens;
}

function readString(source: string, start: number) {
  // JSON string syntax: find the closing quote, let JSON.parse unescape.
  let i = start + 1;
  while (i < source.length && source[i] !== '"') {
    i += source[i] === "\\" ? 2 : 1;
  }
  if (i >= source.length) {
    throw templateFail(source, `unterminated string`);
  }
  try {
    return {
      value: JSON.parse(source.slice(start, i + 1)) as string,
      end: i + 1,
    };
  } catch {
    throw templateFail(source, `bad string`);
  }
}

function templateFail(source: string, what: string): TemplateError {
  return new TemplateError(
    `Auth template ${JSON.stringify(source.slice(0, 100))}: ${what}`,
  );
}

function describe(token: Token): string {
  if (token.kind === "dot") return token.name ? `.${token.name}` : ".";
  return String(token.value);
}

function field(value: TemplateValue, name: string): TemplateValue {
  if (value === null) return null;
  if (typeof value === "object" && !Array.isArray(value)) {
    return Object.hasOwn(value, name) ? value[name]! : null;
  }
  throw new TemplateError(`Cannot read field "${name}" of a non-object`);
}

function item(value: TemplateValue, n: number): TemplateValue {
  if (value === null) return null;
  if (!Array.isArray(value)) throw new TemplateError(`Cannot index [${n}]`);
  return value.at(n) ?? null;
}

function add(
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

function bare(
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
