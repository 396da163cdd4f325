import type { Graph, GraphTx } from "../graph/mod.ts";
import { isObject } from "../is_object.ts";
import type { SkillEntry, ToolInfo } from "../skills/mod.ts";
import { hasSkillState, keepSkillState, linkClaims } from "./skill_state.ts";
import type { RecordCounts } from "../broker/mod.ts";
import { copyWithout } from "../rpc/mod.ts";

/** What {@linkcode writeRecords} writes. */
export interface RecordWrite {
  /** The skill that returned the records. */
  skill: SkillEntry;
  /** The skill's node: every record gets an `imported_from` edge to it. */
  skillNode: string;
  /** The tool: its `@returns` types the records, its `@claims` links them to the owner. */
  tool: ToolInfo;
  /** What the caller sees (see {@linkcode callerResult}). */
  result: unknown;
  /** The tool's whole return value (`__cache__`, `__data__` are kept from it). */
  raw?: unknown;
}

/** Reserved keys of a tool's result that never reach the graph or the caller. */
const RESERVED = ["__secrets__", "__cache__", "__data__", "__cookie_delta__"];

/**
 * What the caller sees of a tool's return value: the `__result__` envelope
 * unwrapped, reserved engine keys (`__secrets__`…) removed.
 *
 * @param value the tool's return value
 * @returns the caller's view
 */
export function callerResult(value: unknown): unknown {
  if (!isObject(value)) return value;
  if ("__result__" in value) return value.__result__ ?? null;
  if (!RESERVED.some((key) => key in value)) return value;
  // Long strings keep the JSON a wire worker made of them (`made_json.ts`).
  return copyWithout(value, RESERVED);
}

/**
 * The shape a tool's `@returns` names and whether it is a list, or
 * undefined for an inline schema or no declaration.
 *
 * @param returns the tool's `@returns` argument
 * @returns the shape and list flag
 */
export function returnedShape(
  returns: unknown,
): { shape: string; list: boolean } | undefined {
  if (typeof returns !== "string" || returns === "") return undefined;
  const list = returns.endsWith("[]");
  return { shape: list ? returns.slice(0, -2) : returns, list };
}

/**
 * Most records one call stores, as `graph.import` takes (more are left out
 * with one warning): a 16 MiB result line holds hundreds of thousands.
 */
export const MAX_RECORDS_PER_CALL = 10_000;

/**
 * Records written per transaction; the engine serves other clients between
 * two. All in one transaction, a hostile result of 100,000 tiny records
 * held the engine's thread 8 s (another client's `graph.list` waited that
 * long); at about 0.1–0.2 ms a record, this many take well under 50 ms.
 */
export const RECORDS_PER_WRITE = 100;

/**
 * Writes the records of one call into the graph as actor `skill:<id>`,
 * each with an `imported_from` edge to the skill's node: at most
 * {@linkcode MAX_RECORDS_PER_CALL}, in transactions of
 * {@linkcode RECORDS_PER_WRITE} (a result that size or smaller is one
 * transaction), the engine serving other work between them. The first
 * keeps the skill's `__cache__`/`__data__`; each links the owner to its
 * records of a `@claims("primary_user")` tool. Items that are not objects
 * are left out with a warning; an item may name another shape with a
 * `shape` key.
 *
 * @param graph the graph
 * @param write the skill, its node, the tool's `@returns` and the result
 * @returns counts, warnings and ids
 * @throws {RpcError} StorageFailed when the database refuses a write (the
 *   transactions before it stay)
 */
export async function writeRecords(
  graph: Graph,
  write: RecordWrite,
): Promise<RecordCounts> {
  const counts = emptyCounts();
  const items = recordItems(graph, write, counts);
  if (items.length === 0 && !hasSkillState(write.raw)) return counts;
  await inParts(items, (part) =>
    graph.store.write(
      `skill:${write.skill.id}`,
      (tx) => writeItems(tx, graph, write, part, counts),
    ));
  return counts;
}

/**
 * Runs `write` over the items {@linkcode RECORDS_PER_WRITE} at a time (at
 * least once), letting the engine serve what waits between two parts (a
 * timer, so I/O callbacks run first).
 */
