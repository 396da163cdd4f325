/**
 * The resolved form of a shape, the problem record the loader reports, and
 * the naming rules shapes follow.
 *
 * @module
 */

import type { FieldSpec } from "./field_type.ts";

/** A relation: a key whose nested object becomes a child node linked by that label. */
export interface RelationSpec {
  /** The child's shape. It exists in the registry unless its own file is broken. */
  shape: string;
  /** True for `shape[]`: the key holds a list of children. */
  list: boolean;
  /** What the relation means, when the shape says. */
  description?: string;
}

/** A shape with its inheritance resolved: what `ShapeRegistry.get()` returns. Frozen. */
export interface Shape {
  /** The shape's name: its file name and its one top-level key. */
  name: string;
  /** The plural, for lists and UIs (`people`); defaults to the name plus "s". */
  plural: string;
  /** One sentence on what the shape is; empty when the file gives none. */
  description: string;
  /** Direct parents, as written in `also`. */
  also: string[];
  /** The transitive closure of `also`, nearest first, without the shape itself. */
  ancestors: string[];
  /** Own, inherited and standard fields; a nearer declaration wins. */
  fields: Record<string, FieldSpec>;
  /** Compound identity keys (all must match); inherited with `identityAny` as a pair. */
  identity: string[];
  /** Alternative identity keys (any one matches, tried in order). */
  identityAny: string[];
  /** Own and inherited relations, keyed by edge label; a nearer declaration wins. */
  relations: Record<string, RelationSpec>;
  /** Display hints (`title`, `subtitle`, `date`, `image`, ...), inherited key by key. */
  display: Record<string, unknown>;
  /**
   * False when records of this shape are for the caller only: a tool that
   * returns it writes nothing to the graph, and that is not a warning
   * (`void`). Inherited; true unless a file says otherwise.
   */
  remember: boolean;
  /**
   * Keys a skill's import may change even when the owner wrote them (the
   * source is the truth for them: an order's status, an account balance).
   * Every other key the owner wrote is kept. Inherited.
   */
  authoritative: string[];
  /** The file the shape came from. */
  file: string;
}

/** Why a shape file or a shape did not load, and where. */
export interface ShapeProblem {
  /** The file (or directory) at fault. */
  file: string;
  /** 1-based line of the offending YAML node (1 for whole-file problems). */
  line: number;
  /** 1-based column of the offending YAML node (1 for whole-file problems). */
  column: number;
  /** The shape concerned, when known. */
  shape?: string;
  /** Sentence-case reason quoting the offending value. */
  reason: string;
}

/** Shape names: lowercase snake_case, starting with a letter. */
export const SHAPE_NAME_PATTERN: RegExp = /^[a-z][a-z0-9_]*$/;

/** Field keys: camelCase, starting with a lowercase letter. */
export const FIELD_KEY_PATTERN: RegExp = /^[a-z][a-zA-Z0-9]*$/;

/** Relation keys (edge labels): lowercase snake_case, starting with a letter. */
export const RELATION_KEY_PATTERN: RegExp = /^[a-z][a-z0-9_]*$/;

/**
 * The default plural of a shape name: `activity` → `activities`,
 * `address` → `addresses`, `note` → `notes`.
 *
 * @param name A shape name.
 * @returns The English plural by the regular rules.
 */
export function defaultPlural(name: string): string {
  if (/[^aeiou]y$/.test(name)) return `${name.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(name)) return `${name}es`;
  return `${name}s`;
}
