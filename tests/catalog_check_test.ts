/**
 * `scripts/deno task catalog-check` agrees with real runs: over the gap
 * fixtures of issue 26 (tests/fixtures/catalog-gaps), its verdict for each
 * is the one tests/catalog_gaps_test.ts and tests/catalog_deps_test.ts
 * prove by running it (`GAP_VERDICTS`): clear for what runs once granted,
 * blocked (naming `agentos skills deps`) for a package not yet installed.
 */
import assert from "node:assert/strict";
import { realPython, REPO_ROOT } from "./_task_command.ts";
import { GAP_VERDICTS, GAPS_CATALOG } from "./_catalog_gaps.ts";

interface Verdict {
  dir: string;
  id: string | null;
  blocking: string[];
  platform: string[];
  notes: string[];
}

Deno.test("catalog-check: each gap fixture's verdict matches its run", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "scripts/catalog_check.ts", GAPS_CATALOG, "--json"],
    cwd: REPO_ROOT,
    env: { AGENTOS_PYTHON: realPython() },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, stderr);
  const text = new TextDecoder().decode(out.stdout);
  const verdicts: Verdict[] = JSON.parse(
    text.slice(0, text.lastIndexOf("]") + 1),
  );
  const got = Object.fromEntries(verdicts.map((v) => [
    v.dir,
    v.blocking.length > 0
      ? "blocked"
      : v.platform.length > 0
      ? "platform"
      : "clear",
  ]));
  assert.deepEqual(got, GAP_VERDICTS, JSON.stringify(verdicts, null, 2));
  const yaml = verdicts.find((v) => v.dir === "yaml-config")!;
  assert.match(
    yaml.blocking.join("; "),
    /PyYAML.*agentos skills deps yaml-config/,
  );
  const repo = verdicts.find((v) => v.dir === "repo-notes")!;
  assert.match(repo.notes.join("; "), /needs a --run grant: git/);
  const outline = verdicts.find((v) => v.dir === "page-outline")!;
  assert.doesNotMatch(outline.blocking.join("; "), /lxml/);
});
