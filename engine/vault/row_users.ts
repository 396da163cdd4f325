/**
 * Which skills may use each domain row (the `users` column, schema 8): the
 * rule a write applies, and the changes of an owner's grant, a removed
 * skill and the one-time recording of an older vault's rows. Pure: the
 * vault reads the rows and writes what these return.
 *
 * @module
 */

/**
 * Which skills a write allows to use the row. A row the write creates
 * gets `fresh` (for a domain that already holds rows, their skills
 * instead: a second account of a domain is shared as the first), then
 * `add`; a row it replaces keeps its skills and gets `add`: replacing a
 * value never allows a skill the owner did not allow before.
 */
export interface RowUsers {
  /** The skills a new row of a domain without rows allows. */
  fresh?: string[];
  /** The skills allowed on the row, new or replaced. */
  add?: string[];
}

/** A domain row as the rule reads it. */
export interface UserRow {
  domain: string;
  identifier: string;
  writer: string | null;
  /** Null: not recorded yet (a row of an older vault, or written while the skills load). */
  users: string[] | null;
}

/** One row's new users. */
export interface UsersChange {
  domain: string;
  identifier: string;
  users: string[];
}

/**
 * The skills of a row just written: a row a skill wrote, that skill
 * alone; a new row (no skills recorded yet) `fresh`, or the skills of its
 * domain's other rows; every row `add`.
 *
 * @param rows the domain rows, the written one included
 * @param written the row just written
 * @param users the write's rule
 * @returns the row's users, or undefined to leave it unrecorded (nothing
 *   known yet: no rule given, no other row, nothing to add)
 */
export function usersAfterWrite(
  rows: UserRow[],
  written: { domain: string; identifier: string },
  users: RowUsers,
): string[] | undefined {
  const { domain, identifier } = written;
  const row = rows.find((r) =>
    r.domain === domain && r.identifier === identifier
  );
  // A row a skill wrote serves that skill alone (`usableBy`).
  const writer = row?.writer ?? "";
  if (writer.startsWith("skill:")) return [writer.slice("skill:".length)];
  let now = row?.users;
  if (now === null || now === undefined) {
    const others = rows.filter((r) =>
      r.domain === domain && r.identifier !== identifier &&
      !(r.writer ?? "").startsWith("skill:")
    );
    // Before the skills are loaded nobody knows who declares the domain:
    // the row waits, unrecorded, for the recording at load.
    if (
      others.length === 0 && users.fresh === undefined &&
      (users.add ?? []).length === 0
    ) return undefined;
    now = others.length > 0
      ? others.flatMap((r) => r.users ?? [])
      : [...(users.fresh ?? [])];
  }
  return [...new Set([...now, ...(users.add ?? [])])].sort();
}

/**
 * The rows an owner's grant (or its taking back) changes: every row of the
 * domain the owner (or an older engine) wrote. A row a skill wrote serves
 * that skill alone, whatever is allowed.
 *
 * @param rows the domain rows
 * @param domain the vault domain
 * @param grant the skill, and whether it is allowed
 * @returns the changed rows
 */
export function allowChanges(
  rows: UserRow[],
  domain: string,
  grant: { skill: string; allowed: boolean },
): UsersChange[] {
  const { skill, allowed } = grant;
  return rows.filter((row) =>
    row.domain === domain && !(row.writer ?? "").startsWith("skill:") &&
    (row.users ?? []).includes(skill) !== allowed
  ).map((row) => ({
    domain: row.domain,
    identifier: row.identifier,
    users: allowed
      ? [...(row.users ?? []), skill].sort()
      : (row.users ?? []).filter((u) => u !== skill),
  }));
}

/**
 * A removed skill taken off every row: a skill added later under the same
 * id is not the one the owner allowed.
 *
 * @param rows the domain rows
 * @param skill the skill id
 * @returns the changed rows
 */
export function forgetChanges(rows: UserRow[], skill: string): UsersChange[] {
  return rows.filter((row) => (row.users ?? []).includes(skill)).map((
    row,
  ) => ({
    domain: row.domain,
    identifier: row.identifier,
    users: row.users!.filter((u) => u !== skill),
  }));
}

/**
 * A row's `users` column: a JSON array of skill ids, or null (not recorded).
 *
 * @param value the column's value
 * @returns the skill ids, or null
 */
export function usersOf(value: unknown): string[] | null {
  if (typeof value !== "string") return null;
  const parsed = JSON.parse(value);
  return Array.isArray(parsed)
    ? parsed.filter((u): u is string => typeof u === "string")
    : null;
}
