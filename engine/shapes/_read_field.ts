/**
 * Reads one entry of a shape's `fields`: `key: type` or
 * `key: { type, values, description }`. Private to `engine/shapes/`.
 *
 * @module
 */

import { isMap, isScalar, isSeq, type Node } from "yaml";
import {
  type FieldSpec,
  formatFieldType,
  parseFieldType,
} from "./field_type.ts";
import { FIELD_KEY_PATTERN } from "./shape.ts";
import { describe, type YamlReader } from "./_yaml_reader.ts";

const FIELD_SPEC_KEYS = ["type", "values", "description"];

/**
 * Reads one field declaration, reporting every problem in it.
 *
 * @param r The reader of the shape file.
 * @param key The field key.
 * @param keyNode The key's node, for problems about the key.
 * @param node The declaration.
 * @returns The field spec, or `undefined` when the declaration is broken.
 */
export function readField(
  r: YamlReader,
  key: string,
  keyNode: Node,
  node: Node | null,
): FieldSpec | undefined {
  if (!FIELD_KEY_PATTERN.test(key)) {
    r.report(keyNode, `Invalid field key "${key}": field keys are camelCase`);
  }
  let typeNode: Node | null = null;
  let valuesNode: Node | null = null;
  let description: string | undefined;
  if (isScalar(node) && typeof node.value === "string") typeNode = node;
  else if (isMap(node)) {
    for (const e of r.entries(node, `field "${key}"`) ?? []) {
      if (e.key === "type") typeNode = e.value;
      else if (e.key === "values") valuesNode = e.value;
      else if (e.key === "description") {
        description = r.string(e.value, `the description of field "${key}"`);
      } else {
        const expected = FIELD_SPEC_KEYS.join(", ");
        r.report(
          e.keyNode,
          `Unknown key "${e.key}" in field "${key}"; expected ${expected}`,
        );
      }
    }
    if (typeNode === null) r.report(node, `Field "${key}" has no type`);
  } else {
    const found = describe(node);
    r.report(
      node,
      `Expected a type name or a mapping for field "${key}", found ${found}`,
    );
  }
  if (typeNode === null) return undefined;
  const typeName = r.string(typeNode, `the type of field "${key}"`);
  if (typeName === undefined) return undefined;
  const parsed = parseFieldType(typeName);
  if (parsed === undefined) {
    r.report(typeNode, `Unknown field type "${typeName}" for field "${key}"`);
    return undefined;
  }
  const spec: FieldSpec = { type: parsed.type, list: parsed.list };
  if (parsed.type === "enum") {
    if (valuesNode === null) {
      const type = formatFieldType(spec);
      r.report(
        typeNode,
        `Enum field "${key}" has no values; write { type: ${type}, values: [...] }`,
      );
      return undefined;
    }
    const values = readEnumValues(r, key, valuesNode);
    if (values === undefined) return undefined;
    spec.values = values;
  } else if (valuesNode !== null) {
    r.report(
      valuesNode,
      `Field "${key}" has values but type "${typeName}"; only enum fields take values`,
    );
    return undefined;
  }
  if (description !== undefined) spec.description = description;
  return spec;
}

function readEnumValues(
  r: YamlReader,
  key: string,
  node: Node,
): string[] | undefined {
  if (!isSeq(node) || node.items.length === 0) {
    const found = describe(node);
    r.report(
      node,
      `Expected a non-empty list of values for enum field "${key}", found ${found}`,
    );
    return undefined;
  }
  const values: string[] = [];
  for (const item of node.items.map((i) => r.resolve(i as Node))) {
    const v = isScalar(item) ? item.value : undefined;
    if (
      typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean"
    ) {
      const found = describe(item);
      r.report(
        item,
        `Expected a scalar value for enum field "${key}", found ${found}`,
      );
      return undefined;
    }
    if (values.includes(String(v))) {
      r.report(item, `Value "${String(v)}" repeats in enum field "${key}"`);
      return undefined;
    }
    values.push(String(v));
  }
  return values;
}
