/**
 * The auth template tokenizer: the characters of a template as the tokens
 * its grammar is written in — `.name` (or `."name"`, or a bare `.`),
 * JSON strings, integers, function names (`@base64` included) and the
 * operators `|`, `//`, `+`, `(`, `)`, `[`, `]`. Anything else is refused.
 *
 * @module
 */
import { templateFail } from "./template_value.ts";

/** One token of a template. */
export type Token =
  | { kind: "dot"; name?: string }
  | { kind: "string"; value: string }
  | { kind: "number"; value: number }
  | { kind: "ident"; value: string }
  | { kind: "op"; value: string };

/** A token and the index just past it. */
interface Read {
  token: Token;
  end: number;
}

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;

/**
 * Splits a template into tokens, skipping white space.
 *
 * @param source the template
 * @returns its tokens in order
 * @throws {TemplateError} for a character outside the grammar or a bad string
 */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    if (/\s/.test(source[i]!)) {
      i++;
      continue;
    }
    const { token, end } = readToken(source, i);
    tokens.push(token);
    i = end;
  }
  return tokens;
}

/**
 * How a token reads in a message.
 *
 * @param token the token
 * @returns its text
 */
export function describe(token: Token): string {
  if (token.kind === "dot") return token.name ? `.${token.name}` : ".";
  return String(token.value);
}

function readToken(source: string, i: number): Read {
  const c = source[i]!;
  if (c === ".") return readDot(source, i);
  if (c === '"') {
    const { value, end } = readString(source, i);
    return { token: { kind: "string", value }, end };
  }
  if (/[0-9-]/.test(c)) return readNumber(source, i);
  if (c === "@" || /[A-Za-z_]/.test(c)) return readIdent(source, i);
  if (source.startsWith("//", i)) {
    return { token: { kind: "op", value: "//" }, end: i + 2 };
  }
  if ("|+()[]".includes(c)) {
    return { token: { kind: "op", value: c }, end: i + 1 };
  }
  throw templateFail(source, `unexpected character "${c}"`);
}

function readDot(source: string, i: number): Read {
  IDENT.lastIndex = i + 1;
  const name = IDENT.exec(source)?.[0];
  if (name !== undefined) {
    return { token: { kind: "dot", name }, end: i + 1 + name.length };
  }
  if (source[i + 1] === '"') {
    // ."name" is .["name"]
    const { value, end } = readString(source, i + 1);
    return { token: { kind: "dot", name: value }, end };
  }
  return { token: { kind: "dot" }, end: i + 1 };
}

function readNumber(source: string, i: number): Read {
  const match = /-?[0-9]+/y;
  match.lastIndex = i;
  const text = match.exec(source)?.[0];
  if (text === undefined) {
    throw templateFail(source, `unexpected "-"`);
  }
  return {
    token: { kind: "number", value: Number(text) },
    end: i + text.length,
  };
}

function readIdent(source: string, i: number): Read {
  const at = source[i] === "@";
  IDENT.lastIndex = at ? i + 1 : i;
  const name = IDENT.exec(source)?.[0] ?? "";
  const value = at ? `@${name}` : name;
  return { token: { kind: "ident", value }, end: i + value.length };
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
