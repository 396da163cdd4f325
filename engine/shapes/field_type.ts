/**
 * Field types of shapes: the scalar type names, the parsed {@link FieldSpec},
 * and the standard fields every shape has without declaring them.
 *
 * @module
 */

/** A field's scalar type, as written in a shape's `fields` (without `[]`). */
export type ScalarType =
  | "string"
  | "text"
  | "integer"
  | "number"
  | "boolean"
  | "datetime"
  | "url"
  | "enum"
  | "json";

/** Every {@link ScalarType}, in the order the design lists them. */
export const SCALAR_TYPES: readonly ScalarType[] = [
  "string",
  "text",
  "integer",
  "number",
  "boolean",
  "datetime",
  "url",
  "enum",
  "json",
];

/** A parsed field declaration: `integer`, `string[]`, `{type: enum, values: [a, b]}`. */
export interface FieldSpec {
  /** The scalar type; for a list, the type of each element. */
  type: ScalarType;
  /** True for `T[]`: the value is a list of `type` elements. */
  list: boolean;
  /** The allowed values of an `enum` field, in the order declared. */
  values?: string[];
  /** What the field means, when the shape says. */
  description?: string;
}

/**
 * Fields every shape has without declaring them. A shape that declares a field
 * or a relation with one of these keys replaces it (a feed post's `author` is
 * a relation to an account, not a string).
 */
export const STANDARD_FIELDS: Readonly<Record<string, Readonly<FieldSpec>>> =
  Object.freeze({
    id: Object.freeze({
      type: "string",
      list: false,
      description:
        "The source's own id for the record (unique only at that source)",
    }),
    name: Object.freeze({
      type: "string",
      list: false,
      description: "What the record is called: its name or title",
    }),
    text: Object.freeze({
      type: "text",
      list: false,
      description: "A short plain-text body, summary or snippet",
    }),
    url: Object.freeze({
      type: "url",
      list: false,
      description: "The canonical web address of the record",
    }),
    image: Object.freeze({
      type: "url",
      list: false,
      description:
        "An image that represents the record (avatar, cover, thumbnail)",
    }),
    author: Object.freeze({
      type: "string",
      list: false,
      description: "Who made it, as written by the source",
    }),
    published: Object.freeze({
      type: "datetime",
      list: false,
      description: "When it was published, sent or created at its source",
    }),
    content: Object.freeze({
      type: "text",
      list: false,
      description: "The full body (article text, message body, transcript)",
    }),
  });

/**
 * Parses a field type name such as `"integer"` or `"string[]"`.
 *
 * @param name The type as written in a shape file.
 * @returns The scalar type and whether it is a list, or `undefined` when
 *   `name` is not a known type.
 * @example
 * ```ts
 * parseFieldType("string[]"); // { type: "string", list: true }
 * parseFieldType("strin");    // undefined
 * ```
 */
export function parseFieldType(
  name: string,
): { type: ScalarType; list: boolean } | undefined {
  const list = name.endsWith("[]");
  const base = list ? name.slice(0, -2) : name;
  return isScalarType(base) ? { type: base, list } : undefined;
}

/**
 * Tells whether a string is one of the {@link SCALAR_TYPES}.
 *
 * @param name The candidate type name.
 * @returns True when `name` is a scalar type.
 */
export function isScalarType(name: string): name is ScalarType {
  return (SCALAR_TYPES as readonly string[]).includes(name);
}

/**
 * Formats a field spec back into its short written form (`"enum[]"`, `"url"`).
 *
 * @param spec The field spec.
 * @returns The type name, with `[]` for a list.
 */
export function formatFieldType(
  spec: Pick<FieldSpec, "type" | "list">,
): string {
  return spec.list ? `${spec.type}[]` : spec.type;
}
