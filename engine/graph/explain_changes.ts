/**
 * Plain-language reasons for the changes `graph.history` returns where the
 * owner and a skill wrote the same key: which value won, and why.
 *
 * @module
 */
import type { ChangeEvent } from "./change_log.ts";
import { isOwnerActor } from "./owner_wins.ts";

/** A change with, where one helps, the reason for its outcome. */
export type ExplainedChange = ChangeEvent & { explanation?: string };

/**
 * Adds an `explanation` to `keep` changes (an import left the owner's value
 * in place) and to skill `set` changes that replaced a value the owner
 * wrote (the shape makes the source authoritative for that key).
 *
 * @param changes one node's changes, oldest first
 * @returns the same changes, some explained
 */
export function explainChanges(changes: ChangeEvent[]): ExplainedChange[] {
  const lastWriter = new Map<string, string>();
  return changes.map((change) => {
    const slot = `${change.targetId}\u0000${change.key}`;
    const before = lastWriter.get(slot);
    let explanation: string | undefined;
    if (change.op === "keep") {
      explanation = `Kept ${JSON.stringify(change.old)}, which ${
        before ?? "the owner"
      } wrote; ${change.actor} proposed ${
        JSON.stringify(change.new)
      }, and an import does not replace what the owner wrote unless the shape lists "${change.key}" as authoritative`;
    } else if (change.op === "set" || change.op === "unset") {
      if (
        change.actor.startsWith("skill:") && before !== undefined &&
        isOwnerActor(before)
      ) {
        explanation =
          `Replaced the value ${before} wrote: the shape lists "${change.key}" as authoritative, so ${change.actor}'s import is the truth for it`;
      }
      lastWriter.set(slot, change.actor);
    }
    return explanation === undefined ? change : { ...change, explanation };
  });
}
