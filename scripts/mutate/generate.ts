/**
 * Mutants derived mechanically from a source file with the TypeScript
 * compiler's parser (no hand-picking): each is one precise text edit at a
 * position of the file, of one of these kinds:
 *
 * - `comparison`: `<`↔`<=`, `>`↔`>=`, `===`↔`!==`, `==`↔`!=`;
 * - `logical`: `&&`↔`||`;
 * - `negate`: the condition of an `if` or a `?:` negated, `c` → `!(c)`;
 * - `drop-guard`: a guard clause removed, an `if` without `else` whose
 *   branch only returns, throws, continues or breaks;
 * - `early-return`: `return;` (or `return true;`/`return false;` in a
 *   function declared `boolean`) inserted at the top of a function body,
 *   when the function returns nothing (or only booleans);
 * - `drop-entry`: one entry dropped from an array literal of literals (deny
 *   and allow lists, `new Set([...])` tables);
 * - `number`: a numeric literal `n` changed to `n+1`, `n*2` and `0`;
 * - `string`: a string literal's first or last character dropped.
 *
 * Type positions, imports, and the messages of errors, logs and console
 * output (their strings, and the numbers in them, such as the length a
 * quoted value is cut to) are not mutated: they change no behaviour a test
 * should guard. A message is a string in a `throw`, in `new …Error(…)`, or
 * an argument of a log or console method or of a `fail(…)` helper (a
 * function or method of that name that raises the error it is given the
 * message of).
 *
 * Each mutant has an id, `file#hash`, that depends on the kind, the text of
 * the lines the edit spans, its place in them, the
 * replacement and the occurrence of all that in the file, not on the line
 * number: edits elsewhere in the file keep it, so a list of known-equivalent
 * ids stays valid while the code it names is unchanged.
 *
 * @module
 */
import ts from "typescript";

/** The kinds of edits, in the order they are described above. */
export const MUTANT_KINDS = [
  "comparison",
  "logical",
  "negate",
  "drop-guard",
  "early-return",
  "drop-entry",
  "number",
  "string",
] as const;

/** One kind of edit. */
export type MutantKind = typeof MUTANT_KINDS[number];

/** One generated mutant: replace `original` at `start` by `replacement`. */
export interface GeneratedMutant {
  /** `file#hash`: stable while the mutated code is unchanged. */
  id: string;
  /** The file, relative to the repository root. */
  file: string;
  /** The kind of edit. */
  kind: MutantKind;
  /** Offset (UTF-16 code units) of the edit in the file's text. */
  start: number;
  /** The text replaced, `text.slice(start, start + original.length)`. */
  original: string;
  /** What replaces it. */
  replacement: string;
  /** 1-based line of `start`. */
  line: number;
  /** 1-based column of `start`. */
  column: number;
  /** A one-line account: `line:column kind: before → after`. */
  description: string;
}

const COMPARISON_FLIPS = new Map<ts.SyntaxKind, string>([
  [ts.SyntaxKind.LessThanToken, "<="],
  [ts.SyntaxKind.LessThanEqualsToken, "<"],
  [ts.SyntaxKind.GreaterThanToken, ">="],
  [ts.SyntaxKind.GreaterThanEqualsToken, ">"],
  [ts.SyntaxKind.EqualsEqualsEqualsToken, "!=="],
  [ts.SyntaxKind.ExclamationEqualsEqualsToken, "==="],
  [ts.SyntaxKind.EqualsEqualsToken, "!="],
  [ts.SyntaxKind.ExclamationEqualsToken, "=="],
]);

const LOGICAL_FLIPS = new Map<ts.SyntaxKind, string>([
  [ts.SyntaxKind.AmpersandAmpersandToken, "||"],
  [ts.SyntaxKind.BarBarToken, "&&"],
]);

/** Method names whose string arguments are messages, not behaviour. */
const MESSAGE_CALLS = new Set([
  "fail",
  "debug",
  "info",
  "warn",
  "error",
  "log",
  "trace",
]);

interface Edit {
  kind: MutantKind;
  start: number;
  end: number;
  replacement: string;
}

