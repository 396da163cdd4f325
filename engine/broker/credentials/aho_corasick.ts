/**
 * A multi-pattern automaton (Aho–Corasick): finds every occurrence of any
 * of many patterns in one pass over a text, in time linear in the text
 * plus the matches, whatever the text. Matching ignores case (ASCII, and
 * the upper case of any other character a pattern holds).
 *
 * The trie is stored in typed arrays: the root's transitions dense by
 * character class, every other node's children in one open-addressing
 * hash table keyed by (node, class), with failure and output links.
 *
 * @module
 */

/** Called for each match: the pattern's index and where it ends (exclusive). */
export type OnMatch = (pattern: number, end: number) => void;

/**
 * The automaton for a fixed list of patterns.
 */
export class AhoCorasick {
  /** Pattern lengths, by pattern index. */
  readonly lengths: Int32Array;
  /** Number of trie nodes (a measure of the automaton's size). */
  readonly nodes: number;
  #classOf: Uint16Array;
  #rootNext: Int32Array;
  #classes: number;
  /** Hash table of child edges: key node * classes + class, or -1. */
  #edgeKeys: Int32Array;
  #edgeTargets: Int32Array;
  #edgeMask: number;
  #edgeShift: number;
  /** Each node's class on the edge into it, and its parent (for linking). */
  #label: Uint16Array;
  #parent: Int32Array;
  #fail: Int32Array;
  /** Pattern ending at this node, or -1. */
  #ends: Int32Array;
  /** The nearest node on the failure chain that ends a pattern, or -1. */
  #outLink: Int32Array;

  /** @param patterns the patterns, in lower case, none empty */
  constructor(patterns: string[]) {
    this.lengths = Int32Array.from(patterns, (p) => p.length);
    const { classOf, count } = classesOf(patterns);
    this.#classOf = classOf;
    this.#classes = count;
    const size = patterns.reduce((n, p) => n + p.length, 1);
    let slots = 1024;
    while (slots < 2 * size) slots *= 2;
    this.#edgeKeys = new Int32Array(slots).fill(-1);
    this.#edgeTargets = new Int32Array(slots);
    this.#edgeMask = slots - 1;
    this.#edgeShift = 32 - Math.log2(slots);
    this.#label = new Uint16Array(size);
    this.#parent = new Int32Array(size);
    this.#ends = new Int32Array(size).fill(-1);
    this.#rootNext = new Int32Array(this.#classes).fill(0);
    this.nodes = this.#buildTrie(patterns);
    this.#fail = new Int32Array(this.nodes);
    this.#outLink = new Int32Array(this.nodes).fill(-1);
    this.#link();
  }

