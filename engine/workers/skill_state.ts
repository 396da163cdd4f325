/**
 * What a skill keeps between calls and what a tool claims for the owner:
 * `__cache__` / `__data__` in a tool's return value are merged into the
 * skill's own rows of `skill_state` (keys `cache` and `data`) and handed to
 * the next call as `params["cache"]` / `params["data"]`. The table is not
 * part of the graph: no skill's `sql.query` reads it (the SQL broker
 * denies it like the vault), so one skill's cursors and endpoints stay its
 * own (`tests/hostile_skill_state_test.ts`). `@claims("primary_user")`
 * links the owner's person node `—claims→` every top-level record the tool
 * returned.
 *
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { Graph, GraphTx } from "../graph/mod.ts";
import { isObject } from "../is_object.ts";
import type { ToolInfo } from "../skills/mod.ts";

/** The reserved return keys and the node values (and params) they become. */
const STATE = [["__cache__", "cache"], ["__data__", "data"]] as const;

/** Largest state object kept per key, in characters of its JSON. */
export const MAX_STATE_CHARS = 256 * 1024;

/**
 * The call's parameters with the skill's kept state added as `cache` and
 * `data`, unless the caller passed those or the tool names a parameter so.
 *
 * @param graph the graph
 * @param call the skill's id, the tool and the caller's parameters
 * @returns the parameters to call the tool with
 */
export function withSkillState(
  graph: Graph,
  call: { skillId: string; tool: ToolInfo; params: Record<string, unknown> },
): Record<string, unknown> {
  const kwargs = { ...call.params };
  const rows = stateQuery(graph.store.db).all(call.skillId) as {
    key: string;
    value: string;
  }[];
  for (const { key, value } of rows) {
    let kept: unknown;
    try {
      kept = JSON.parse(value);
    } catch {
      continue; // not ours to hand over
    }
    if (
      isObject(kept) && kwargs[key] === undefined &&
      !call.tool.params.some((p) => p.name === key)
    ) kwargs[key] = kept;
  }
  return kwargs;
}

/** The query of a skill's state, compiled once per database (every call asks). */
const STATE_QUERY = new WeakMap<DatabaseSync, StatementSync>();

function stateQuery(db: DatabaseSync): StatementSync {
  let query = STATE_QUERY.get(db);
  if (query === undefined) {
    query = db.prepare(
      `SELECT key, value FROM skill_state
        WHERE skill = ? AND key IN ('cache', 'data')`,
    );
    STATE_QUERY.set(db, query);
  }
  return query;
}

/** Whether a tool's return value carries `__cache__` or `__data__`. */
export function hasSkillState(value: unknown): boolean {
  return isObject(value) && STATE.some(([reserved]) => reserved in value);
}

/**
 * Merges a tool's `__cache__` / `__data__` into the skill's state (keys of
 * the new object replace the kept ones; `null` removes a key). Not an
 * object, or too large: left out with a warning.
 *
 * @param tx the call's write
 * @param write the skill's node and the tool's raw return value
 * @returns warnings
 */
export function keepSkillState(
  tx: GraphTx,
  write: { skillNode: string; value: unknown },
): string[] {
  const { value, skillNode } = write;
  if (!isObject(value)) return [];
  const skill = tx.query(
    "SELECT value FROM node_values WHERE node_id = ? AND key = 'skillId'",
    [skillNode],
  )?.value;
  if (typeof skill !== "string") return [];
  const warnings: string[] = [];
  for (const [reserved, key] of STATE) {
    if (!(reserved in value)) continue;
    const incoming = value[reserved];
    if (!isObject(incoming)) {
      warnings.push(`${reserved} must be an object; left out`);
      continue;
    }
    const json = mergedState(tx, { skill, key, incoming });
    if (json.length > MAX_STATE_CHARS) {
      warnings.push(
        `${reserved} would exceed ${MAX_STATE_CHARS} characters; left out`,
      );
      continue;
    }
    // An upsert through the write's one statement runner (RETURNING makes
    // it a query); the write's transaction covers it.
    tx.query(
      `INSERT INTO skill_state (skill, key, value, updated_at)
         VALUES (?, ?, ?, ?)
       ON CONFLICT (skill, key) DO UPDATE
         SET value = excluded.value, updated_at = excluded.updated_at
       RETURNING key`,
      [skill, key, json, tx.at],
    );
  }
  return warnings;
}

/** The kept object of one key with `incoming` merged in, as JSON. */
function mergedState(
  tx: GraphTx,
  state: { skill: string; key: string; incoming: Record<string, unknown> },
): string {
  const row = tx.query(
    "SELECT value FROM skill_state WHERE skill = ? AND key = ?",
    [state.skill, state.key],
  );
  let kept: unknown = {};
  try {
    kept = JSON.parse(String(row?.value ?? "{}"));
  } catch {
    // Not ours to keep.
  }
  const merged: Record<string, unknown> = {
    ...(isObject(kept) ? kept : {}),
    ...state.incoming,
  };
  for (const [k, v] of Object.entries(merged)) {
    if (v === null) delete merged[k];
  }
  return JSON.stringify(merged);
}

/**
 * Links the owner's person node `—claims→` each record, for a tool with
 * `@claims("primary_user")`. The owner is the node the `user.node` setting
 * names, else the oldest live node with `isSelf: true`, else a new person
 * marked `isSelf`.
 *
 * @param tx the call's write
 * @param claim the tool and the top-level record ids
 */
export function linkClaims(
  tx: GraphTx,
  claim: { tool: ToolInfo; ids: string[] },
): void {
  if (!claim.tool.claims.includes("primary_user") || claim.ids.length === 0) {
    return;
  }
  let owner = ownerNode(tx);
  if (owner === undefined) {
    owner = tx.createNode();
    tx.addShape(owner, "person");
    tx.setValue(owner, "isSelf", { type: "boolean", value: true });
  }
  for (const id of claim.ids) if (id !== owner) tx.link(owner, "claims", id);
}

function ownerNode(tx: GraphTx): string | undefined {
  const setting = tx.query(
    `SELECT s.value AS id FROM settings s WHERE s.key = 'user.node'`,
    [],
  );
  if (typeof setting?.id === "string") {
    let id: unknown = setting.id;
    try {
      id = JSON.parse(setting.id);
    } catch {
      // A bare id.
    }
    const live = typeof id === "string"
      ? tx.query("SELECT id FROM nodes WHERE id = ? AND deleted_at IS NULL", [
        id,
      ])
      : undefined;
    if (live) return id as string;
  }
  const marked = tx.query(
    `SELECT v.node_id AS id FROM node_values v
       JOIN nodes n ON n.id = v.node_id AND n.deleted_at IS NULL
     WHERE v.key = 'isSelf' AND v.value = 1 AND v.type = 'boolean'
     ORDER BY v.node_id LIMIT 1`,
    [],
  );
  return marked?.id as string | undefined;
}
