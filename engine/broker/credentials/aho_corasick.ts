/**
 * A multi-pattern automaton (Aho–Corasick): finds every occurrence of any
 * of many patterns in one pass over a text, in time linear in the text
 * plus the matches, whatever the text. Matching ignores case (ASCII, and
 * the upper case of any other character a pattern holds).
 *
 * The shallow trie nodes (all the nodes of the first levels, numbered
 * in order of depth, up to {@linkcode DENSE_ENTRIES} transitions) have a
 * full row of transitions by character class, failure links folded in:
 * one array read per character of the text while the text matches no
 * pattern's first characters, which is almost always. Deeper nodes are
 * numbered depth first, so most of them (one pattern's tail) have their
 * only child next: a text that follows a pattern is read by comparing
 * its classes with one array read in order, and a node that reports a
 * match stops that loop. The few deep nodes with several children have
 * full rows too; a deep node with one child follows failure links as
 * the classic automaton does on any other character. The automaton
 * stays small however long the patterns.
 *
 * Every array of the automaton is a typed array ({@linkcode AutomatonData}):
 * a guard worker builds it and hands it to the main thread without a copy.
 *
 * @module
 */

/** Called for each match: the pattern's index and where it ends (exclusive). */
export type OnMatch = (pattern: number, end: number) => void;

/**
 * {@linkcode AutomatonData.step} of a leaf: no class (class 0, a
 * character in no pattern, must not step a leaf to the node after it).
 */
const NO_CHILD = 0xfffff;
/** The class in an {@linkcode AutomatonData.step}. */
const STEP_CLASS = 0xfffff;
/** In an {@linkcode AutomatonData.step}: the only child ends a pattern (or has one on its failure chain). */
const STEP_OUT = 1 << 20;
/** A node with several children, while the automaton is built. */
const MANY_CHILDREN = -1;

/** Stretches {@linkcode AhoCorasick.scanSplit} reads at once. */
const STREAMS = 4;

/** Shortest stretch worth splitting a range for. */
const SPLIT_MIN = 1 << 14;

/** One stretch of {@linkcode AhoCorasick.scanSplit}: where it reads, its state, its matches. */
class Stream {
  readonly from: number;
  readonly to: number;
  /** Where it reads next. */
  at = 0;
  /** Its row offset (-1 while at a deep node). */
  row = 0;
  /** Its deep node, while at one. */
  deep = 0;
  /** Its matches so far: pattern, end, pattern, end… */
  readonly found: number[] = [];

  constructor(from: number, to: number) {
    this.from = from;
    this.to = to;
  }

  /** Its node, given the length of a row. */
  node(classes: number): number {
    return this.row < 0 ? this.deep : this.row / classes;
  }
}

/** Transitions kept in the dense rows at most (4 bytes each). */
export const DENSE_ENTRIES = 1 << 18;

/** The automaton's arrays: what a worker sends (each buffer transferable). */
export interface AutomatonData {
  /** Pattern lengths, by pattern index. */
  lengths: Int32Array;
  /** Character class of each UTF-16 code unit (0: in no pattern). */
  classOf: Uint16Array;
  /** Number of classes (class 0 included). */
  classes: number;
  /** Nodes 0..shallow-1 have dense rows. */
  shallow: number;
  /**
   * Row `node * classes + class`: the next node, failure links folded
   * in, as its row offset (`node * classes`), or as `~node` when the
   * node ends a pattern (or has one on its failure chain) or is deep.
   */
  dense: Int32Array;
  /** Failure link of each node. */
  fail: Int32Array;
  /**
   * How a deep node steps: the class of its only child (deep nodes are
   * numbered depth first, so that child is the node after it), with
   * {@linkcode STEP_OUT} when that child reports a match; or
   * {@linkcode NO_CHILD} for a leaf (both fall back along the failure
   * link); or `~k` for a node with several children, whose transitions
   * are row `k` of {@linkcode AutomatonData.branch}.
   */
  step: Int32Array;
  /**
   * Rows of the deep nodes with several children, as the dense rows:
   * every transition, failure links folded in, encoded as in
   * {@linkcode AutomatonData.dense}.
   */
  branch: Int32Array;
  /** Pattern ending at each node, or -1. */
  ends: Int32Array;
  /** The node itself or the nearest node on its failure chain that ends a pattern, or -1. */
  firstOut: Int32Array;
}

/**
 * The automaton for a fixed list of patterns.
 */
