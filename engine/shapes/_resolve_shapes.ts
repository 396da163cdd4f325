/**
 * Resolves parsed shape definitions against each other: `also` targets and
 * cycles, inheritance of fields, relations, identity and display, relation
 * targets, identity keys and display references. Private to `engine/shapes/`.
 *
 * @module
 */

import { type FieldSpec, STANDARD_FIELDS } from "./field_type.ts";
import type { RelationSpec, Shape, ShapeProblem } from "./shape.ts";
import type { ShapeDefinition } from "./shape_definition.ts";
import type { Located, Position } from "./_yaml_reader.ts";

/** The outcome of {@link resolveShapes}. */
export interface ResolvedShapes {
  shapes: Map<string, Shape>;
  problems: ShapeProblem[];
}

/**
 * Resolves every sound definition into a frozen {@link Shape}.
 *
 * A shape does not load when its `also` names a shape no file defines, when
 * it is part of an `also` cycle, when a parent did not load, when a relation
 * names a shape no file defines, or when an identity key or display reference
 * is neither a field nor a relation after inheritance. A relation to a shape
 * whose own file is broken is allowed: that file has its own problem.
 *
 * @param definitions Sound definitions by name.
 * @param known Every shape name some file claims, sound or broken.
 * @returns The loaded shapes by name, and every problem found.
 */
export function resolveShapes(
  definitions: Map<string, ShapeDefinition>,
  known: Set<string>,
): ResolvedShapes {
  const problems: ShapeProblem[] = [];
  const failed = new Set<string>();
  const fail = (def: ShapeDefinition, at: Position, reason: string) => {
    problems.push({
      file: def.file,
      line: at.line,
      column: at.column,
      shape: def.name,
      reason,
    });
    failed.add(def.name);
  };

  for (const def of definitions.values()) {
    for (const parent of def.also.filter((p) => !known.has(p.value))) {
      fail(
        def,
        parent,
        `Shape "${def.name}" has unknown shape "${parent.value}" in also`,
      );
    }
    for (const [label, rel] of Object.entries(def.relations)) {
      if (known.has(rel.value.shape)) continue;
      fail(
        def,
        rel,
        `Relation "${label}" of shape "${def.name}" names unknown shape "${rel.value.shape}"`,
      );
    }
  }
  for (const [name, path] of findCycles(definitions)) {
    const def = definitions.get(name)!;
    if (failed.has(name)) continue;
    const hop = def.also.find((p) => p.value === path[1]) ?? def.at;
    const chain = path.map((n) => `"${n}"`).join(" → ");
    fail(
      def,
      hop,
      `Shape "${name}" is in an inheritance cycle ${chain}; none of these shapes load`,
    );
  }

  const shapes = new Map<string, Shape>();
  const resolve = (name: string): Shape | undefined => {
    const done = shapes.get(name);
    if (done !== undefined || failed.has(name)) return done;
    const def = definitions.get(name);
    if (def === undefined) return undefined;
    for (const p of def.also) {
      if (resolve(p.value) === undefined) {
        fail(
          def,
          p,
          `Shape "${name}" cannot load because its parent "${p.value}" did not load`,
        );
        return undefined;
      }
    }
    const shape = build(def, definitions, shapes);
    const unresolved = unresolvedKeys(def, shape);
    for (const key of unresolved) fail(def, key, key.reason);
    if (unresolved.length > 0) return undefined;
    shapes.set(name, deepFreeze(shape));
    return shape;
  };
  for (const name of definitions.keys()) resolve(name);
  return { shapes, problems };
}

/** Every shape on an `also` cycle, with one cycle path from it back to itself. */
function findCycles(
  definitions: Map<string, ShapeDefinition>,
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const parents = (n: string) =>
    (definitions.get(n)?.also ?? []).map((p) => p.value).filter((p) =>
      definitions.has(p)
    );
  for (const start of definitions.keys()) {
    // Breadth-first from `start` through parents until `start` comes back:
    // the shortest cycle through it, if any.
    const reachedFrom = new Map<string, string>();
    const queue = [start];
    for (let i = 0; i < queue.length && !reachedFrom.has(start); i++) {
      for (const p of parents(queue[i]!)) {
        if (!reachedFrom.has(p)) {
          reachedFrom.set(p, queue[i]!);
          queue.push(p);
        }
      }
    }
    if (!reachedFrom.has(start)) continue;
    const path = [start];
    for (
      let n = reachedFrom.get(start)!;
      n !== start;
      n = reachedFrom.get(n)!
    ) {
      path.unshift(n);
    }
    out.set(start, [start, ...path]);
  }
  return out;
}

function build(
  def: ShapeDefinition,
  definitions: Map<string, ShapeDefinition>,
  shapes: Map<string, Shape>,
): Shape {
  const ancestors: string[] = [];
  const queue = def.also.map((p) => p.value);
  for (let i = 0; i < queue.length; i++) {
    const name = queue[i]!;
    if (ancestors.includes(name) || name === def.name) continue;
    ancestors.push(name);
    queue.push(...shapes.get(name)!.also);
  }
  const fields: Record<string, FieldSpec> = {};
  const relations: Record<string, RelationSpec> = {};
  let display: Record<string, unknown> = {};
  // Farthest ancestor first, so that nearer declarations replace farther ones.
  const levels = [...ancestors].reverse().map((a) => definitions.get(a)!);
  for (const level of [...levels, def]) {
    for (const [key, spec] of Object.entries(level.fields)) {
      delete relations[key];
      fields[key] = structuredClone(spec);
    }
    for (const [key, rel] of Object.entries(level.relations)) {
      delete fields[key];
      relations[key] = structuredClone(rel.value);
    }
    display = { ...display, ...structuredClone(level.display) };
  }
  for (const [key, spec] of Object.entries(STANDARD_FIELDS)) {
    if (!(key in fields) && !(key in relations)) fields[key] = { ...spec };
  }
  // The shape, then its ancestors nearest first: who declares an
  // inherited setting.
  const lineage = [def, ...ancestors.map((a) => definitions.get(a)!)];
  const owner = lineage.find((d) =>
    d.identity !== undefined || d.identityAny !== undefined
  );
  return {
    name: def.name,
    plural: def.plural,
    description: def.description,
    also: def.also.map((p) => p.value),
    ancestors,
    fields,
    identity: (owner?.identity ?? []).map((k) => k.value),
    identityAny: (owner?.identityAny ?? []).map((k) => k.value),
    relations,
    display,
    remember: lineage.find((d) => d.remember !== undefined)?.remember ?? true,
    authoritative: (lineage.find((d) => d.authoritative !== undefined)
      ?.authoritative ?? []).map((k) => k.value),
    file: def.file,
  };
}

/** Own identity keys and display references that name no field or relation. */
function unresolvedKeys(
  def: ShapeDefinition,
  shape: Shape,
): (Position & { reason: string })[] {
  const groups: [Located<string>[] | undefined, string][] = [
    [def.identity, "Identity"],
    [def.identityAny, "Identity_any"],
    [def.authoritative, "Authoritative"],
    [def.displayRefs, "Display"],
  ];
  return groups.flatMap(([keys, what]) =>
    (keys ?? [])
      .filter((k) => !(k.value in shape.fields || k.value in shape.relations))
      .map((k) => ({
        line: k.line,
        column: k.column,
        reason:
          `${what} key "${k.value}" of shape "${def.name}" is neither a field nor a relation`,
      }))
  );
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
