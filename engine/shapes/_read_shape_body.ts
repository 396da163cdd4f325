/**
 * Reads the body of one shape (what is written under its name): one small
 * reader per section — description, plural, also, identity, identity_any,
 * fields, relations, display, remember, authoritative — then the checks
 * that span sections. Private to `engine/shapes/`.
 *
 * @module
 */

import { isScalar, type Node } from "yaml";
import type { FieldSpec } from "./field_type.ts";
import {
  defaultPlural,
  type RelationSpec,
  SHAPE_NAME_PATTERN,
} from "./shape.ts";
import { readField } from "./_read_field.ts";
import { readRelation } from "./_read_relation.ts";
import type { Located, Position, YamlReader } from "./_yaml_reader.ts";

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

/** The shape being read, as each section reader sees it. */
interface Body {
  r: YamlReader;
  name: string;
  def: ShapeDefinition;
  /** Display hints written outside `display` (older shape files). */
  compat: Record<string, unknown>;
}

/** Reads one section's value into the definition, reporting its problems. */
type SectionReader = (body: Body, value: Node | null, keyNode: Node) => void;

/** The sections of a shape, in the order the unknown-key message names them. */
const SECTIONS = new Map<string, SectionReader>([
  ["description", readDescription],
  ["plural", readPlural],
  ["also", ({ r, name, def }, value) => {
    def.also = readShapeNames(r, value, `"also" of shape "${name}"`);
  }],
  ["identity", ({ r, name, def }, value) => {
    def.identity = readKeyList(r, value, `"identity" of shape "${name}"`);
  }],
  ["identity_any", ({ r, name, def }, value) => {
    def.identityAny = readKeyList(
      r,
      value,
      `"identity_any" of shape "${name}"`,
    );
  }],
  ["fields", readFields],
  ["relations", readRelations],
  ["display", readDisplay],
  ["remember", readRemember],
  ["authoritative", ({ r, name, def }, value) => {
    def.authoritative = readKeyList(
      r,
      value,
      `"authoritative" of shape "${name}"`,
    );
  }],
]);
const SHAPE_KEYS = [...SECTIONS.keys()];
// Accepted for compatibility with AgentOS shape files: `icon`, `subtitle` and
// `groups` are display hints; `prior_art` is documentation and is dropped.
const COMPAT_DISPLAY_KEYS = ["icon", "subtitle", "groups"];
const IGNORED_KEYS = ["prior_art"];
const DISPLAY_REF_KEYS = ["title", "subtitle", "date", "image"];

/**
 * Reads a shape's body section by section, then checks what spans sections.
 *
 * @param r The reader of the shape file (collects the problems).
 * @param name The shape's name.
 * @param file The file path.
 * @param at Where the shape's name is written.
 * @param node The body.
 * @returns The definition, or `undefined` when the body is not a mapping.
 */
export function readBody(
  r: YamlReader,
  name: string,
  file: string,
  at: Position,
  node: Node | null,
): ShapeDefinition | undefined {
  const entries = r.entries(node, `shape "${name}"`);
  if (entries === undefined) return undefined;
  const body: Body = {
    r,
    name,
    def: emptyDefinition(name, file, at),
    compat: {},
  };
  for (const { key, keyNode, value } of entries) {
    readSection(body, key, keyNode, value);
  }
  const { def, compat } = body;
  def.display = { ...compat, ...def.display };
  checkOneIdentityKind(r, def);
  checkFieldsAreNotRelations(r, def);
  return def;
}

function emptyDefinition(
  name: string,
  file: string,
  at: Position,
): ShapeDefinition {
  return {
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
}

function readSection(
  body: Body,
  key: string,
  keyNode: Node,
  value: Node | null,
): void {
  const read = SECTIONS.get(key);
  if (read !== undefined) read(body, value, keyNode);
  else if (COMPAT_DISPLAY_KEYS.includes(key)) {
    body.compat[key] = body.r.toJS(value);
  } else if (!IGNORED_KEYS.includes(key)) {
    body.r.report(
      keyNode,
      `Unknown key "${key}" in shape "${body.name}"; expected one of ${
        SHAPE_KEYS.join(", ")
      }`,
    );
  }
}

function readDescription({ r, name, def }: Body, value: Node | null): void {
  def.description = r.string(value, `the description of shape "${name}"`) ??
    "";
}

function readPlural({ r, name, def }: Body, value: Node | null): void {
  def.plural = r.string(value, `the plural of shape "${name}"`) ?? def.plural;
}

function readFields({ r, name, def }: Body, value: Node | null): void {
  for (const e of r.entries(value, `the fields of shape "${name}"`) ?? []) {
    const spec = readField(r, e.key, e.keyNode, e.value);
    if (spec !== undefined) def.fields[e.key] = spec;
  }
}

function readRelations({ r, name, def }: Body, value: Node | null): void {
  for (const e of r.entries(value, `the relations of shape "${name}"`) ?? []) {
    const spec = readRelation(r, e.key, e.keyNode, e.value);
    if (spec !== undefined) def.relations[e.key] = spec;
  }
}

/** Display hints as written; those that name a key are kept with their place. */
function readDisplay({ r, name, def }: Body, value: Node | null): void {
  for (const e of r.entries(value, `the display of shape "${name}"`) ?? []) {
    def.display[e.key] = r.toJS(e.value);
    const v = e.value;
    if (
      DISPLAY_REF_KEYS.includes(e.key) && isScalar(v) &&
      typeof v.value === "string"
    ) {
      def.displayRefs.push({ value: v.value, ...r.at(v) });
    }
  }
}

function readRemember(
  { r, name, def }: Body,
  value: Node | null,
  keyNode: Node,
): void {
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

/** `identity` (every key) and `identity_any` (one key) exclude each other. */
function checkOneIdentityKind(r: YamlReader, def: ShapeDefinition): void {
  if (
    def.identity !== undefined && def.identityAny !== undefined &&
    def.identity.length > 0
  ) {
    const first = def.identityAny[0];
    if (first !== undefined) {
      r.problems.push(r.problemAt(
        first,
        `Shape "${def.name}" declares both identity and identity_any; keep one`,
      ));
    }
  }
}

function checkFieldsAreNotRelations(r: YamlReader, def: ShapeDefinition): void {
  for (const [key, rel] of Object.entries(def.relations)) {
    if (key in def.fields) {
      r.problems.push(
        r.problemAt(
          rel,
          `Key "${key}" of shape "${def.name}" is both a field and a relation`,
        ),
      );
    }
  }
}
