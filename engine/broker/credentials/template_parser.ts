/**
 * The auth template parser: recursive descent over the tokens, one
 * function per rule of the grammar below, each returning the
 * {@linkcode AuthTemplate} tree of what it read.
 *
 * The grammar has only whole-value forms — what published skills write:
 *
 * ```text
 * pipeline := concat ("|" stage)*
 * stage    := "@base64" | "@uri"
 *           | split("SEP") "[" N "]"  |  split("SEP") "|" ".[" N "]"
 * concat   := piece ("+" piece)*
 * piece    := "string" | field | "(" pipeline ")"
 * field    := ".auth.NAME" | '.auth["NAME"]'
 * ```
 *
 * A split applies to one field, on a separator of
 * {@linkcode SPLIT_SEPARATORS}, keeping one whole part (index 0 to
 * {@linkcode MAX_PART_INDEX}). Nothing can pick a character, a slice, a
 * case or an alternative of a value: a template that could would make
 * its output, or its failing, depend on one character of the key.
 *
 * @module
 */
import { describe, type Token } from "./template_tokens.ts";
import {
  type AuthTemplate,
  type Encoding,
  templateFail,
} from "./template_value.ts";

/**
 * The separators a template may split a field on: the one the published
 * catalog uses (`"pk_…:sk_…"`). Any other separator, chosen by the skill,
 * would make "is this text in the key" a question its template asks.
 */
export const SPLIT_SEPARATORS: ReadonlySet<string> = new Set([":"]);

/** Highest part a split may keep (`.[0]` … `.[3]`). */
export const MAX_PART_INDEX = 3;

/** Most encodings nested over one value (`@base64` then `@uri`). */
export const MAX_ENCODINGS = 2;

const ENCODINGS: ReadonlySet<string> = new Set(["@base64", "@uri"]);

/** What the grammar allows, for messages. */
const FORMS =
  `a template keeps each credential field whole: .auth.F, "text" + .auth.F, .auth.F | split(":") | .[N], and @base64 or @uri of those`;

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
    throw templateFail(this.source, what);
  }

  /** Refuses the token at the cursor (or the end) as outside the grammar. */
  unexpected(): never {
    const token = this.peek();
    return this.fail(
      `${
        token ? `unexpected "${describe(token)}"` : "ends too early"
      }; ${FORMS}`,
    );
  }
}

/**
 * Parses a whole template from its tokens.
 *
 * @param source the template, for messages
 * @param tokens its tokens
 * @returns the template's tree
 * @throws {TemplateError} for anything outside the grammar, or tokens left over
 */
export function parseTokens(source: string, tokens: Token[]): AuthTemplate {
  const c = new Cursor(source, tokens);
  const parsed = pipeline(c);
  if (c.at < tokens.length) c.unexpected();
  return parsed;
}

/** pipeline := concat ("|" stage)* */
function pipeline(c: Cursor): AuthTemplate {
  let node = concat(c);
  while (c.isOp("|")) {
    c.at++;
    node = stage(c, node);
  }
  return node;
}

/** stage := an encoding, or a split keeping one part (the "|" already read) */
function stage(c: Cursor, input: AuthTemplate): AuthTemplate {
  const token = c.peek();
  if (token?.kind !== "ident") return c.unexpected();
  c.at++;
  if (ENCODINGS.has(token.value)) {
    const node: AuthTemplate = {
      kind: "encode",
      encoding: token.value as Encoding,
      inner: input,
    };
    if (encodingDepth(node) > MAX_ENCODINGS) {
      c.fail(`more than ${MAX_ENCODINGS} encodings over one value`);
    }
    return node;
  }
  if (token.value === "split") return split(c, input);
  return c.fail(`"${token.value}" is not allowed; ${FORMS}`);
}

/** split("SEP") then the part it keeps (`[N]` or `| .[N]`), over one field */
function split(c: Cursor, input: AuthTemplate): AuthTemplate {
  if (input.kind !== "field") {
    c.fail(`split() applies to one field (.auth.F | split(":") | .[N])`);
  }
  c.expectOp("(");
  const separator = c.peek();
  c.at++;
  c.expectOp(")");
  if (separator?.kind !== "string" || !SPLIT_SEPARATORS.has(separator.value)) {
    c.fail(
      `split() takes one of ${
        [...SPLIT_SEPARATORS].map((s) => JSON.stringify(s)).join(", ")
      } as its separator`,
    );
  }
  if (c.isOp("|") && c.peek(1)?.kind === "dot" && c.isOp("[", 2)) {
    c.at += 2;
  } else if (!c.isOp("[")) {
    c.fail(`split() must keep one part: add | .[N]`);
  }
  return {
    kind: "part",
    name: input.name,
    separator: separator.value,
    index: partIndex(c),
  };
}

/** "[" N "]" with N a part a split may keep */
function partIndex(c: Cursor): number {
  c.expectOp("[");
  const token = c.peek();
  c.at++;
  c.expectOp("]");
  if (
    token?.kind !== "number" || token.value < 0 || token.value > MAX_PART_INDEX
  ) {
    c.fail(`a split keeps part 0 to ${MAX_PART_INDEX}`);
  }
  return token.value;
}

/** concat := piece ("+" piece)* */
function concat(c: Cursor): AuthTemplate {
  const parts = [piece(c)];
  while (c.isOp("+")) {
    c.at++;
    parts.push(piece(c));
  }
  return parts.length === 1 ? parts[0]! : { kind: "concat", parts };
}

/** piece := "string" | field | "(" pipeline ")" */
function piece(c: Cursor): AuthTemplate {
  const token = c.peek();
  if (token?.kind === "string") {
    c.at++;
    return { kind: "text", value: token.value };
  }
  if (token?.kind === "dot" && token.name === "auth") {
    c.at++;
    return field(c);
  }
  if (c.isOp("(")) {
    c.at++;
    const inner = pipeline(c);
    c.expectOp(")");
    return inner;
  }
  return c.unexpected();
}

/** field := ".auth.NAME" | '.auth["NAME"]' (".auth" already read) */
function field(c: Cursor): AuthTemplate {
  const token = c.peek();
  if (token?.kind === "dot" && token.name !== undefined) {
    c.at++;
    return { kind: "field", name: token.name };
  }
  if (c.isOp("[") && c.peek(1)?.kind === "string" && c.isOp("]", 2)) {
    const name = c.peek(1) as { kind: "string"; value: string };
    c.at += 3;
    return { kind: "field", name: name.value };
  }
  return c.fail(`.auth must be followed by a field name (.auth.key); ${FORMS}`);
}

/** How many encodings are nested over a value, at most, in a tree. */
function encodingDepth(node: AuthTemplate): number {
  switch (node.kind) {
    case "encode":
      return 1 + encodingDepth(node.inner);
    case "concat":
      return Math.max(...node.parts.map(encodingDepth));
    default:
      return 0;
  }
}
