/**
 * The set of loaded shapes: reads shape directories, lets later directories
 * override earlier ones by shape name, resolves inheritance, and keeps the
 * problems of whatever did not load.
 *
 * @module
 */

import type { Shape, ShapeProblem } from "./shape.ts";
import { SHAPE_NAME_PATTERN } from "./shape.ts";
import type { ParsedShapeFile, ShapeDefinition } from "./shape_definition.ts";
import { resolveShapes } from "./_resolve_shapes.ts";
import type { ShapeCache } from "./shape_cache.ts";

/** Options of {@link ShapeRegistry.load} and {@link ShapeRegistry.fromSources}. */
export interface LoadOptions {
  /** Files larger than this many bytes are refused. Default 1 MiB. */
  maxFileBytes?: number;
  /** Parses kept from an earlier load; unchanged files skip the parser. */
  cache?: ShapeCache;
}

type Parse = (file: string, name: string, text: string) => ParsedShapeFile;

// The YAML parser is loaded on first need only: loading it costs more than
// a whole engine start with every shape file cached.
async function parser(): Promise<Parse> {
  const { parseShapeDefinition } = await import("./shape_definition.ts");
  return (file, name, text) =>
    parseShapeDefinition(file, text, { expectedName: name });
}

/** The default of {@link LoadOptions.maxFileBytes}: 1 MiB. */
export const MAX_SHAPE_FILE_BYTES = 1024 * 1024;

/** A shape file's text, or why it could not be read. */
type Source = { file: string; text: string } | { file: string; error: string };

/**
 * Loaded shapes, by name, with inheritance resolved.
 *
 * Loading never throws for a bad file: each broken file or shape becomes a
 * {@link ShapeProblem} and every other shape still loads.
 *
 * @example
 * ```ts
 * const registry = await ShapeRegistry.load(["shapes", `${home}/shapes`]);
 * for (const p of registry.problems) log.warn(`${p.file}:${p.line}:${p.column} ${p.reason}`);
 * registry.get("email")?.ancestors; // ["message"]
 * ```
 */
export class ShapeRegistry {
  #problems: ShapeProblem[];
  #shapes: Map<string, Shape>;
  #descendants = new Map<string, string[]>();
  #generation = 0;

