/**
 * Shapes: the YAML files that give the graph meaning. This subsystem parses
 * and checks shape files, resolves inheritance (`also`), and coerces values
 * to the types shapes declare. It is pure: it reads shape directories and
 * nothing else, and calls no other subsystem. The graph store and the RPC
 * handlers import only this file.
 *
 * @example
 * ```ts
 * import { coerceValue, ShapeRegistry } from "./mod.ts";
 *
 * const shapes = await ShapeRegistry.load(["shapes"]);
 * const task = shapes.get("task")!;
 * coerceValue("priority", "2", task.fields.priority); // { value: 2, type: "integer" }
 * shapes.descendants("message"); // ["email", "message"]
 * ```
 *
 * @module
 */

export {
  type FieldSpec,
  formatFieldType,
  isScalarType,
  parseFieldType,
  SCALAR_TYPES,
  type ScalarType,
  STANDARD_FIELDS,
} from "./field_type.ts";
export {
  defaultPlural,
  FIELD_KEY_PATTERN,
  RELATION_KEY_PATTERN,
  type RelationSpec,
  type Shape,
  SHAPE_NAME_PATTERN,
  type ShapeProblem,
} from "./shape.ts";
export { ShapeCache } from "./shape_cache.ts";
export {
  type LoadOptions,
  MAX_SHAPE_FILE_BYTES,
  ShapeRegistry,
} from "./shape_registry.ts";
export {
  type Coerced,
  coerceValue,
  LONG_STRING_CHARS,
  storageType,
  type ValueType,
} from "./coerce.ts";
export { parseDatetime, UNIX_SECONDS_LIMIT } from "./parse_datetime.ts";
