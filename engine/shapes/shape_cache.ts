/**
 * Parsed shape files kept between engine starts, so a start whose shape
 * files did not change skips the YAML parser (and loading it: together
 * about 60 ms of a 200 ms start). A file's entry is used only when its
 * text and the name it must define are the same as when it was parsed.
 * The cache is derived data: deleting it costs one slower start.
 *
 * @module
 */
import type { ParsedShapeFile } from "./shape_definition.ts";
import { VERSION } from "../version.ts";

/** Bump when parseShapeDefinition's output changes shape. */
const FORMAT = 3;

interface Entry {
  name: string;
  text: string;
  parsed: ParsedShapeFile;
}

/** Parsed shape files by path, read from and written back to one file. */
export class ShapeCache {
  #path: string;
  #entries: Map<string, Entry>;
  #dirty = false;

  private constructor(path: string, entries: Map<string, Entry>) {
    this.#path = path;
    this.#entries = entries;
  }

  /**
   * Reads the cache; a missing, unreadable or foreign file is an empty cache.
   *
   * @param path the cache file
   */
  static async open(path: string): Promise<ShapeCache> {
    const entries = new Map<string, Entry>();
    try {
      const data = JSON.parse(await Deno.readTextFile(path));
      if (
        data?.format === FORMAT && data.engine === VERSION &&
        typeof data.files === "object" && data.files !== null
      ) {
        for (const [file, entry] of Object.entries(data.files)) {
          if (isEntry(entry)) entries.set(file, entry);
        }
      }
    } catch {
      // No cache yet, or not ours: parse everything.
    }
    return new ShapeCache(path, entries);
  }

  /** The parse of `file` if its text and expected name are unchanged. */
  get(file: string, name: string, text: string): ParsedShapeFile | undefined {
    const entry = this.#entries.get(file);
    return entry?.name === name && entry.text === text
      ? entry.parsed
      : undefined;
  }

  /**
   * Remembers a parse; {@linkcode save} writes it. A parse that JSON would
   * not carry exactly (e.g. `.inf` in a display hint) is not kept.
   */
  set(file: string, name: string, text: string, parsed: ParsedShapeFile): void {
    if (!survivesJson(parsed)) return;
    this.#entries.set(file, { name, text, parsed });
    this.#dirty = true;
  }

  /**
   * Writes the cache if anything changed, keeping only `files` (so deleted
   * shape files drop out). Atomic: a crash leaves the old file or the new.
   * A failure (read-only or full disk) is ignored: the cache is optional.
   */
  async save(files: Iterable<string>): Promise<void> {
    const keep = new Set(files);
    for (const file of this.#entries.keys()) {
      if (!keep.has(file)) {
        this.#entries.delete(file);
        this.#dirty = true;
      }
    }
    if (!this.#dirty) return;
    const text = JSON.stringify({
      format: FORMAT,
      engine: VERSION,
      files: Object.fromEntries(this.#entries),
    });
    const temporary = `${this.#path}.${Deno.pid}.tmp`;
    try {
      await Deno.writeTextFile(temporary, text, { mode: 0o600 });
      await Deno.rename(temporary, this.#path);
      this.#dirty = false;
    } catch {
      await Deno.remove(temporary).catch(() => {});
    }
  }
}

function isEntry(value: unknown): value is Entry {
  const entry = value as Entry;
  return typeof entry === "object" && entry !== null &&
    typeof entry.name === "string" && typeof entry.text === "string" &&
    typeof entry.parsed === "object" && entry.parsed !== null &&
    Array.isArray(entry.parsed.problems);
}

function survivesJson(value: unknown): boolean {
  if (value === null || typeof value === "string") return true;
  if (typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(survivesJson);
  if (
    typeof value === "object" &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    return Object.values(value).every((v) =>
      v === undefined || survivesJson(v)
    );
  }
  return false;
}