async function inParts(
  items: unknown[],
  write: (part: RecordPart) => void,
): Promise<void> {
  for (let from = 0; from === 0 || from < items.length;) {
    if (from > 0) await new Promise((resolve) => setTimeout(resolve, 0));
    write({ from, items: items.slice(from, from + RECORDS_PER_WRITE) });
    from += RECORDS_PER_WRITE;
  }
}

/**
 * What {@linkcode writeRecords} would report — the warnings of values it
 * could not convert and of records it would leave out — with nothing
 * stored: the write runs in a transaction that is rolled back. A call that
 * does not remember its records still shows why they would not fit.
 *
 * @param graph the graph
 * @param write the skill, its node, the tool's `@returns` and the result
 * @returns the warnings, with no record counted as created or updated
 * @throws {RpcError} StorageFailed when the database refuses
 */
export async function rehearseRecords(
  graph: Graph,
  write: RecordWrite,
): Promise<RecordCounts> {
  const counts = emptyCounts();
  const items = recordItems(graph, write, counts);
  if (items.length === 0) return counts;
  const rehearsed = { ...write, raw: undefined };
  await inParts(items, (part) =>
    graph.store.rehearse(
      `skill:${write.skill.id}`,
      (tx) => writeItems(tx, graph, rehearsed, part, counts),
    ));
  return { ...emptyCounts(), warnings: counts.warnings };
}

function emptyCounts(): RecordCounts {
  return { created: 0, updated: 0, warnings: [], ids: [] };
}

/** The items a result holds under its tool's `@returns` (none when the shape is not remembered). */
function recordItems(
  graph: Graph,
  { tool, result }: RecordWrite,
  counts: RecordCounts,
): unknown[] {
  const declared = returnedShape(tool.returns);
  if (!declared || result === null || result === undefined) return [];
  const shape = graph.shapes.get(declared.shape);
  if (!shape) {
    counts.warnings.push(
      `@returns names unknown shape "${declared.shape}"; nothing was remembered`,
    );
    return [];
  }
  if (!shape.remember) return [];
  const items = Array.isArray(result)
    ? result
    : isObject(result) && Array.isArray(result._items)
    ? result._items
    : [result];
  if (items.length <= MAX_RECORDS_PER_CALL) return items;
  counts.warnings.push(
    `${
      items.length - MAX_RECORDS_PER_CALL
    } records past the first ${MAX_RECORDS_PER_CALL} left out: one call stores at most ${MAX_RECORDS_PER_CALL}`,
  );
  return items.slice(0, MAX_RECORDS_PER_CALL);
}

/** One transaction's records: a slice of the result's, from index `from`. */
interface RecordPart {
  from: number;
  items: unknown[];
}

function writeItems(
  tx: GraphTx,
  graph: Graph,
  write: RecordWrite,
  { from, items }: RecordPart,
  counts: RecordCounts,
): void {
  const { skillNode, tool } = write;
  const declared = returnedShape(tool.returns)!;
  if (from === 0) {
    counts.warnings.push(
      ...keepSkillState(tx, { skillNode, value: write.raw }),
    );
  }
  const ids: string[] = [];
  for (const [at, item] of items.entries()) {
    const index = from + at;
    if (!isObject(item)) {
      counts.warnings.push(
        `[${index}]: expected an object for shape "${declared.shape}", got ${
          JSON.stringify(item)?.slice(0, 60)
        }; left out`,
      );
      continue;
    }
    const shape = typeof item.shape === "string" && graph.shapes.get(item.shape)
      ? item.shape
      : declared.shape;
    // A rehearsal has no skill node: its records point nowhere.
    const written = graph.writer.write(tx, shape, item, {
      provenance: skillNode === "" ? undefined : skillNode,
    });
    counts.created += written.nodesCreated;
    counts.updated += written.nodesUpdated;
    const prefix = from + items.length > 1 || declared.list
      ? `[${index}].`
      : "";
    counts.warnings.push(...written.warnings.map((w) => `${prefix}${w}`));
    if (written.id) ids.push(written.id);
  }
  counts.ids.push(...ids);
  linkClaims(tx, { tool, ids });
}
