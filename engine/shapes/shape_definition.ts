/**
 * Parses and checks one shape file on its own: the YAML, the one top-level
 * key, field types, enum values, relation syntax and naming rules. What needs
 * the other shapes (inheritance, relation targets, inherited identity keys) is
 * checked by `ShapeRegistry`.
 *
 * @module
 */

import { isMap, isScalar, LineCounter, type Node, parseDocument } from "yaml";
import type { FieldSpec } from "./field_type.ts";
import {
  defaultPlural,
  type RelationSpec,
  SHAPE_NAME_PATTERN,
  type ShapeProblem,
} from "./shape.ts";
import { readField } from "./_read_field.ts";
import { readRelation } from "./_read_relation.ts";
import {
  describe,
  type Located,
  type Position,
  YamlReader,
} from "./_yaml_reader.ts";

/** One shape as written in its file, before inheritance is resolved. */
export interface ShapeDefinition {
  name: string;
  file: string;
  /** Where the top-level key is. */
  at: Position;
  description: string;
  plural: string;
  also: Located<string>[];
  /** `undefined` when the file does not declare it (so it may be inherited). */
  identity?: Located<string>[];
  /** `undefined` when the file does not declare it (so it may be inherited). */
  identityAny?: Located<string>[];
  fields: Record<string, FieldSpec>;
  relations: Record<string, Located<RelationSpec>>;
  display: Record<string, unknown>;
  /** Where each display hint that names a key (`title: handle`) is written. */
  displayRefs: Located<string>[];
  /** `undefined` when the file does not declare it (so it may be inherited). */
  remember?: boolean;
  /** `undefined` when the file does not declare it (so it may be inherited). */
  authoritative?: Located<string>[];
}

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

const SHAPE_KEYS = [
  "description",
  "plural",
  "also",
  "identity",
  "identity_any",
  "fields",
  "relations",
  "display",
  "remember",
  "authoritative",
];
// Accepted for compatibility with AgentOS shape files: `icon`, `subtitle` and
// `groups` are display hints; `prior_art` is documentation and is dropped.
const COMPAT_DISPLAY_KEYS = ["icon", "subtitle", "groups"];
const IGNORED_KEYS = ["prior_art"];
const DISPLAY_REF_KEYS = ["title", "subtitle", "date", "image"];

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
  const error = doc.errors[0];
  if (error !== undefined) {
    // Only the first: after a syntax error the parser reports every later
    // token as unexpected, which says nothing more.
    const { line, col } = lines.linePos(error.pos[0]);
    r.problems.push(
      r.problemAt(
        { line, column: col },
        `Invalid YAML: ${error.message}${listTypeHint(text, line)}`,
      ),
    );
    return { name: options.expectedName, problems: r.problems };
  }
  const root = r.resolve(doc.contents as Node | null);
  if (!isMap(root)) {
    r.report(
      root,
      `Expected a mapping with one shape name as its key, found ${
        describe(root)
      }`,
    );
    return { name: options.expectedName, problems: r.problems };
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
    return { name: options.expectedName, problems: r.problems };
  }
  const { key: name, keyNode, value: body } = top[0]!;
  r.shape = name;
  if (!SHAPE_NAME_PATTERN.test(name)) {
    r.report(
      keyNode,
      `Invalid shape name "${name}": use lowercase letters, digits and _`,
    );
  } else if (
    options.expectedName !== undefined && name !== options.expectedName
  ) {
    r.report(keyNode, `Shape "${name}" must be in a file named "${name}.yaml"`);
  }
  const definition = readBody(r, name, file, r.at(keyNode), body);
  const ok = r.problems.length === 0 && definition !== undefined;
  return {
    name,
    definition: ok ? definition : undefined,
    problems: r.problems,
  };
}