/**
 * Every mutant of one file, in source order.
 *
 * @param file the file's path relative to the root (names the mutants)
 * @param text its source
 * @returns the mutants; each applies to `text` alone (one at a time)
 */
export function generateMutants(
  file: string,
  text: string,
): GeneratedMutant[] {
  const source = ts.createSourceFile(
    file,
    text,
    ts.ScriptTarget.Latest,
    true,
    ts.ScriptKind.TS,
  );
  const collector = new EditCollector(source, text);
  collector.visit(source);
  return toMutants(file, source, text, collector.edits);
}

/** Walks a file's syntax tree and collects one edit per mutant. */
class EditCollector {
  readonly edits: Edit[] = [];
  #source: ts.SourceFile;
  #text: string;

  constructor(source: ts.SourceFile, text: string) {
    this.#source = source;
    this.#text = text;
  }

  visit(node: ts.Node): void {
    if (skipped(node)) return;
    if (ts.isBinaryExpression(node)) this.#operators(node);
    if (ts.isIfStatement(node)) this.#ifStatement(node);
    if (ts.isConditionalExpression(node)) this.#negate(node.condition);
    if (isFunctionWithBody(node)) this.#earlyReturns(node);
    if (ts.isArrayLiteralExpression(node) && node.elements.length > 0) {
      if (node.elements.every(isLiteralEntry)) this.#dropEntries(node);
    }
    if (ts.isNumericLiteral(node) && !isMessage(node)) this.#numbers(node);
    if (
      (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) &&
      node.text.length > 0 && !isMessage(node)
    ) {
      this.#strings(node);
    }
    ts.forEachChild(node, (child) => this.visit(child));
  }

  #add(kind: MutantKind, start: number, end: number, replacement: string) {
    if (this.#text.slice(start, end) === replacement) return;
    // `"."` loses its first and its last character alike: one mutant.
    if (
      this.edits.some((e) =>
        e.start === start && e.end === end && e.replacement === replacement
      )
    ) return;
    this.edits.push({ kind, start, end, replacement });
  }

  #operators(node: ts.BinaryExpression) {
    const operator = node.operatorToken;
    const start = operator.getStart(this.#source);
    const flip = COMPARISON_FLIPS.get(operator.kind);
    if (flip !== undefined) this.#add("comparison", start, operator.end, flip);
    const logical = LOGICAL_FLIPS.get(operator.kind);
    if (logical !== undefined) {
      this.#add("logical", start, operator.end, logical);
    }
  }

  #ifStatement(node: ts.IfStatement) {
    this.#negate(node.expression);
    if (
      node.elseStatement === undefined && isGuardBranch(node.thenStatement)
    ) {
      // `{}` rather than nothing: the `if` may be an `else if` branch.
      this.#add("drop-guard", node.getStart(this.#source), node.end, "{}");
    }
  }

  #negate(condition: ts.Expression) {
    const start = condition.getStart(this.#source);
    const original = this.#text.slice(start, condition.end);
    this.#add("negate", start, condition.end, `!(${original})`);
  }

  #earlyReturns(fn: FunctionWithBody) {
    const body = fn.body;
    const open = body.getStart(this.#source);
    const returned = returnsOf(body);
    const declared = fn.type?.getText(this.#source).replace(/\s+/g, "");
    const insert = (statement: string) =>
      this.#add("early-return", open, open + 1, `{ ${statement}`);
    if (declared === "boolean") {
      insert("return true;");
      insert("return false;");
    } else if (
      !fn.asteriskToken && !returned.withValue &&
      (declared === undefined || declared === "void" ||
        declared === "Promise<void>")
    ) {
      insert("return;");
    }
  }

  #dropEntries(array: ts.ArrayLiteralExpression) {
    const elements = array.elements;
    elements.forEach((element, i) => {
      const next = elements[i + 1];
      const previous = elements[i - 1];
      const start = element.getStart(this.#source);
      if (next !== undefined) {
        // The entry, its comma and the space up to the next entry.
        this.#add("drop-entry", start, next.getStart(this.#source), "");
      } else if (previous !== undefined) {
        this.#add("drop-entry", previous.end, element.end, "");
      } else {
        this.#add("drop-entry", start, element.end, "");
      }
    });
  }

  #numbers(literal: ts.NumericLiteral) {
    const value = Number(literal.text);
    if (!Number.isFinite(value)) return;
    const start = literal.getStart(this.#source);
    // `#add` drops a change to the same value (0 * 2) and repeats (0 → 1).
    for (const changed of [value + 1, value * 2, value === 0 ? 1 : 0]) {
      if (Number.isFinite(changed)) {
        this.#add("number", start, literal.end, String(changed));
      }
    }
  }

  #strings(node: ts.StringLiteral | ts.NoSubstitutionTemplateLiteral) {
    const start = node.getStart(this.#source);
    const quote = this.#text[start]!;
    const body = this.#text.slice(start + 1, node.end - 1);
    // Only literals without escapes: the edit must drop one real character.
    if (body.includes("\\")) return;
    this.#add("string", start, node.end, quote + body.slice(1) + quote);
    this.#add("string", start, node.end, quote + body.slice(0, -1) + quote);
  }
}

