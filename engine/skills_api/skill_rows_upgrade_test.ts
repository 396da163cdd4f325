import assert from "node:assert/strict";
import type { SkillEntry } from "../skills/mod.ts";
import { skillRowMoves, type UpgradeRow } from "./skill_rows_upgrade.ts";

/** An installed skill without connections: its own key was a row named by its id. */
const nas = {
  id: "nas",
  discovery: { connections: [], problems: [] },
} as unknown as SkillEntry;

const OPENED = "2026-12-07T10:00:00.000Z";
const row = (
  updated_at: string,
  writer: string | null = "owner",
): UpgradeRow => ({
  domain: "nas",
  identifier: "",
  writer,
  updated_at,
});

Deno.test("skill rows upgrade: an older engine's row named by a skill's id moves; one written since this engine opened the vault stays", () => {
  assert.deepEqual(
    skillRowMoves([row("2026-12-06T09:00:00.000Z")], [nas], OPENED),
    [
      {
        domain: "nas",
        identifier: "",
        skill: "nas",
        updatedAt: "2026-12-06T09:00:00.000Z",
      },
    ],
  );
  assert.deepEqual(skillRowMoves([row(OPENED)], [nas], OPENED), []);
  assert.deepEqual(
    skillRowMoves([row("2026-12-07T10:00:00.001Z")], [nas], OPENED),
    [],
  );
  // Another skill's row stays that skill's domain row.
  assert.deepEqual(
    skillRowMoves(
      [row("2026-12-06T09:00:00.000Z", "skill:other")],
      [nas],
      OPENED,
    ),
    [],
  );
});
