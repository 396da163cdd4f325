/**
 * Shapes the owner adds while the engine runs: YAML files dropped into
 * `$AGENTOS_HOME/shapes/` (watched) or sent with `shapes.add` are checked
 * and loaded at once, with no restart. Everything that holds the shape
 * registry sees the new shapes (`ShapeRegistry.adopt`), the graph's
 * `shapes` table is rewritten, and the registry's `generation` moves on so
 * that clients (the MCP proxy) can tell their lists changed.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { ErrorCode, RpcError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import {
  SHAPE_NAME_PATTERN,
  type ShapeCache,
  type ShapeProblem,
  ShapeRegistry,
} from "../shapes/mod.ts";

/** Longest shape file `shapes.add` accepts, in characters. */
export const MAX_ADDED_SHAPE_CHARS = 256 * 1024;

/** Options of {@linkcode LiveShapes}. */
export interface LiveShapesOptions {
  /** The shapes shipped with the engine. */
  builtinDir: string;
  /** The owner's shapes directory (`$AGENTOS_HOME/shapes`). */
  homeDir: string;
  /** The registry every part of the engine holds. */
  shapes: ShapeRegistry;
  /** The database whose `shapes` table lists the loaded shapes. */
  db: DatabaseSync;
  /** Where reloads and their problems are logged. */
  log: Logger;
  /** Parses kept between loads. */
  cache?: () => Promise<ShapeCache>;
}

/** What `shapes.add` did. */
export interface AddedShape {
  /** The shape's name. */
  name: string;
  /** Where the file now is. */
  file: string;
  /** Whether it replaced a shape of the same name (built-in or the owner's). */
  replaced: boolean;
  /** How many shapes are loaded now. */
  shapes: number;
}

/**
 * Writes the loaded shapes' definitions into the graph's `shapes` table.
 *
 * @param db the database
 * @param shapes the loaded shapes
 */
export function storeShapeDefinitions(
  db: DatabaseSync,
  shapes: ShapeRegistry,
): void {
  const now = new Date().toISOString();
  db.exec("BEGIN IMMEDIATE");
  try {
    db.exec("DELETE FROM shapes");
    const insert = db.prepare(
      "INSERT INTO shapes (name, definition, file, loaded_at) VALUES (?, ?, ?, ?)",
    );
    for (const shape of shapes.list()) {
      insert.run(shape.name, JSON.stringify(shape), shape.file, now);
    }
    db.exec("COMMIT");
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}

/** Reloads shapes when the owner's directory changes, and adds shape files. */
export class LiveShapes {
  #options: LiveShapesOptions;
  #watcher: Deno.FsWatcher | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #reloading: Promise<void> = Promise.resolve();

  /** @param options the directories, the registry, the database, the log */
  constructor(options: LiveShapesOptions) {
    this.#options = options;
  }

  /**
   * Loads both directories again and swaps the result in. Reloads run one
   * after another, so the last one reflects the files as they are.
   *
   * @returns the problems of the new load
   */
  reload(): Promise<ShapeProblem[]> {
    const run = this.#reloading.then(async () => {
      const { builtinDir, homeDir, shapes, db, log, cache } = this.#options;
      const next = await ShapeRegistry.load([builtinDir, homeDir], {
        cache: await cache?.(),
      });
      const before = new Set(shapes.problems.map(problemKey));
      shapes.adopt(next);
      storeShapeDefinitions(db, shapes);
      for (const problem of next.problems) {
        if (!before.has(problemKey(problem))) {
          log.warn("Shape not loaded", { ...problem });
        }
      }
      log.info("Shapes reloaded", {
        shapes: next.list().length,
        problems: next.problems.length,
        generation: shapes.generation,
      });
      return next.problems;
    });
    this.#reloading = run.then(() => {}, () => {});
    return run;
  }

  /**
   * Watches the owner's shapes directory (creating it if needed) and
   * reloads 150 ms after the last change.
   */
  async watch(): Promise<void> {
    await Deno.mkdir(this.#options.homeDir, { recursive: true, mode: 0o700 });
    const watcher = Deno.watchFs(this.#options.homeDir, { recursive: false });
    this.#watcher = watcher;
    (async () => {
      try {
        for await (const event of watcher) {
          if (!event.paths.some((p) => /\.ya?ml$/.test(p))) continue;
          clearTimeout(this.#timer);
          this.#timer = setTimeout(() => {
            this.reload().catch((error) =>
              this.#options.log.error("Shape reload failed", {
                error: (error as Error).message,
              })
            );
          }, 150);
        }
      } catch {
        // Closed.
      }
    })();
  }

  /** Stops watching. */
  close(): void {
    clearTimeout(this.#timer);
    try {
      this.#watcher?.close();
    } catch {
      // Already closed.
    }
  }

  /**
   * Checks a shape file against the loaded shapes and, when it has no
   * problem and breaks no other shape, writes it into the owner's shapes
   * directory and loads it.
   *
   * @param file the file's name as the owner knows it (its base name is
   *   the shape's name); problems are reported against it
   * @param text the file's YAML
   * @returns what was added
   * @throws {RpcError} InvalidParams naming every problem at file:line:column
   */
  async add(file: string, text: string): Promise<AddedShape> {
    const base = file.slice(file.lastIndexOf("/") + 1);
    const name = base.replace(/\.ya?ml$/, "");
    if (base === name || !SHAPE_NAME_PATTERN.test(name)) {
      throw new RpcError(
        ErrorCode.InvalidParams,
        `Invalid shape file name "${base}": name it <shape>.yaml, with lowercase letters, digits and _`,
      );
    }
    if (text.length > MAX_ADDED_SHAPE_CHARS) {
      throw new RpcError(
        ErrorCode.InvalidParams,
        `Shape file "${file}" is ${text.length} characters; the limit is ${MAX_ADDED_SHAPE_CHARS}`,
      );
    }
    const { builtinDir, homeDir, shapes } = this.#options;
    await Deno.mkdir(homeDir, { recursive: true, mode: 0o700 });
    const staging = await Deno.makeTempDir({
      dir: homeDir,
      prefix: ".staging-",
    });
    const staged = `${staging}/${name}.yaml`;
    let problems: ShapeProblem[];
    try {
      await Deno.writeTextFile(staged, text);
      const trial = await ShapeRegistry.load([builtinDir, homeDir, staging]);
      const before = new Set(shapes.problems.map(problemKey));
      problems = trial.problems
        .filter((p) => p.file === staged || !before.has(problemKey(p)))
        .map((p) => p.file === staged ? { ...p, file } : p);
    } finally {
      await Deno.remove(staging, { recursive: true });
    }
    if (problems.length > 0) {
      throw new RpcError(
        ErrorCode.InvalidParams,
        `Shape file "${file}" was not added: ${
          problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.reason}`)
            .join("; ").slice(0, 2000)
        }`,
        { problems },
      );
    }
    const replaced = shapes.get(name) !== undefined;
    const target = `${homeDir}/${name}.yaml`;
    const temporary = `${homeDir}/.${name}.yaml.tmp`;
    await Deno.writeTextFile(temporary, text, { mode: 0o600 });
    await Deno.rename(temporary, target);
    await this.reload();
    return { name, file: target, replaced, shapes: shapes.list().length };
  }
}

function problemKey(p: ShapeProblem): string {
  return `${p.file}\u0000${p.line}\u0000${p.column}\u0000${p.reason}`;
}