function readBody(
  r: YamlReader,
  name: string,
  file: string,
  at: Position,
  body: Node | null,
): ShapeDefinition | undefined {
  const entries = r.entries(body, `shape "${name}"`);
  if (entries === undefined) return undefined;
  const def: ShapeDefinition = {
    name,
    file,
    at,
    description: "",
    plural: defaultPlural(name),
    also: [],
    fields: {},
    relations: {},
    display: {},
    displayRefs: [],
  };
  const compat: Record<string, unknown> = {};
  for (const { key, keyNode, value } of entries) {
    switch (key) {
      case "description":
        def.description =
          r.string(value, `the description of shape "${name}"`) ?? "";
        break;
      case "plural":
        def.plural = r.string(value, `the plural of shape "${name}"`) ??
          def.plural;
        break;
      case "also":
        def.also = readShapeNames(r, value, `"also" of shape "${name}"`);
        break;
      case "identity":
        def.identity = readKeyList(r, value, `"identity" of shape "${name}"`);
        break;
      case "identity_any":
        def.identityAny = readKeyList(
          r,
          value,
          `"identity_any" of shape "${name}"`,
        );
        break;
      case "fields":
        for (
          const e of r.entries(value, `the fields of shape "${name}"`) ?? []
        ) {
          const spec = readField(r, e.key, e.keyNode, e.value);
          if (spec !== undefined) def.fields[e.key] = spec;
        }
        break;
      case "relations":
        for (
          const e of r.entries(value, `the relations of shape "${name}"`) ?? []
        ) {
          const spec = readRelation(r, e.key, e.keyNode, e.value);
          if (spec !== undefined) def.relations[e.key] = spec;
        }
        break;
      case "display":
        for (
          const e of r.entries(value, `the display of shape "${name}"`) ?? []
        ) {
          def.display[e.key] = r.toJS(e.value);
          const v = e.value;
          if (
            DISPLAY_REF_KEYS.includes(e.key) && isScalar(v) &&
            typeof v.value === "string"
          ) {
            def.displayRefs.push({ value: v.value, ...r.at(v) });
          }
        }
        break;
      case "authoritative":
        def.authoritative = readKeyList(
          r,
          value,
          `"authoritative" of shape "${name}"`,
        );
        break;
      case "remember": {
        const v = r.toJS(value);
        if (typeof v === "boolean") def.remember = v;
        else {
          r.report(
            value ?? keyNode,
            `"remember" of shape "${name}" must be true or false, found ${
              JSON.stringify(v)
            }`,
          );
        }
        break;
      }
      default:
        if (COMPAT_DISPLAY_KEYS.includes(key)) compat[key] = r.toJS(value);
        else if (!IGNORED_KEYS.includes(key)) {
          r.report(
            keyNode,
            `Unknown key "${key}" in shape "${name}"; expected one of ${
              SHAPE_KEYS.join(", ")
            }`,
          );
        }
    }
  }
  def.display = { ...compat, ...def.display };
  if (
    def.identity !== undefined && def.identityAny !== undefined &&
    def.identity.length > 0
  ) {
    const first = def.identityAny[0];
    if (first !== undefined) {
      r.problems.push(r.problemAt(
        first,
        `Shape "${name}" declares both identity and identity_any; keep one`,
      ));
    }
  }
  for (const [key, rel] of Object.entries(def.relations)) {
    if (key in def.fields) {
      r.problems.push(
        r.problemAt(
          rel,
          `Key "${key}" of shape "${name}" is both a field and a relation`,
        ),
      );
    }
  }
  return def;
}

function readShapeNames(
  r: YamlReader,
  node: Node | null,
  what: string,
): Located<string>[] {
  const names = r.stringList(node, what) ?? [];
  for (const n of names) {
    if (!SHAPE_NAME_PATTERN.test(n.value)) {
      r.problems.push(
        r.problemAt(n, `Invalid shape name "${n.value}" in ${what}`),
      );
    }
  }
  return names;
}

function readKeyList(
  r: YamlReader,
  node: Node | null,
  what: string,
): Located<string>[] {
  const keys = r.stringList(node, what) ?? [];
  const seen = new Set<string>();
  for (const k of keys) {
    if (seen.has(k.value)) {
      r.problems.push(r.problemAt(k, `Key "${k.value}" repeats in ${what}`));
    }
    seen.add(k.value);
  }
  return keys;
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
