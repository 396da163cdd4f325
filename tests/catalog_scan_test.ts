import assert from "node:assert/strict";
import { scanSkillSource } from "../scripts/catalog_scan.ts";

Deno.test("scanSkillSource() finds packages, programs and local databases, not docstring words or the skill's own modules", async () => {
  const gaps = await scanSkillSource(
    new URL("./fixtures/catalog-scan/needs-things", import.meta.url).pathname,
  );
  assert.deepEqual(gaps.packages, ["lxml"]);
  assert.deepEqual(gaps.shell, ["a computed program", "git"]);
  assert.deepEqual(gaps.localDatabases, [
    "~/.config/someapp/state.db",
    "~/.local/share/notes/notes.db",
  ]);
  assert.deepEqual(gaps.macos, []);
  assert.equal(gaps.browserSession, false);
});