/** The collected edits as mutants, with ids stable under edits elsewhere. */
function toMutants(
  file: string,
  source: ts.SourceFile,
  text: string,
  edits: Edit[],
): GeneratedMutant[] {
  const occurrences = new Map<string, number>();
  return edits
    .sort((a, b) => a.start - b.start || a.end - b.end)
    .map((edit) => {
      const original = text.slice(edit.start, edit.end);
      // The lines the edit spans: its context, unchanged by edits elsewhere
      // in the file.
      const from = text.lastIndexOf("\n", edit.start - 1) + 1;
      const to = text.indexOf("\n", edit.end);
      const key = [
        edit.kind,
        text.slice(from, to === -1 ? text.length : to).trim(),
        edit.start - from,
        original,
        edit.replacement,
      ].join("\0");
      const occurrence = occurrences.get(key) ?? 0;
      occurrences.set(key, occurrence + 1);
      const position = source.getLineAndCharacterOfPosition(edit.start);
      const line = position.line + 1;
      const column = position.character + 1;
      return {
        id: `${file}#${hash(`${key}\0${occurrence}`)}`,
        file,
        kind: edit.kind,
        start: edit.start,
        original,
        replacement: edit.replacement,
        line,
        column,
        description: `${line}:${column} ${edit.kind}: ${
          oneLine(original) || "(nothing)"
        } → ${oneLine(edit.replacement) || "(nothing)"}`,
      };
    });
}

/**
 * Applies one generated mutant to the text it was generated from.
 *
 * @returns the mutated text, or undefined when the text at the position is
 *   no longer the mutant's original (the file changed)
 */
export function applyMutant(
  text: string,
  mutant: Pick<GeneratedMutant, "start" | "original" | "replacement">,
): string | undefined {
  const end = mutant.start + mutant.original.length;
  if (text.slice(mutant.start, end) !== mutant.original) return undefined;
  return text.slice(0, mutant.start) + mutant.replacement + text.slice(end);
}

/**
 * A seeded sample: the same seed and the same mutants give the same
 * sample, in the same order.
 *
 * @param mutants all the candidates, in a fixed order
 * @param seed any integer
 * @param size how many to take (all when larger than the list)
 * @returns the sample, in the order drawn
 */
export function sampleMutants<T>(
  mutants: T[],
  seed: number,
  size: number,
): T[] {
  const random = mulberry32(seed);
  const pool = [...mutants];
  // Fisher-Yates, stopped after `size` draws.
  const count = Math.min(size, pool.length);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, count);
}

