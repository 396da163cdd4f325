/**
 * `shapes.*`: the loaded shapes with their live node counts, one shape's
 * definition, and adding a shape file to the owner's shapes directory.
 *
 * @module
 */
import { invalidParams } from "../errors.ts";
import { method, type MethodTable, param } from "../rpc/mod.ts";
import type { ShapeRegistry } from "../shapes/mod.ts";
import type { GraphStore } from "./graph_store.ts";
import type { LiveShapes } from "./live_shapes.ts";
import { notFound, unknownShape } from "./method_errors.ts";
import { liveShapeCounts, shapeHeading } from "./shape_summary.ts";

/** What the shapes methods work on. */
export interface ShapesMethodsContext {
  store: GraphStore;
  shapes: ShapeRegistry;
  /** Writes and reloads shape files (`shapes.add`). */
  live: LiveShapes;
}

/**
 * The `shapes.*` methods.
 *
 * @param context the store (for counts), the shapes and their live reloader
 * @returns the method table
 */
export function shapesMethods(context: ShapesMethodsContext): MethodTable {
  const { store, shapes, live } = context;
  return {
    "shapes.list": method({}, () => listShapes(store, shapes)),

    "shapes.get": method({ name: param.string(64) }, ({ name }) => {
      const shape = shapes.get(name);
      if (!shape) throw notFound(unknownShape(name, shapes));
      return shape;
    }),

    "shapes.add": method(
      { file: param.string(4096), text: shapeText },
      async ({ file, text }) => await live.add(file, text),
    ),
  };
}

function listShapes(store: GraphStore, shapes: ShapeRegistry) {
  const counts = liveShapeCounts(store);
  return {
    shapes: shapes.list().map((shape) => ({
      ...shapeHeading(shape),
      fields: Object.keys(shape.fields).length,
      relations: Object.keys(shape.relations),
      count: counts.get(shape.name) ?? 0,
    })),
    problems: shapes.problems,
    generation: shapes.generation,
  };
}

function shapeText(params: Record<string, unknown>, key: string): string {
  const text = params[key];
  if (typeof text !== "string") {
    throw invalidParams(`"${key}" must be the shape file's YAML`);
  }
  return text;
}
