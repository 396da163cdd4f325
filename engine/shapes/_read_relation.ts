/**
 * Reads one entry of a shape's `relations`: `label: shape`, `label: shape[]`
 * or `label: { shape, description }`. Private to `engine/shapes/`.
 *
 * @module
 */

import { isMap, type Node } from "yaml";
import {
  RELATION_KEY_PATTERN,
  type RelationSpec,
  SHAPE_NAME_PATTERN,
} from "./shape.ts";
import type { Located, YamlReader } from "./_yaml_reader.ts";

/**
 * Reads one relation declaration, reporting every problem in it. Whether the
 * target shape exists is checked later, against all the shapes.
 *
 * @param r The reader of the shape file.
 * @param key The relation key (the edge label).
 * @param keyNode The key's node, for problems about the key.
 * @param node The declaration.
 * @returns The relation and where its target is written, or `undefined` when
 *   the declaration is broken.
 */
export function readRelation(
  r: YamlReader,
  key: string,
  keyNode: Node,
  node: Node | null,
): Located<RelationSpec> | undefined {
  if (!RELATION_KEY_PATTERN.test(key)) {
    r.report(
      keyNode,
      `Invalid relation key "${key}": relation keys are snake_case edge labels`,
    );
  }
  let targetNode: Node | null = node;
  let description: string | undefined;
  if (isMap(node)) {
    targetNode = null;
    for (const e of r.entries(node, `relation "${key}"`) ?? []) {
      if (e.key === "shape") targetNode = e.value;
      else if (e.key === "description") {
        description = r.string(e.value, `the description of relation "${key}"`);
      } else {
        r.report(
          e.keyNode,
          `Unknown key "${e.key}" in relation "${key}"; expected shape, description`,
        );
      }
    }
    if (targetNode === null) {
      r.report(node, `Relation "${key}" has no shape`);
      return undefined;
    }
  }
  const target = r.string(targetNode, `the shape of relation "${key}"`);
  if (target === undefined) return undefined;
  const list = target.endsWith("[]");
  const shape = list ? target.slice(0, -2) : target;
  if (!SHAPE_NAME_PATTERN.test(shape)) {
    r.report(
      targetNode,
      `Invalid shape name "${target}" for relation "${key}"`,
    );
    return undefined;
  }
  const spec: RelationSpec = { shape, list };
  if (description !== undefined) spec.description = description;
  return { value: spec, ...r.at(targetNode) };
}