/** A small, well-known 32-bit seeded generator. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type FunctionWithBody =
  & (
    | ts.FunctionDeclaration
    | ts.FunctionExpression
    | ts.MethodDeclaration
    | ts.ArrowFunction
  )
  & { body: ts.Block };

function isFunctionWithBody(node: ts.Node): node is FunctionWithBody {
  return (ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) ||
    ts.isMethodDeclaration(node) || ts.isArrowFunction(node)) &&
    node.body !== undefined && ts.isBlock(node.body);
}

/** Whether a body returns a value anywhere (nested functions not counted). */
function returnsOf(body: ts.Block): { withValue: boolean } {
  let withValue = false;
  const visit = (node: ts.Node): void => {
    if (withValue || isFunctionLike(node)) return;
    if (ts.isReturnStatement(node) && node.expression !== undefined) {
      withValue = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(body, visit);
  return { withValue };
}

function isFunctionLike(node: ts.Node): boolean {
  return ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) || ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) || ts.isGetAccessor(node) ||
    ts.isSetAccessor(node) || ts.isClassDeclaration(node) ||
    ts.isClassExpression(node);
}

/** A branch that only leaves: `return …`, `throw …`, `continue`, `break`. */
function isGuardBranch(statement: ts.Statement): boolean {
  const leaves = (s: ts.Statement) =>
    ts.isReturnStatement(s) || ts.isThrowStatement(s) ||
    ts.isContinueStatement(s) || ts.isBreakStatement(s);
  if (ts.isBlock(statement)) {
    return statement.statements.length === 1 &&
      leaves(statement.statements[0]!);
  }
  return leaves(statement);
}

/** Literals, negative numbers and arrays of them: the entries of a table. */
function isLiteralEntry(node: ts.Expression): boolean {
  if (
    ts.isStringLiteral(node) || ts.isNumericLiteral(node) ||
    ts.isNoSubstitutionTemplateLiteral(node)
  ) return true;
  if (
    ts.isPrefixUnaryExpression(node) &&
    node.operator === ts.SyntaxKind.MinusToken
  ) return ts.isNumericLiteral(node.operand);
  if (ts.isArrayLiteralExpression(node)) {
    return node.elements.every(isLiteralEntry);
  }
  return false;
}

/** Nodes (and their subtrees) never mutated: types, imports, `declare`. */
function skipped(node: ts.Node): boolean {
  if (
    ts.isTypeNode(node) || ts.isImportDeclaration(node) ||
    ts.isExportDeclaration(node) || ts.isInterfaceDeclaration(node) ||
    ts.isTypeAliasDeclaration(node) || ts.isModuleDeclaration(node) ||
    ts.isImportEqualsDeclaration(node)
  ) return true;
  if (
    ts.isCallExpression(node) &&
    node.expression.kind === ts.SyntaxKind.ImportKeyword
  ) return true;
  return ts.canHaveModifiers(node) &&
    (ts.getModifiers(node) ?? []).some((modifier) =>
      modifier.kind === ts.SyntaxKind.DeclareKeyword
    );
}

/**
 * Whether a string is a message: inside a `throw`, an argument of
 * `new …Error(…)`, of a `log`/`console` method call, or of `fail(…)` (a
 * function or method that raises an error with it).
 */
function isMessage(node: ts.Node): boolean {
  for (let at = node.parent; at !== undefined; at = at.parent) {
    if (ts.isThrowStatement(at)) return true;
    if (
      ts.isNewExpression(at) && ts.isIdentifier(at.expression) &&
      at.expression.text.endsWith("Error")
    ) return true;
    if (
      ts.isCallExpression(at) && ts.isPropertyAccessExpression(at.expression) &&
      // `this.#warn(…)` is a log call too.
      MESSAGE_CALLS.has(at.expression.name.text.replace(/^#/, ""))
    ) return true;
    if (
      ts.isCallExpression(at) && ts.isIdentifier(at.expression) &&
      at.expression.text === "fail"
    ) return true;
    if (ts.isStatement(at) || isFunctionLike(at)) return false;
  }
  return false;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 60 ? `${flat.slice(0, 57)}...` : flat;
}

/** cyrb53: a fast 53-bit string hash, as 14 hex digits (enough per file). */
function hash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^
    Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^
    Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const value = 4294967296 * (2097151 & h2) + (h1 >>> 0);
  return value.toString(16).padStart(14, "0").slice(-10);
}
