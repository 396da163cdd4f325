/**
 * The tests that cover a file: every test file (`*_test.ts`) that imports
 * it, directly or through other files, nearest first.
 *
 * @module
 */
import type { ImportGraph } from "../../tests/_import_graph.ts";

/** A test file and how many imports lie between it and the covered file. */
export interface CoveringTest {
  /** The test file, relative to the root. */
  test: string;
  /** 1: it imports the file itself; 2: through one other file; … */
  distance: number;
}

/**
 * The test files whose imports reach `file`, nearest first (then by name).
 *
 * @param graph the repository's import graph
 * @param file a file relative to the root
 * @returns the covering tests; empty when no test reaches the file
 */
export function coveringTests(
  graph: ImportGraph,
  file: string,
): CoveringTest[] {
  const importers = new Map<string, string[]>();
  for (const edge of graph.edges) {
    const list = importers.get(edge.to) ?? [];
    list.push(edge.from);
    importers.set(edge.to, list);
  }
  // Breadth-first over the reversed edges: the first visit is the nearest.
  const distance = new Map<string, number>([[file, 0]]);
  const queue = [file];
  while (queue.length > 0) {
    const at = queue.shift()!;
    for (const from of importers.get(at) ?? []) {
      if (distance.has(from)) continue;
      distance.set(from, distance.get(at)! + 1);
      queue.push(from);
    }
  }
  return [...distance]
    .filter(([path, d]) => d > 0 && isTestFile(path))
    .map(([test, d]) => ({ test, distance: d }))
    .sort((a, b) => a.distance - b.distance || a.test.localeCompare(b.test));
}

/** Whether a path names a test file (`deno test` runs `*_test.ts`). */
export function isTestFile(path: string): boolean {
  return path.endsWith("_test.ts");
}