export class AhoCorasick {
  /** Pattern lengths, by pattern index. */
  readonly lengths: Int32Array;
  /** Number of trie nodes (a measure of the automaton's size). */
  readonly nodes: number;
  /** The arrays, for sending to another thread. */
  readonly data: AutomatonData;
  #classOf: Uint16Array;
  #classes: number;
  #shallow: number;
  #dense: Int32Array;
  #fail: Int32Array;
  #step: Int32Array;
  #branch: Int32Array;
  #ends: Int32Array;
  #firstOut: Int32Array;
  #longest: number;

  /**
   * @param patterns the patterns, in lower case, none empty; or the
   *   arrays of an automaton built elsewhere
   */
  constructor(patterns: string[] | AutomatonData) {
    const data = Array.isArray(patterns) ? build(patterns) : patterns;
    this.data = data;
    this.lengths = data.lengths;
    this.nodes = data.fail.length;
    this.#classOf = data.classOf;
    this.#classes = data.classes;
    this.#shallow = data.shallow;
    this.#dense = data.dense;
    this.#fail = data.fail;
    this.#step = data.step;
    this.#branch = data.branch;
    this.#ends = data.ends;
    this.#firstOut = data.firstOut;
    this.#longest = this.lengths.reduce((a, b) => Math.max(a, b), 0);
  }

