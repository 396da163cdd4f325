/**
 * Reads a parsed YAML document node by node, recording a positioned
 * {@link ShapeProblem} for every node that is not what the shape format
 * expects. Private to `engine/shapes/`.
 *
 * @module
 */

import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
} from "yaml";
import type { ShapeProblem } from "./shape.ts";

/** A 1-based source position. */
export interface Position {
  line: number;
  column: number;
}

/** A value together with where it was written. */
export interface Located<T> extends Position {
  value: T;
}

/** One `key: value` entry of a YAML mapping with a string key. */
export interface Entry {
  key: string;
  keyNode: Node;
  value: Node | null;
}

/** Walks one YAML document of one file and collects problems. */
export class YamlReader {
  readonly problems: ShapeProblem[] = [];
  /** The shape the following problems concern, once known. */
  shape: string | undefined;
  #file: string;
  #doc: Document;
  #lines: LineCounter;

  /**
   * @param file The file path, for problems.
   * @param doc The parsed document (with a `lineCounter`).
   * @param lines The line counter the document was parsed with.
   */
  constructor(file: string, doc: Document, lines: LineCounter) {
    this.#file = file;
    this.#doc = doc;
    this.#lines = lines;
  }

  /** The 1-based position where `node` starts (1:1 when unknown). */
  at(node: Node | null | undefined): Position {
    const offset = node?.range?.[0];
    if (offset === undefined) return { line: 1, column: 1 };
    const { line, col } = this.#lines.linePos(offset);
    return { line, column: col };
  }

  /** Records a problem at `node`. */
  report(node: Node | null | undefined, reason: string): void {
    this.problems.push(this.problemAt(this.at(node), reason));
  }

  /** Builds a problem for this file at a given position. */
  problemAt(pos: Position, reason: string): ShapeProblem {
    const problem: ShapeProblem = { file: this.#file, ...pos, reason };
    if (this.shape !== undefined) problem.shape = this.shape;
    return problem;
  }

  /** Follows an alias to the node it names. */
  resolve(node: Node | null): Node | null {
    if (node !== null && isAlias(node)) {
      return (node.resolve(this.#doc) as Node | undefined) ?? null;
    }
    return node;
  }

  /** True when the node is absent or an explicit YAML null. */
  isNull(node: Node | null): boolean {
    const n = this.resolve(node);
    return n === null || (isScalar(n) && n.value === null);
  }

  /**
   * The entries of a mapping, or `undefined` (with a problem) when `node` is
   * not a mapping. A YAML null counts as an empty mapping.
   */
  entries(node: Node | null, what: string): Entry[] | undefined {
    const n = this.resolve(node);
    if (this.isNull(n)) return [];
    if (!isMap(n)) {
      this.report(n, `Expected a mapping for ${what}, found ${describe(n)}`);
      return undefined;
    }
    const out: Entry[] = [];
    for (const pair of n.items) {
      const keyNode = pair.key as Node;
      const key = isScalar(keyNode) ? keyNode.value : undefined;
      if (typeof key !== "string") {
        this.report(
          keyNode,
          `Expected a string key in ${what}, found ${describe(keyNode)}`,
        );
        continue;
      }
      out.push({
        key,
        keyNode,
        value: this.resolve(pair.value as Node | null),
      });
    }
    return out;
  }

  /** A string scalar, or `undefined` (with a problem) when `node` is anything else. */
  string(node: Node | null, what: string): string | undefined {
    const n = this.resolve(node);
    if (isScalar(n) && typeof n.value === "string") return n.value;
    this.report(n, `Expected a string for ${what}, found ${describe(n)}`);
    return undefined;
  }

  /**
   * A list of strings, written as a sequence or as one string; null is empty.
   * Returns `undefined` (with problems) when any item is not a string.
   */
  stringList(node: Node | null, what: string): Located<string>[] | undefined {
    const n = this.resolve(node);
    if (this.isNull(n)) return [];
    const items = isSeq(n)
      ? n.items.map((item) => this.resolve(item as Node))
      : [n];
    const out: Located<string>[] = [];
    let ok = true;
    for (const item of items) {
      if (isScalar(item) && typeof item.value === "string") {
        out.push({ value: item.value, ...this.at(item) });
      } else {
        this.report(
          item,
          `Expected a string in ${what}, found ${describe(item)}`,
        );
        ok = false;
      }
    }
    return ok ? out : undefined;
  }

  /** Converts a node to plain data (aliases expanded, with a cap on expansion). */
  toJS(node: Node | null): unknown {
    const n = this.resolve(node);
    return n === null ? null : n.toJS(this.#doc, { maxAliasCount: 100 });
  }
}

/** Describes a node for a problem message: `a sequence`, `the number 3`, `"abc"`. */
export function describe(node: Node | null): string {
  if (node === null) return "nothing";
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a sequence";
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return "null";
    if (typeof v === "string") return `"${v}"`;
    return `${typeof v} ${String(v)}`;
  }
  return "an unsupported node";
}