  private constructor(shapes: Map<string, Shape>, problems: ShapeProblem[]) {
    this.#shapes = new Map(
      [...shapes].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0),
    );
    this.#problems = problems;
    for (const shape of this.#shapes.values()) {
      for (const name of [shape.name, ...shape.ancestors]) {
        const list = this.#descendants.get(name) ?? [];
        list.push(shape.name);
        this.#descendants.set(name, list);
      }
    }
  }

  /** One entry per problem found; a broken file may have several. */
  get problems(): ShapeProblem[] {
    return this.#problems;
  }

  /** How many times {@link adopt} replaced the shapes (0 after loading). */
  get generation(): number {
    return this.#generation;
  }

  /**
   * Takes over the shapes and problems of a newer load, so that everything
   * holding this registry sees the new shapes at once (shapes the owner
   * adds while the engine runs).
   *
   * @param next the newer load
   */
  adopt(next: ShapeRegistry): void {
    this.#shapes = next.#shapes;
    this.#descendants = next.#descendants;
    this.#problems = next.#problems;
    this.#generation++;
  }

  /**
   * Loads every `*.yaml` / `*.yml` file directly inside each directory.
   *
   * A file's name (without extension) is the shape it defines; a file in a
   * later directory replaces the same-named file of an earlier one, even when
   * the later file is broken. A directory that does not exist is skipped.
   *
   * @param dirs Directories, lowest precedence first (built-ins, then the user's).
   * @param options Limits.
   * @returns The registry; read `problems` for what did not load.
   */
  static async load(
    dirs: string[],
    options: LoadOptions = {},
  ): Promise<ShapeRegistry> {
    const max = options.maxFileBytes ?? MAX_SHAPE_FILE_BYTES;
    const sources: Source[] = [];
    for (const dir of dirs) {
      let names: string[];
      try {
        names = [];
        for await (const entry of Deno.readDir(dir)) {
          if (!entry.isDirectory && /\.ya?ml$/.test(entry.name)) {
            names.push(entry.name);
          }
        }
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) continue;
        sources.push({
          file: dir,
          error: `Cannot read shape directory "${dir}": ${message(error)}`,
        });
        continue;
      }
      for (const name of names.sort()) {
        sources.push(
          await readSource(`${dir.replace(/\/+$/, "")}/${name}`, max),
        );
      }
    }
    const cache = options.cache;
    const allCached = sources.every((source) =>
      !("text" in source) ||
      cache?.get(source.file, shapeNameOf(source.file), source.text)
    );
    const parse = allCached ? undefined : await parser();
    const registry = ShapeRegistry.#build(sources, max, (file, name, text) => {
      const hit = cache?.get(file, name, text);
      if (hit) return hit;
      const parsed = parse!(file, name, text);
      cache?.set(file, name, text, parsed);
      return parsed;
    });
    await cache?.save(sources.map((source) => source.file));
    return registry;
  }

  /**
   * Builds a registry from in-memory files, exactly as {@link load} would;
   * later sources override earlier ones by file name.
   *
   * @param sources Files and their YAML text, lowest precedence first.
   * @param options Limits.
   * @returns The registry; read `problems` for what did not load.
   */
  static async fromSources(
    sources: { file: string; text: string }[],
    options: Omit<LoadOptions, "cache"> = {},
  ): Promise<ShapeRegistry> {
    return ShapeRegistry.#build(
      sources,
      options.maxFileBytes ?? MAX_SHAPE_FILE_BYTES,
      await parser(),
    );
  }

  static #build(
    sources: Source[],
    maxBytes: number,
    parse: Parse,
  ): ShapeRegistry {
    const problems: ShapeProblem[] = [];
    const winners = new Map<string, Source>();
    for (const source of sources) {
      const name = shapeNameOf(source.file);
      if (!SHAPE_NAME_PATTERN.test(name)) {
        problems.push(wholeFile(
          source.file,
          `Invalid shape file name "${
            baseName(source.file)
          }": use lowercase letters, digits and _, then .yaml`,
        ));
        continue;
      }
      winners.delete(name); // keep precedence order when a name repeats
      winners.set(name, source);
    }
    const definitions = new Map<string, ShapeDefinition>();
    for (const [name, source] of winners) {
      if ("error" in source) {
        problems.push(wholeFile(source.file, source.error, name));
        continue;
      }
      const bytes = new TextEncoder().encode(source.text).length;
      if (bytes > maxBytes) {
        problems.push(wholeFile(
          source.file,
          `Shape file "${source.file}" is ${bytes} bytes; the limit is ${maxBytes} bytes`,
          name,
        ));
        continue;
      }
      const parsed = parse(source.file, name, source.text);
      problems.push(...parsed.problems);
      if (parsed.definition) definitions.set(name, parsed.definition);
    }
    const resolved = resolveShapes(definitions, new Set(winners.keys()));
    problems.push(...resolved.problems);
    return new ShapeRegistry(resolved.shapes, problems);
  }

  /**
   * @param name A shape name.
   * @returns The shape, or `undefined` when it does not exist or did not load.
   */
  get(name: string): Shape | undefined {
    return this.#shapes.get(name);
  }

  /** @returns Every loaded shape, sorted by name. */
  list(): Shape[] {
    return [...this.#shapes.values()];
  }

  /**
   * The shapes a query for `name` covers: `name` itself and every shape that
   * inherits from it, directly or not.
   *
   * @param name A shape name.
   * @returns Shape names sorted by name; empty when `name` did not load.
   */
  descendants(name: string): string[] {
    return [...(this.#descendants.get(name) ?? [])];
  }
}

async function readSource(file: string, maxBytes: number): Promise<Source> {
  try {
    const { size } = await Deno.stat(file);
    if (size > maxBytes) {
      return {
        file,
        error:
          `Shape file "${file}" is ${size} bytes; the limit is ${maxBytes} bytes`,
      };
    }
    const bytes = await Deno.readFile(file);
    return {
      file,
      text: new TextDecoder("utf-8", { fatal: true }).decode(bytes),
    };
  } catch (error) {
    return {
      file,
      error: `Cannot read shape file "${file}": ${message(error)}`,
    };
  }
}

function wholeFile(file: string, reason: string, shape?: string): ShapeProblem {
  return shape === undefined
    ? { file, line: 1, column: 1, reason }
    : { file, line: 1, column: 1, shape, reason };
}

function baseName(file: string): string {
  return file.slice(file.lastIndexOf("/") + 1);
}

function shapeNameOf(file: string): string {
  return baseName(file).replace(/\.ya?ml$/, "");
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
