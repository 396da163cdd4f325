import type { Statements } from "./statements.ts";

/** Options of `GraphTx.setValue`. */
export interface SetValueOptions {
  /**
   * Leave the stored value (or its removal) in place when its last writer
   * passes this test, and record the proposal as a `keep` change: a skill's
   * import yields to what the owner wrote.
   */
  yieldTo?: (actor: string) => boolean;
}

/**
 * Whether an actor is the owner: the CLI (`user`), an agent over MCP
 * (`agent:<client>`) or an app through the bridge (`app:<origin>`), as
 * opposed to a skill or the engine itself.
 *
 * @param actor a change log actor
 * @returns true for the owner's own writes
 */
export function isOwnerActor(actor: string): boolean {
  return actor === "user" || actor.startsWith("agent:") ||
    actor.startsWith("app:");
}

/**
 * What becomes of a proposed value that differs from the stored one:
 * `write` it; leave the stored one, the same proposal being `on record`
 * already as a `keep` change; or `keep` the stored one and record the
 * proposal as a `keep` change.
 */
export type OwnerVerdict = "write" | "on record" | "keep";

/**
 * Owner wins: whether the value's last writer (set or unset) passes
 * `yieldTo`, so the proposal is recorded once as a `keep` change (old: what
 * stays, new: what was proposed) and the value is left alone.
 *
 * @param sql prepared statements, inside the write's transaction
 * @param actor who proposes the value
 * @param nodeId the node
 * @param key the value's key
 * @param proposed the proposed value (JSON)
 * @param yieldTo whose writes stand
 * @returns the verdict; the caller records a `keep` change on `keep`
 */
export function ownerVerdict(
  sql: Statements,
  actor: string,
  nodeId: string,
  key: string,
  proposed: unknown,
  yieldTo: (actor: string) => boolean,
): OwnerVerdict {
  const last = sql.get(
    `SELECT actor, op, new_value FROM changes
     WHERE target_id = ? AND key = ? AND op IN ('set', 'unset', 'keep')
     ORDER BY id DESC LIMIT 1`,
  ).get(nodeId, key) as
    | { actor: string; op: string; new_value: string | null }
    | undefined;
  if (last === undefined) return "write";
  const proposal = JSON.stringify(proposed);
  if (last.op === "keep") {
    // Proposed again: already on record, the owner's value still stands.
    if (last.actor === actor && last.new_value === proposal) return "on record";
    const writer = sql.get(
      `SELECT actor FROM changes WHERE target_id = ? AND key = ?
         AND op IN ('set', 'unset') ORDER BY id DESC LIMIT 1`,
    ).get(nodeId, key) as { actor: string } | undefined;
    if (writer === undefined || !yieldTo(writer.actor)) return "write";
  } else if (!yieldTo(last.actor)) return "write";
  return "keep";
}