  /**
   * Reports every occurrence of every pattern in `text`.
   *
   * @param text any text
   * @param onMatch called per match, in order of end position
   */
  scan(text: string, onMatch: OnMatch): void {
    const classOf = this.#classOf, dense = this.#dense;
    const classes = this.#classes, shallow = this.#shallow;
    let state = 0;
    for (let i = 0; i < text.length;) {
      if (state >= shallow) {
        state = this.#deepStep(state, classOf[text.charCodeAt(i++)]!);
        if (this.#firstOut[state]! >= 0) this.#report(state, i, onMatch);
        continue;
      }
      let row = state * classes, next = 0;
      while (
        i < text.length &&
        (next = dense[row + classOf[text.charCodeAt(i)]!]!) >= 0
      ) {
        row = next;
        i++;
      }
      if (next >= 0) return;
      state = ~next;
      i++;
      if (this.#firstOut[state]! >= 0) this.#report(state, i, onMatch);
    }
  }

  /**
   * {@linkcode AhoCorasick.scan} over a range of UTF-16 code units, from
   * a state a scan of what precedes the range left (0: the start).
   *
   * @param units code units
   * @param from the first to read
   * @param to where to stop (exclusive)
   * @param state the state the scan of `units[0, from)` ended in
   * @param onMatch called per match, in order of end position
   * @returns the state to go on from at `to`
   */
  scanUnits(
    units: Uint16Array,
    from: number,
    to: number,
    state: number,
    onMatch: OnMatch,
  ): number {
    const classOf = this.#classOf, dense = this.#dense;
    const classes = this.#classes, shallow = this.#shallow;
    let i = from;
    while (i < to) {
      if (state >= shallow) {
        state = this.#deepStep(state, classOf[units[i++]!]!);
        if (this.#firstOut[state]! >= 0) this.#report(state, i, onMatch);
        continue;
      }
      // The hot loop: a row offset, one read per character; a negative
      // entry is a node that ends a pattern or is deep.
      let row = state * classes, next = 0;
      while (i < to && (next = dense[row + classOf[units[i]!]!]!) >= 0) {
        row = next;
        i++;
      }
      if (next >= 0) return row / classes;
      state = ~next;
      i++;
      if (this.#firstOut[state]! >= 0) this.#report(state, i, onMatch);
    }
    return state;
  }

  /**
   * {@linkcode AhoCorasick.scan} over `units[0, length)`, a long range
   * read as {@linkcode STREAMS} stretches at once: one loop steps each
   * stretch's scan by a character in turn, so the processor overlaps
   * their reads of the rows (a scan waits on each read before the next,
   * since the row it reads next is the one it read). A stretch after the
   * first starts the longest pattern's length less one early, from the
   * start state, and reports only matches that end inside it: every
   * match ending there started inside what it read. Matches are reported
   * in order of end position.
   *
   * @param units code units
   * @param length how many to read
   * @param onMatch called per match, in order of end position
   */
  scanSplit(units: Uint16Array, length: number, onMatch: OnMatch): void {
    const part = Math.ceil(length / STREAMS), lead = this.#longest - 1;
    if (part < SPLIT_MIN || part <= lead) {
      this.scanUnits(units, 0, length, 0, onMatch);
      return;
    }
    const streams = Array.from({ length: STREAMS }, (_, k) => {
      const from = k * part;
      const stream = new Stream(from, Math.min(length, from + part));
      stream.at = Math.max(0, from - lead);
      return stream;
    });
    this.#interleave(units, streams);
    for (const stream of streams) {
      const { from, to, found } = stream;
      const report: OnMatch = (pattern, end) => found.push(pattern, end);
      const node = stream.node(this.#classes);
      this.scanUnits(units, stream.at, to, node, report);
      for (let k = 0; k < found.length; k += 2) {
        if (found[k + 1]! > from) onMatch(found[k]!, found[k + 1]!);
      }
    }
  }

  /**
   * Steps four streams a character each per turn while each has
   * characters left; a stream whose row leads to a deep node or a match
   * leaves the shared loop for {@linkcode AhoCorasick.#deepRun}.
   */
  #interleave(units: Uint16Array, streams: Stream[]): void {
    const classOf = this.#classOf, dense = this.#dense;
    const [a, b, c, d] = streams as [Stream, Stream, Stream, Stream];
    const ea = a.to, eb = b.to, ec = c.to, ed = d.to;
    let ra = 0, rb = 0, rc = 0, rd = 0;
    let ia = a.at, ib = b.at, ic = c.at, id = d.at;
    while (ia < ea && ib < eb && ic < ec && id < ed) {
      // The hot loop: four independent reads of the rows per turn.
      const na = dense[ra + classOf[units[ia]!]!]!;
      const nb = dense[rb + classOf[units[ib]!]!]!;
      const nc = dense[rc + classOf[units[ic]!]!]!;
      const nd = dense[rd + classOf[units[id]!]!]!;
      if (na >= 0) ra = na, ia++;
      else ra = this.#deepRun(a, units, ia, ~na), ia = a.at;
      if (nb >= 0) rb = nb, ib++;
      else rb = this.#deepRun(b, units, ib, ~nb), ib = b.at;
      if (nc >= 0) rc = nc, ic++;
      else rc = this.#deepRun(c, units, ic, ~nc), ic = c.at;
      if (nd >= 0) rd = nd, id++;
      else rd = this.#deepRun(d, units, id, ~nd), id = d.at;
    }
    a.at = ia, b.at = ib, c.at = ic, d.at = id;
    a.row = ra, b.row = rb, c.row = rc, d.row = rd;
  }

  /**
   * A stream's step at `units[i]` to `node` (one that ends a pattern or
   * is deep), and its steps on while it stays deep (as
   * {@linkcode AhoCorasick.scanUnits} takes them): leaves the stream where
   * it got back to a shallow node, or at its end (its row then -1).
   */
  #deepRun(
    stream: Stream,
    units: Uint16Array,
    i: number,
    node: number,
  ): number {
    const classOf = this.#classOf, firstOut = this.#firstOut;
    const steps = this.#step;
    const shallow = this.#shallow, to = stream.to;
    for (i++;;) {
      if (firstOut[node]! >= 0) this.#reportTo(stream, node, i);
      if (node < shallow || i === to) break;
      // Along one pattern's chain, to nodes that report nothing: the
      // next node, while the text goes on as the chain does.
      while (i < to && steps[node] === classOf[units[i]!]) node++, i++;
      if (i === to) break;
      node = this.#deepStep(node, classOf[units[i++]!]!);
    }
    stream.at = i;
    if (node < shallow) return node * this.#classes;
    stream.deep = node;
    return -1;
  }

  #reportTo(stream: Stream, node: number, end: number): void {
    const firstOut = this.#firstOut, fail = this.#fail;
    for (let n = firstOut[node]!; n >= 0; n = firstOut[fail[n]!]!) {
      stream.found.push(this.#ends[n]!, end);
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

  #report(state: number, end: number, onMatch: OnMatch): void {
    const firstOut = this.#firstOut, fail = this.#fail;
    for (let n = firstOut[state]!; n >= 0; n = firstOut[fail[n]!]!) {
      onMatch(this.#ends[n]!, end);
    }
  }

  /**
   * The transition from a deep node: its child, else along its failure
   * chain. A node with one child (most deep nodes: one pattern's tail)
   * is stepped by one comparison; a node with several children has a
   * row of every transition (one read).
   */
  #deepStep(state: number, c: number): number {
    if (c === 0) return 0;
    const steps = this.#step, shallow = this.#shallow, classes = this.#classes;
    for (;;) {
      if (state < shallow) {
        return decoded(this.#dense[state * classes + c]!, classes);
      }
      const step = steps[state]!;
      if ((step & STEP_CLASS) === c) return state + 1;
      if (step < 0) return decoded(this.#branch[~step * classes + c]!, classes);
      state = this.#fail[state]!;
    }
  }
}

/** The node a dense entry stands for. */
function decoded(entry: number, classes: number): number {
  return entry >= 0 ? entry / classes : ~entry;
}

/** Child edges in an open-addressing hash table keyed by (node, class). */
class Edges {
  readonly keys: Int32Array;
  readonly targets: Int32Array;
  #classes: number;
  #mask: number;
  #shift: number;

  constructor(keys: Int32Array, targets: Int32Array, classes: number) {
    this.keys = keys;
    this.targets = targets;
    this.#classes = classes;
    this.#mask = keys.length - 1;
    this.#shift = 32 - Math.log2(keys.length);
  }

  /** The child of `node` on class `c`, or -1. */
  child(node: number, c: number): number {
    const key = node * this.#classes + c;
    for (
      let slot = Math.imul(key, 0x9e3779b1) >>> this.#shift;;
      slot = (slot + 1) & this.#mask
    ) {
      const found = this.keys[slot]!;
      if (found === key) return this.targets[slot]!;
      if (found < 0) return -1;
    }
  }

  add(node: number, c: number, child: number): void {
    const key = node * this.#classes + c;
    let slot = Math.imul(key, 0x9e3779b1) >>> this.#shift;
    while (this.keys[slot]! >= 0) slot = (slot + 1) & this.#mask;
    this.keys[slot] = key;
    this.targets[slot] = child;
  }
}

/** The trie: nodes numbered level by level, each with its parent and class. */
interface Trie {
  edges: Edges;
  parent: Int32Array;
  label: Uint16Array;
  ends: Int32Array;
  nodes: number;
}

/** Builds the automaton's arrays for the patterns. */
function build(patterns: string[]): AutomatonData {
  const { classOf, count: classes } = classesOf(patterns);
  const trie = buildTrie(patterns, classOf, classes);
  const shallow = Math.min(
    trie.nodes,
    Math.max(1, Math.floor(DENSE_ENTRIES / classes)),
  );
  const dense = new Int32Array(shallow * classes);
  const fail = new Int32Array(trie.nodes);
  const firstOut = new Int32Array(trie.nodes).fill(-1);
  const children = childrenOf(trie);
  const step = (state: number, c: number): number => {
    for (;;) {
      if (state < shallow) return dense[state * classes + c]!;
      const child = trie.edges.child(state, c);
      if (child >= 0) return child;
      state = fail[state]!;
    }
  };
  // A node's failure target is shallower, so numbered lower: its row is done.
  for (let node = 0; node < trie.nodes; node++) {
    const parent = trie.parent[node]!;
    if (node > 0) {
      fail[node] = parent === 0 ? 0 : step(fail[parent]!, trie.label[node]!);
    }
    firstOut[node] = trie.ends[node]! >= 0 ? node : firstOut[fail[node]!]!;
    if (node >= shallow) continue;
    const row = node * classes;
    if (node > 0) {
      dense.copyWithin(
        row,
        fail[node]! * classes,
        fail[node]! * classes + classes,
      );
    }
    for (let k = children.start[node]!; k < children.start[node + 1]!; k++) {
      const child = children.list[k]!;
      dense[row + trie.label[child]!] = child;
    }
  }
  const order = depthFirst(trie, children, shallow);
  const steps = stepsOf(trie, children);
  const branch = branchRows(steps, shallow, classes, step);
  for (const rows of [dense, branch]) {
    for (let k = 0; k < rows.length; k++) {
      const node = rows[k]!;
      rows[k] = node < shallow && firstOut[node]! < 0
        ? node * classes
        : ~order[node]!;
    }
  }
  return {
    lengths: Int32Array.from(patterns, (p) => p.length),
    classOf,
    classes,
    shallow,
    dense,
    branch,
    ...renumbered(order, trie, { fail, firstOut, steps }),
  };
}

/**
 * The rows of the deep nodes with several children (each node's step
 * becomes `~k`, its row `k`), as node numbers, in the order of `steps`.
 */
function branchRows(
  steps: Int32Array,
  shallow: number,
  classes: number,
  step: (state: number, c: number) => number,
): Int32Array {
  let count = 0;
  for (let node = shallow; node < steps.length; node++) {
    if (steps[node] === MANY_CHILDREN) count++;
  }
  const rows = new Int32Array(count * classes);
  for (let node = shallow, k = 0; node < steps.length; node++) {
    if (steps[node] !== MANY_CHILDREN) continue;
    for (let c = 1; c < classes; c++) rows[k * classes + c] = step(node, c);
    steps[node] = ~k++;
  }
  return rows;
}

/**
 * The new number of each node: shallow nodes keep theirs, deep ones are
 * numbered depth first after them (a node's first child comes next).
 */
function depthFirst(
  trie: Trie,
  children: { start: Int32Array; list: Int32Array },
  shallow: number,
): Int32Array {
  const order = new Int32Array(trie.nodes);
  for (let n = 0; n < shallow; n++) order[n] = n;
  const stack = new Int32Array(trie.nodes);
  let next = shallow;
  for (let root = shallow; root < trie.nodes; root++) {
    if (trie.parent[root]! >= shallow) continue;
    let top = 0;
    stack[top++] = root;
    while (top > 0) {
      const node = stack[--top]!;
      order[node] = next++;
      const first = children.start[node]!;
      for (let k = children.start[node + 1]! - 1; k >= first; k--) {
        stack[top++] = children.list[k]!;
      }
    }
  }
  return order;
}

/** The node arrays with every node under its new number. */
function renumbered(
  order: Int32Array,
  trie: Trie,
  old: { fail: Int32Array; firstOut: Int32Array; steps: Int32Array },
): Pick<AutomatonData, "fail" | "step" | "ends" | "firstOut"> {
  const nodes = trie.nodes;
  const fail = new Int32Array(nodes), firstOut = new Int32Array(nodes);
  const ends = new Int32Array(nodes), step = new Int32Array(nodes);
  for (let n = 0; n < nodes; n++) {
    const to = order[n]!, out = old.firstOut[n]!;
    fail[to] = order[old.fail[n]!]!;
    firstOut[to] = out < 0 ? -1 : order[out]!;
    ends[to] = trie.ends[n]!;
    step[to] = old.steps[n]!;
  }
  for (let n = 0; n < nodes - 1; n++) {
    const only = step[n]!;
    if (only >= 0 && only !== NO_CHILD && firstOut[n + 1]! >= 0) {
      step[n] = only | STEP_OUT;
    }
  }
  return { fail, step, ends, firstOut };
}

/** Each node's step before rows are given (see {@linkcode AutomatonData.step}): {@linkcode MANY_CHILDREN} for several children. */
function stepsOf(
  trie: Trie,
  children: { start: Int32Array; list: Int32Array },
): Int32Array {
  const steps = new Int32Array(trie.nodes).fill(NO_CHILD);
  for (let node = 0; node < trie.nodes; node++) {
    const count = children.start[node + 1]! - children.start[node]!;
    if (count > 1) steps[node] = MANY_CHILDREN;
    if (count === 1) {
      steps[node] = trie.label[children.list[children.start[node]!]!]!;
    }
  }
  return steps;
}

/** The trie of the patterns, built level by level (a child is numbered after every shallower node). */
function buildTrie(
  patterns: string[],
  classOf: Uint16Array,
  classes: number,
): Trie {
  const size = patterns.reduce((n, p) => n + p.length, 1);
  let slots = 1024;
  while (slots < 2 * size) slots *= 2;
  const edges = new Edges(
    new Int32Array(slots).fill(-1),
    new Int32Array(slots),
    classes,
  );
  const parent = new Int32Array(size), label = new Uint16Array(size);
  const ends = new Int32Array(size).fill(-1);
  const at = new Int32Array(patterns.length);
  let nodes = 1;
  for (let depth = 0, more = true; more; depth++) {
    more = false;
    for (let p = 0; p < patterns.length; p++) {
      const pattern = patterns[p]!;
      if (pattern.length <= depth) continue;
      more = true;
      const c = classOf[pattern.charCodeAt(depth)]!;
      let child = edges.child(at[p]!, c);
      if (child < 0) {
        child = nodes++;
        edges.add(at[p]!, c, child);
        parent[child] = at[p]!;
        label[child] = c;
      }
      at[p] = child;
      if (pattern.length === depth + 1 && ends[child]! < 0) ends[child] = p;
    }
  }
  return {
    edges,
    parent: parent.subarray(0, nodes),
    label: label.subarray(0, nodes),
    ends: ends.slice(0, nodes),
    nodes,
  };
}

/** Each node's children, as ranges of one list (by parent). */
function childrenOf(trie: Trie): { start: Int32Array; list: Int32Array } {
  const start = new Int32Array(trie.nodes + 1);
  for (let n = 1; n < trie.nodes; n++) start[trie.parent[n]! + 1]! += 1;
  for (let n = 0; n < trie.nodes; n++) start[n + 1]! += start[n]!;
  const fill = start.slice(0, trie.nodes);
  const list = new Int32Array(Math.max(0, trie.nodes - 1));
  for (let n = 1; n < trie.nodes; n++) list[fill[trie.parent[n]!]!++] = n;
  return { start, list };
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