  /**
   * Reports every occurrence of every pattern in `text`.
   *
   * @param text any text
   * @param onMatch called per match, in order of end position
   */
  scan(text: string, onMatch: OnMatch): void {
    // The hot loop: fields in locals, the edge lookup inlined.
    const classOf = this.#classOf, rootNext = this.#rootNext;
    const keys = this.#edgeKeys, targets = this.#edgeTargets;
    const mask = this.#edgeMask, shift = this.#edgeShift;
    const classes = this.#classes, fail = this.#fail;
    const ends = this.#ends, out = this.#outLink;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      const c = classOf[text.charCodeAt(i)]!;
      if (c === 0) {
        state = 0;
        continue;
      }
      for (;;) {
        if (state === 0) {
          state = rootNext[c]!;
          break;
        }
        const key = state * classes + c;
        let slot = Math.imul(key, 0x9e3779b1) >>> shift;
        while (keys[slot] !== key && keys[slot] !== -1) {
          slot = (slot + 1) & mask;
        }
        if (keys[slot] === key) {
          state = targets[slot]!;
          break;
        }
        state = fail[state]!;
      }
      for (
        let n = ends[state]! >= 0 ? state : out[state]!;
        n >= 0;
        n = out[n]!
      ) {
        onMatch(ends[n]!, i + 1);
      }
    }
  }

  /**
   * Whether a text character matches a pattern character (lower case),
   * as the scan compares them.
   *
   * @param textCode a character code of the text
   * @param patternCode a character code of a pattern
   * @returns true when they match ignoring case
   */
  same(textCode: number, patternCode: number): boolean {
    if (textCode === patternCode) return true;
    if (textCode >= 65 && textCode <= 90) return textCode + 32 === patternCode;
    const c = this.#classOf[textCode]!;
    return c !== 0 && c === this.#classOf[patternCode];
  }

  /** The transition from `state` on class `c`, following failure links. */
  #next(state: number, c: number): number {
    for (;;) {
      if (state === 0) return this.#rootNext[c]!;
      const child = this.#child(state, c);
      if (child >= 0) return child;
      state = this.#fail[state]!;
    }
  }

  #child(node: number, c: number): number {
    if (node === 0) {
      const next = this.#rootNext[c]!;
      return next === 0 ? -1 : next;
    }
    const key = node * this.#classes + c;
    for (
      let slot = Math.imul(key, 0x9e3779b1) >>> this.#edgeShift;;
      slot = (slot + 1) & this.#edgeMask
    ) {
      const found = this.#edgeKeys[slot]!;
      if (found === key) return this.#edgeTargets[slot]!;
      if (found < 0) return -1;
    }
  }

  #addChild(node: number, c: number, child: number): void {
    this.#label[child] = c;
    this.#parent[child] = node;
    if (node === 0) {
      this.#rootNext[c] = child;
      return;
    }
    const key = node * this.#classes + c;
    let slot = Math.imul(key, 0x9e3779b1) >>> this.#edgeShift;
    while (this.#edgeKeys[slot]! >= 0) slot = (slot + 1) & this.#edgeMask;
    this.#edgeKeys[slot] = key;
    this.#edgeTargets[slot] = child;
  }

  #buildTrie(patterns: string[]): number {
    let count = 1;
    patterns.forEach((pattern, index) => {
      let node = 0;
      for (let i = 0; i < pattern.length; i++) {
        const c = this.#classOf[pattern.charCodeAt(i)]!;
        let child = this.#child(node, c);
        if (child < 0) this.#addChild(node, c, child = count++);
        node = child;
      }
      if (this.#ends[node]! < 0) this.#ends[node] = index;
    });
    return count;
  }

  /**
   * Failure and output links. Nodes are numbered as the trie grew, so a
   * node's failure target (shallower) is not always numbered lower: link
   * in order of depth.
   */
  #link(): void {
    for (const node of byDepth(this.#parent, this.nodes)) {
      const parent = this.#parent[node]!;
      if (parent === 0) continue;
      const fail = this.#next(this.#fail[parent]!, this.#label[node]!);
      this.#fail[node] = fail;
      this.#outLink[node] = this.#ends[fail]! >= 0
        ? fail
        : this.#outLink[fail]!;
    }
  }
}

/** Nodes 1.. in order of depth (a child is numbered after its parent). */
function byDepth(parent: Int32Array, nodes: number): Int32Array {
  const depth = new Int32Array(nodes);
  const count = new Int32Array(nodes + 1);
  for (let n = 1; n < nodes; n++) {
    depth[n] = depth[parent[n]!]! + 1;
    count[depth[n]!]! += 1;
  }
  for (let d = 1; d <= nodes; d++) count[d]! += count[d - 1]!;
  const order = new Int32Array(nodes);
  for (let n = nodes - 1; n >= 1; n--) order[--count[depth[n]!]!] = n;

  return order;
}

/**
 * Character classes: 0 for a character no pattern holds, one class per
 * pattern character, shared with its upper case.
 */
function classesOf(
  patterns: string[],
): { classOf: Uint16Array; count: number } {
  const classOf = new Uint16Array(0x10000);
  let next = 1;
  for (const pattern of patterns) {
    for (let i = 0; i < pattern.length; i++) {
      const code = pattern.charCodeAt(i);
      if (classOf[code] !== 0) continue;
      classOf[code] = next;
      const upper = String.fromCharCode(code).toUpperCase();
      if (upper.length === 1 && classOf[upper.charCodeAt(0)] === 0) {
        classOf[upper.charCodeAt(0)] = next;
      }
      next++;
    }
  }
  return { classOf, count: next };
}
