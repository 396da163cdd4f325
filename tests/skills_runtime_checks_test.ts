/**
 * `skills add` tells the truth at once: imports outside the standard
 * library and the SDK (with the command that installs them), ops the engine refuses, unknown @returns shapes and
 * unknown readme capabilities are problems at file:line, and `skills.list`
 * marks each tool that cannot work unavailable, with its reason.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { fixture } from "./skills_helpers.ts";

interface Problem {
  file: string;
  line: number | null;
  reason: string;
  severity: string;
}

Deno.test("skills add reports what cannot work at file:line, and skills.list marks those tools unavailable", async (t) => {
  await using engine = await EngineProcess.start();
  const client = await engine.client();
  const path = fixture("half-working");

  await t.step("validate names every problem", async () => {
    const { problems } = await client.call<{ problems: Problem[] }>(
      "skills.validate",
      { path },
    );
    const at = (pattern: RegExp) =>
      problems.find((p) => pattern.test(p.reason));
    const lxml = at(
      /Import of "lxml" is neither the standard library nor the AgentOS SDK/,
    )!;
    // A missing package is a warning naming the one command that installs it.
    assert.deepEqual([lxml.file, lxml.line, lxml.severity], [
      "scraper.py",
      3,
      "warning",
    ]);
    assert.match(lxml.reason, /agentos skills deps half-working/);
    const graph = at(/graph\.create\(\) is refused by the engine/)!;
    assert.deepEqual([graph.file, graph.line, graph.severity], [
      "good.py",
      21,
      "error",
    ]);
    const shape = at(/no shape "notebook"/)!;
    assert.deepEqual([shape.file, shape.line], ["good.py", 11]);
    const telepathy = at(/Unknown capability "telepathy"/)!;
    assert.deepEqual([telepathy.file, telepathy.severity], [
      "readme.md",
      "warning",
    ]);
    assert.equal(at(/"json"/), undefined, "the standard library is fine");
  });

  await t.step(
    "added (some tools can run), only the tools that can work are available",
    async () => {
      await client.call("skills.add", { path });
      const { skills } = await client.call<{
        skills: {
          id: string;
          tools: { name: string; available: boolean; unavailable?: string }[];
        }[];
      }>("skills.list");
      const tools = Object.fromEntries(
        skills.find((s) => s.id === "half-working")!.tools.map((
          tool,
        ) => [tool.name, tool]),
      );
      assert.equal(tools.jot!.available, true);
      assert.equal(tools.jot!.unavailable, undefined);
      assert.equal(tools.shelves!.available, false);
      assert.match(
        tools.shelves!.unavailable!,
        /^good\.py:11: .*no shape "notebook"/,
      );
      assert.equal(tools.remember_directly!.available, false);
      assert.match(
        tools.remember_directly!.unavailable!,
        /^good\.py:21: graph\.create\(\) is refused/,
      );
      // Its package is missing, not broken: `skills deps` fixes that.
      assert.equal(tools.scrape!.available, true);
    },
  );
});
