/**
 * The auth template parser: recursive descent over the tokens, one
 * function per rule of the grammar below, each returning the
 * {@linkcode AuthTemplate} that evaluates what it read (composed from the
 * evaluator's operations in `template_eval.ts`).
 *
 * ```text
 * pipe    := alt ("|" alt)*
 * alt     := sum ("//" sum)*                 a // b: b when a is null or ""
 * sum     := postfix ("+" postfix)*          string concatenation
 * postfix := primary (".name" | "[N]" | ".[N]" | '["name"]')*
 * primary := path | "string" | number | group | call
 * path    := "." | ".name" | ".[N]"
 * group   := "(" pipe ")"
 * call    := split("s") | join("s") | ltrimstr("s") | rtrimstr("s")
 *          | ascii_downcase | ascii_upcase | tostring | @base64 | @uri
 * index   := "[" (N | "name") "]"
 * ```
 *
 * @module
 */
import { describe, type Token } from "./template_tokens.ts";
import {
  add,
  bare,
  BARE_FUNCS,
  field,
  item,
  STRING_FUNCS,
  stringCall,
} from "./template_eval.ts";
import { type AuthTemplate, templateFail } from "./template_value.ts";

/** The tokens and the position the rules have read to. */
class Cursor {
  at = 0;
  constructor(readonly source: string, readonly tokens: Token[]) {}

  peek(offset = 0): Token | undefined {
    return this.tokens[this.at + offset];
  }

  isOp(value: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token?.kind === "op" && token.value === value;
  }

  expectOp(value: string): void {
    if (!this.isOp(value)) this.fail(`expected "${value}"`);
    this.at++;
  }

  fail(what: string): never {
    throw templateFail(this.source, `${what}`);
  }
}

/**
 * Parses a whole template from its tokens.
 *
 * @param source the template, for messages
 * @param tokens its tokens
 * @returns the evaluator
 * @throws {TemplateError} for anything outside the grammar, or tokens left over
 */
export function parseTokens(source: string, tokens: Token[]): AuthTemplate {
  const c = new Cursor(source, tokens);
  const parsed = pipe(c);
  if (c.at < tokens.length) c.fail(`unexpected "${describe(tokens[c.at]!)}"`);
  return parsed;
}

/** pipe := alt ("|" alt)* */
function pipe(c: Cursor): AuthTemplate {
  let left = alt(c);
  while (c.isOp("|")) {
    c.at++;
    const first = left, next = alt(c);
    left = (input) => next(first(input));
  }
  return left;
}

/** alt := sum ("//" sum)* */
function alt(c: Cursor): AuthTemplate {
  let left = sum(c);
  while (c.isOp("//")) {
    c.at++;
    const first = left, other = sum(c);
    left = (input) => {
      const value = first(input);
      return value === null || value === "" ? other(input) : value;
    };
  }
  return left;
}

/** sum := postfix ("+" postfix)* */
function sum(c: Cursor): AuthTemplate {
  const { source } = c;
  let left = postfix(c);
  while (c.isOp("+")) {
    c.at++;
    const first = left, second = postfix(c);
    left = (input) => add(first(input), second(input), source);
  }
  return left;
}

/** postfix := primary (".name" | "[N]" | ".[N]" | '["name"]')* */
function postfix(c: Cursor): AuthTemplate {
  let value = primary(c);
  while (true) {
    const token = c.peek();
    if (token?.kind === "dot" && token.name !== undefined) {
      c.at++;
      const inner = value, name = token.name;
      value = (input) => field(inner(input), name);
    } else if (token?.kind === "dot" && c.isOp("[", 1)) {
      c.at++;
      value = index(c, value);
    } else if (c.isOp("[")) {
      value = index(c, value);
    } else return value;
  }
}

/** index := "[" (N | "name") "]", applied to what `inner` gives */
function index(c: Cursor, inner: AuthTemplate): AuthTemplate {
  c.expectOp("[");
  const token = c.peek();
  c.at++;
  c.expectOp("]");
  if (token?.kind === "number") {
    const n = token.value;
    return (input) => item(inner(input), n);
  }
  if (token?.kind === "string") {
    const name = token.value;
    return (input) => field(inner(input), name);
  }
  return c.fail("an index must be a number or a string");
}

/** primary := path | "string" | number | group | call */
function primary(c: Cursor): AuthTemplate {
  const token = c.peek();
  if (!token) return c.fail("ends too early");
  c.at++;
  switch (token.kind) {
    case "dot":
      return path(c, token.name);
    case "string":
    case "number": {
      const value = token.value;
      return () => value;
    }
    case "ident":
      return call(c, token.value);
    case "op":
      if (token.value === "(") return group(c);
  }
  return c.fail(`unexpected "${describe(token)}"`);
}

/** path := "." | ".name" | ".[N]" (the dot already read) */
function path(c: Cursor, name: string | undefined): AuthTemplate {
  if (name !== undefined) return (input) => field(input, name);
  if (c.isOp("[")) return index(c, (input) => input);
  return (input) => input;
}

/** group := "(" pipe ")" (the "(" already read) */
function group(c: Cursor): AuthTemplate {
  const inner = pipe(c);
  c.expectOp(")");
  return inner;
}

/** call := a bare function, or a string function and its argument (the name already read) */
function call(c: Cursor, name: string): AuthTemplate {
  const { source } = c;
  if (BARE_FUNCS.has(name)) return (input) => bare(name, input, source);
  if (!STRING_FUNCS.has(name)) return c.fail(`unknown function "${name}"`);
  c.expectOp("(");
  const arg = pipe(c);
  c.expectOp(")");
  return stringCall(name, arg, source);
}
