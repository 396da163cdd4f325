/**
 * How long the functions of the house are, measured with the TypeScript
 * compiler's parser: a function (declaration, method, accessor,
 * constructor, function expression or arrow function) with a body runs
 * from the line it starts on to the line it ends on, both counted. Used by
 * `tests/architecture_test.ts` to keep every function readable in one
 * sitting.
 *
 * @module
 */
import { join, relative } from "node:path";
import ts from "typescript";

/** The longest a function may be, in lines. */
export const MAX_FUNCTION_LINES = 80;

/** The folders measured: the code that ships and the scripts around it. */
export const MEASURED_FOLDERS: readonly string[] = [
  "engine",
  "cli",
  "mcp",
  "bridge",
  "scripts",
];

/** Folders never read: tools, builds, dependencies. */
const SKIPPED = new Set([".tools", ".git", "node_modules", "dist"]);

/** One function with a body. */
export interface FunctionLength {
  /** Its file, relative to the root, `/`-separated. */
  file: string;
  /** The line it starts on, from 1. */
  line: number;
  /** Its name, `Class.method` for a method, `(anonymous)` when it has none. */
  name: string;
  /** Its lines, first and last included. */
  lines: number;
}

/**
 * Whether a file is measured: TypeScript source, not a test, not a
 * declaration file, not the bridge's page code.
 *
 * @param file relative to the root, `/`-separated
 * @returns whether its functions count
 */
export function isMeasured(file: string): boolean {
  return file.endsWith(".ts") && !file.endsWith("_test.ts") &&
    !file.endsWith(".d.ts") && !file.startsWith("bridge/static/");
}

/**
 * Every function with a body in one file's text.
 *
 * @param file the file, relative to the root (for the results)
 * @param text its source
 * @returns its functions, in source order
 */
export function functionsOf(file: string, text: string): FunctionLength[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lineOf = (position: number) =>
    source.getLineAndCharacterOfPosition(position).line;
  const found: FunctionLength[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const first = lineOf(node.getStart(source));
      found.push({
        file,
        line: first + 1,
        name: functionName(node, source),
        lines: lineOf(node.getEnd()) - first + 1,
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** A function's own name, else the name it is assigned to; methods with their class. */
function functionName(node: ts.Node, source: ts.SourceFile): string {
  const own = ts.isConstructorDeclaration(node)
    ? "constructor"
    : (node as { name?: ts.Node }).name?.getText(source);
  const parent = node.parent;
  const assigned = ts.isVariableDeclaration(parent) ||
      ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)
    ? parent.name.getText(source)
    : undefined;
  const name = own ?? assigned ?? "(anonymous)";
  const holder = ts.isClassLike(parent)
    ? parent
    : ts.isPropertyDeclaration(parent) && ts.isClassLike(parent.parent)
    ? parent.parent
    : undefined;
  return holder?.name ? `${holder.name.getText(source)}.${name}` : name;
}

/**
 * Every function of the measured files under `root`.
 *
 * @param root the repository (or a planted tree in a test)
 * @returns the functions, by file and line
 */
export async function readFunctionLengths(
  root: string,
): Promise<FunctionLength[]> {
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for await (const entry of Deno.readDir(dir)) {
      if (SKIPPED.has(entry.name)) continue;
      const path = join(dir, entry.name);
      const file = relative(root, path).replaceAll("\\", "/");
      if (entry.isDirectory) await walk(path);
      else if (entry.isFile && isMeasured(file)) files.push(file);
    }
  };
  for (const folder of MEASURED_FOLDERS) {
    const dir = join(root, folder);
    if (await Deno.stat(dir).then(() => true, () => false)) await walk(dir);
  }
  files.sort();
  const found: FunctionLength[] = [];
  for (const file of files) {
    found.push(...functionsOf(file, await Deno.readTextFile(join(root, file))));
  }
  return found;
}

/**
 * The functions over {@linkcode MAX_FUNCTION_LINES}, each as
 * `file:line name (N lines)`.
 *
 * @param functions from {@linkcode readFunctionLengths}
 * @returns the offenders, by file and line
 */
export function longFunctions(functions: FunctionLength[]): string[] {
  return functions.filter((f) => f.lines > MAX_FUNCTION_LINES).map((f) =>
    `${f.file}:${f.line} ${f.name} (${f.lines} lines)`
  );
}
