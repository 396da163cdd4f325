import type { DatabaseSync } from "node:sqlite";
import type { Shape, ShapeRegistry } from "../engine/shapes/mod.ts";

/**
 * The shapes the running engine loaded, read from the graph's `shapes` table
 * (the engine rewrites it at every start). Reading the table rather than the
 * YAML directories means the bridge sees exactly what the engine coerces
 * with — even when a shape file was edited since — and needs no read
 * permission beyond `$AGENTOS_HOME`.
 */
export class ShapeCatalog {
  #db: DatabaseSync;
  #stamp = "";
  #shapes = new Map<string, Shape>();

  /** @param db the bridge's read-only connection */
  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** Every loaded shape, sorted by name (reloaded after an engine restart). */
  list(): Shape[] {
    this.#refresh();
    return [...this.#shapes.values()];
  }

  /**
   * @param name a shape name
   * @returns the shape, or undefined
   */
  get(name: string): Shape | undefined {
    this.#refresh();
    return this.#shapes.get(name);
  }

  /**
   * A registry view for the engine's query module, which looks shapes up
   * by name and lists them.
   *
   * @returns the catalog typed as a registry
   */
  asRegistry(): ShapeRegistry {
    // TODO(#7): `listNodes` only calls `get()` and `list()` (for "did you
    // mean"); once it takes `Pick<ShapeRegistry, "get" | "list">`, pass the
    // catalog itself instead.
    return {
      get: (name: string) => this.get(name),
      list: () => this.list(),
    } as unknown as ShapeRegistry;
  }

  /**
   * A node's display title: the value its first shape's `display.title`
   * names, else `name`, `title` or `text`, else undefined.
   *
   * @param shapes the node's shapes
   * @param values the node's values
   * @returns the title, at most 200 characters
   */
  titleOf(
    shapes: string[],
    values: Record<string, unknown>,
  ): string | undefined {
    const keys: string[] = [];
    for (const name of shapes) {
      const title = this.get(name)?.display.title;
      if (typeof title === "string") keys.push(title);
    }
    keys.push("name", "title", "text");
    for (const key of keys) {
      const value = values[key];
      if (typeof value === "string" && value.trim() !== "") {
        return value.trim().slice(0, 200);
      }
      if (typeof value === "number") return String(value);
    }
    return undefined;
  }

  #refresh(): void {
    const { stamp } = this.#db.prepare(
      "SELECT count(*) || ':' || coalesce(max(loaded_at), '') AS stamp FROM shapes",
    ).get() as { stamp: string };
    if (stamp === this.#stamp) return;
    const shapes = new Map<string, Shape>();
    const rows = this.#db.prepare(
      "SELECT name, definition FROM shapes ORDER BY name",
    )
      .all() as { name: string; definition: string }[];
    for (const row of rows) {
      try {
        shapes.set(row.name, JSON.parse(row.definition) as Shape);
      } catch {
        // A row this version cannot read: leave the shape out, keep the rest.
      }
    }
    this.#shapes = shapes;
    this.#stamp = stamp;
  }
}
