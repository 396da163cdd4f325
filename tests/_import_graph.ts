/**
 * The house's import graph, read from the source text, and the rules it
 * keeps (see docs/architecture.md): no import cycle between files, clients
 * enter the engine through `mod.ts` files only, and errors come from
 * `engine/errors.ts`, not from the RPC package. Used by
 * `tests/architecture_test.ts`.
 *
 * @module
 */
import { dirname, join, relative } from "node:path";

/** One import of one file. */
export interface ImportEdge {
  /** The importing file, relative to the root, `/`-separated. */
  from: string;
  /** The imported file, relative to the root (relative specifiers only). */
  to: string;
  /** The names it imports (`type` dropped, `a as b` → `a`); `*` for a namespace. */
  names: string[];
  /** The line of the import statement. */
  line: number;
}

/** The files under a root and their relative imports. */
export interface ImportGraph {
  /** Every `.ts` file read, relative to the root, sorted. */
  files: string[];
  /** Every relative import between them, in file order. */
  edges: ImportEdge[];
}

/** Folders never read: tools, builds, dependencies. */
const SKIPPED = new Set([".tools", ".git", "node_modules", "dist", "python"]);

// `import … from "x"`, `export … from "x"`, `import "x"` at the start of a
// line (so code inside template strings indented in a test is not taken),
// and `import("x")` with a literal specifier anywhere.
const STATIC =
  /^(?:import|export)\s+(?:type\s+)?([^;'"]*?)\s*from\s*["']([^"']+)["']|^import\s*["']([^"']+)["']/gm;
const DYNAMIC = /\bimport\(\s*["']([^"']+)["']\s*\)/g;

/**
 * Reads every `.ts` file under `root` and its relative imports.
 *
 * @param root the repository (or a planted tree in a test)
 * @returns the files and the edges between them
 */
export async function readImportGraph(root: string): Promise<ImportGraph> {
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for await (const entry of Deno.readDir(dir)) {
      if (SKIPPED.has(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory) await walk(path);
      else if (entry.isFile && entry.name.endsWith(".ts")) {
        files.push(relative(root, path).replaceAll("\\", "/"));
      }
    }
  };
  await walk(root);
  files.sort();
  const edges: ImportEdge[] = [];
  for (const file of files) {
    edges.push(...importsOf(file, await Deno.readTextFile(join(root, file))));
  }
  return { files, edges };
}

/**
 * The relative imports in one file's text.
 *
 * @param file the file, relative to the root
 * @param text its source
 * @returns its edges, in source order
 */
export function importsOf(file: string, text: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  const add = (specifier: string, clause: string, index: number) => {
    if (!specifier.startsWith("./") && !specifier.startsWith("../")) return;
    const to = join(dirname(file), specifier).replaceAll("\\", "/");
    const line = text.slice(0, index).split("\n").length;
    edges.push({ from: file, to, names: importedNames(clause), line });
  };
  for (const match of text.matchAll(STATIC)) {
    add(match[2] ?? match[3]!, match[1] ?? "", match.index);
  }
  for (const match of text.matchAll(DYNAMIC)) {
    add(match[1]!, "*", match.index);
  }
  return edges.sort((a, b) => a.line - b.line);
}

function importedNames(clause: string): string[] {
  const names: string[] = [];
  const braces = clause.match(/\{([^}]*)\}/);
  if (braces) {
    for (const part of braces[1]!.split(",")) {
      const name = part.trim().replace(/^type\s+/, "").split(/\s+as\s+/)[0]!;
      if (name !== "") names.push(name);
    }
  }
  if (clause.includes("*")) names.push("*");
  const head = clause.replace(/\{[^}]*\}/, "").replace(/\*\s+as\s+\w+/, "")
    .replace(/^type\s+/, "").replace(/,/g, " ").trim();
  if (head !== "") names.push("default");
  return names;
}

/**
 * Import cycles between files: each strongly connected group of two or
 * more files (or a file importing itself), as one path around it.
 *
 * @returns each cycle as `a.ts → b.ts → a.ts`
 */
export function importCycles(graph: ImportGraph): string[] {
  const next = new Map<string, string[]>();
  for (const file of graph.files) next.set(file, []);
  for (const edge of graph.edges) {
    if (next.has(edge.to)) next.get(edge.from)!.push(edge.to);
  }
  // Tarjan's strongly connected components, iteratively (deep chains must
  // not overflow the stack).
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[] = [];
  let counter = 0;
  for (const start of graph.files) {
    if (index.has(start)) continue;
    const work: [string, number][] = [[start, 0]];
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const [node, i] = top;
      if (i === 0) {
        index.set(node, counter);
        low.set(node, counter++);
        stack.push(node);
        onStack.add(node);
      }
      const targets = next.get(node)!;
      if (i < targets.length) {
        top[1]++;
        const target = targets[i]!;
        if (!index.has(target)) work.push([target, 0]);
        else if (onStack.has(target)) {
          low.set(node, Math.min(low.get(node)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) {
        low.set(parent[0], Math.min(low.get(parent[0])!, low.get(node)!));
      }
      if (low.get(node) !== index.get(node)) continue;
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        group.push(member);
      } while (member !== node);
      if (group.length > 1 || targets.includes(node)) {
        cycles.push(cyclePath(new Set(group), next));
      }
    }
  }
  return cycles;
}

/** A path around a strongly connected group, from its first file back to it. */
function cyclePath(group: Set<string>, next: Map<string, string[]>): string {
  const first = [...group].sort()[0]!;
  // Breadth-first from `first` inside the group until an edge leads back.
  const previous = new Map<string, string>();
  const queue = [first];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const target of next.get(node)!) {
      if (!group.has(target)) continue;
      if (target === first) {
        const path = [first];
        for (let at = node; at !== first; at = previous.get(at)!) {
          path.splice(1, 0, at);
        }
        return [...path, first].join(" → ");
      }
      if (!previous.has(target)) {
        previous.set(target, node);
        queue.push(target);
      }
    }
  }
  return [...group].join(" → ");
}

/** Folders of clients: they enter the engine through `mod.ts` files only. */
export const CLIENT_FOLDERS = ["cli/", "mcp/", "bridge/", "scripts/"];

/**
 * Imports by clients (cli/, mcp/, bridge/, scripts/ and the root `main.ts`)
 * of an engine file that is not a `mod.ts` front door.
 *
 * @returns one line per import: `file:line imports engine/…`
 */
export function frontDoorBreaches(graph: ImportGraph): string[] {
  return graph.edges
    .filter((edge) =>
      (edge.from === "main.ts" ||
        CLIENT_FOLDERS.some((folder) => edge.from.startsWith(folder))) &&
      edge.to.startsWith("engine/") && !edge.to.endsWith("/mod.ts")
    )
    .map((edge) => `${edge.from}:${edge.line} imports ${edge.to}`);
}

/**
 * Imports of a file inside an engine folder (`engine/<folder>/…`) from
 * outside that folder, past its `mod.ts`. Tests under `tests/` may reach
 * behind a door; files at the top of `engine/` (errors, logger, paths) are
 * in no folder and open to all.
 *
 * @returns one line per import
 */
export function folderDoorBreaches(graph: ImportGraph): string[] {
  return graph.edges
    .filter((edge) => {
      const parts = edge.to.split("/");
      if (parts[0] !== "engine" || parts.length < 3) return false;
      const folder = `engine/${parts[1]}/`;
      return !edge.from.startsWith(folder) && !edge.from.startsWith("tests/") &&
        !edge.to.endsWith("/mod.ts");
    })
    .map((edge) => `${edge.from}:${edge.line} imports ${edge.to}`);
}

/**
 * Files outside `engine/rpc/` that take `RpcError` or `ErrorCode` from the
 * RPC package instead of `engine/errors.ts` (or `engine/mod.ts`).
 *
 * @returns one line per import
 */
export function rpcErrorImports(graph: ImportGraph): string[] {
  return graph.edges
    .filter((edge) =>
      edge.to.startsWith("engine/rpc/") &&
      !edge.from.startsWith("engine/rpc/") &&
      edge.names.some((name) =>
        name === "RpcError" || name === "ErrorCode" || name === "*"
      )
    )
    .map((edge) =>
      `${edge.from}:${edge.line} takes ${
        edge.names.filter((n) => ["RpcError", "ErrorCode", "*"].includes(n))
          .join(", ")
      } from ${edge.to}`
    );
}
