/**
 * Parses and checks one shape file on its own: the YAML, the one top-level
 * key, field types, enum values, relation syntax and naming rules. What needs
 * the other shapes (inheritance, relation targets, inherited identity keys) is
 * checked by `ShapeRegistry`.
 *
 * @module
 */

import {
  type Document,
  isMap,
  LineCounter,
  type Node,
  parseDocument,
} from "yaml";
import { SHAPE_NAME_PATTERN, type ShapeProblem } from "./shape.ts";
import { readBody, type ShapeDefinition } from "./_read_shape_body.ts";
import { describe, type Entry, YamlReader } from "./_yaml_reader.ts";

export type { ShapeDefinition } from "./_read_shape_body.ts";

/** The outcome of {@link parseShapeDefinition}. */
export interface ParsedShapeFile {
  /** The shape name, when the file got that far. */
  name?: string;
  /** The definition, present only when there are no problems. */
  definition?: ShapeDefinition;
  problems: ShapeProblem[];
}

/** Options of {@link parseShapeDefinition}. */
export interface ParseShapeOptions {
  /** The name the file name implies; a different top-level key is a problem. */
  expectedName?: string;
}

/**
 * Parses one shape file and checks everything that does not need the other
 * shapes.
 *
 * @param file The file path, for problems.
 * @param text The file's YAML text.
 * @param options The expected shape name, if any.
 * @returns The definition when the file is sound, and every problem found,
 *   each with a 1-based line and column.
 */
export function parseShapeDefinition(
  file: string,
  text: string,
  options: ParseShapeOptions = {},
): ParsedShapeFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
  });
  const r = new YamlReader(file, doc, lines);
  r.shape = options.expectedName;
  const top = syntaxIsSound(r, doc, lines, text)
    ? readTopKey(r, doc)
    : undefined;
  if (top === undefined) {
    return { name: options.expectedName, problems: r.problems };
  }
  const { key: name, keyNode, value: body } = top;
  r.shape = name;
  checkShapeName(r, name, keyNode, options.expectedName);
  const definition = readBody(r, name, file, r.at(keyNode), body);
  const ok = r.problems.length === 0 && definition !== undefined;
  return {
    name,
    definition: ok ? definition : undefined,
    problems: r.problems,
  };
}

/** Reports the first YAML syntax error, if any. */
function syntaxIsSound(
  r: YamlReader,
  doc: Document,
  lines: LineCounter,
  text: string,
): boolean {
  const error = doc.errors[0];
  if (error === undefined) return true;
  // Only the first: after a syntax error the parser reports every later
  // token as unexpected, which says nothing more.
  const { line, col } = lines.linePos(error.pos[0]);
  r.problems.push(
    r.problemAt(
      { line, column: col },
      `Invalid YAML: ${error.message}${listTypeHint(text, line)}`,
    ),
  );
  return false;
}

/** The file's one top-level entry: the shape's name and its body. */
function readTopKey(r: YamlReader, doc: Document): Entry | undefined {
  const root = r.resolve(doc.contents as Node | null);
  if (!isMap(root)) {
    r.report(
      root,
      `Expected a mapping with one shape name as its key, found ${
        describe(root)
      }`,
    );
    return undefined;
  }
  const top = r.entries(root, "the file") ?? [];
  if (top.length !== 1) {
    const names = top.map((e) => `"${e.key}"`).join(", ");
    r.report(
      top[1]?.keyNode ?? root,
      top.length === 0
        ? "Expected one top-level key naming the shape, found none"
        : `Expected one top-level key naming the shape, found ${top.length}: ${names}`,
    );
    return undefined;
  }
  return top[0];
}

function checkShapeName(
  r: YamlReader,
  name: string,
  keyNode: Node,
  expectedName: string | undefined,
): void {
  if (!SHAPE_NAME_PATTERN.test(name)) {
    r.report(
      keyNode,
      `Invalid shape name "${name}": use lowercase letters, digits and _`,
    );
  } else if (expectedName !== undefined && name !== expectedName) {
    r.report(keyNode, `Shape "${name}" must be in a file named "${name}.yaml"`);
  }
}

/**
 * `{ type: string[] }` is a YAML syntax error (`[` opens a sequence inside
 * braces), and an easy one to write: name the fix.
 */
function listTypeHint(text: string, line: number): string {
  const source = text.split("\n")[line - 1] ?? "";
  const m = /\{[^}]*?([a-z_]+\[\])/.exec(source);
  return m ? `; inside { } write "${m[1]}" in quotes` : "";
}
