/**
 * The audit trail against a hostile skill and a local editor: the chain's
 * head kept in the database catches a deleted tail, an emptied file and a
 * re-chained file (`agentos audit verify`); one call's lines are capped and
 * summed up; skill-chosen op names are escaped by `agentos audit tail`.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { EngineProcess } from "./_engine_process.ts";
import { runAgentos } from "./_cli.ts";
import { REPO_ROOT } from "./_task_command.ts";

type Line = Record<string, unknown> & { seq: number; prev: string };

const GENESIS = "0".repeat(64);
const FLOOD = `${REPO_ROOT}tests/fixtures/hostile/audit-flood`;

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Re-links lines into a valid chain from `prev`/`seq`, as a careful editor would. */
function rechain(lines: Line[], prev = GENESIS, seq = 0): string[] {
  return lines.map((line) => {
    const text = JSON.stringify({ ...line, seq: ++seq, prev });
    prev = sha256(text);
    return text;
  });
}

Deno.test("agentos audit verify catches a cut, emptied, re-chained or edited trail", async (t) => {
  const home = await Deno.makeTempDir({ prefix: "agentos-test-" });
  const cli = (...args: string[]) => runAgentos(home, args);
  try {
    {
      await using engine = await EngineProcess.start({ home });
      const client = await engine.client();
      await client.call("skills.add", { path: FLOOD });
      await client.call("skills.run", {
        skill: "audit-flood",
        tool: "flood",
        params: { count: 4 },
      });
    }
    const path = `${home}/logs/engine-io.jsonl`;
    const original = await Deno.readTextFile(path);
    const texts = original.trimEnd().split("\n");
    const lines = texts.map((text) => JSON.parse(text) as Line);
    assert.equal(lines.length, 5, "4 refused ops and the call line");

    const verify = async (text: string) => {
      await Deno.writeTextFile(path, text);
      try {
        return await cli("audit", "verify");
      } finally {
        await Deno.writeTextFile(path, original);
      }
    };
    const broken = async (text: string, message: RegExp) => {
      const run = await verify(text);
      assert.equal(
        run.code,
        1,
        `verify passed a tampered trail: ${run.stdout}`,
      );
      assert.match(run.stderr, message);
    };

    await t.step("the untouched trail verifies (engine stopped)", async () => {
      const run = await verify(original);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /5 lines, chain intact/);
    });

    await t.step("deleting the last line is reported", async () => {
      await broken(
        texts.slice(0, -1).join("\n") + "\n",
        /line 5 is missing: the engine wrote 5 lines, the file ends at number 4/,
      );
    });

    await t.step("emptying the file is reported", async () => {
      await broken("", /line 1 is missing: the engine wrote 5 lines.*none/);
    });

    await t.step(
      "deleting a line and re-chaining the rest is reported",
      async () => {
        const cut = rechain([...lines.slice(0, 2), ...lines.slice(3)]);
        await broken(
          cut.join("\n") + "\n",
          /line 5 is missing: the engine wrote 5 lines, the file ends at number 4/,
        );
        // …and re-chaining with a forged fifth line does not reach the head.
        const forged = rechain([
          ...lines.slice(0, 2),
          ...lines.slice(3),
          lines[4]!,
        ]);
        await broken(
          forged.join("\n") + "\n",
          /line 5 is not the line the engine wrote as number 5/,
        );
      },
    );

    await t.step(
      "an edited `at` is reported, mid-file and on the last line",
      async () => {
        const edit = (index: number) =>
          texts.map((text, i) =>
            i === index
              ? text.replace(/"at":"[^"]+"/, '"at":"2001-01-01T00:00:00.000Z"')
              : text
          ).join("\n") + "\n";
        assert.notEqual(edit(1), original);
        await broken(edit(1), /line 3 does not link to the line before/);
        await broken(
          edit(4),
          /line 5 is not the line the engine wrote as number 5/,
        );
      },
    );

    await t.step(
      "a mid-file line restarting the chain is reported",
      async () => {
        const restarted = [...texts.slice(0, 2), ...rechain(lines.slice(2))];
        assert.equal(JSON.parse(restarted[2]!).seq, 1);
        await broken(
          restarted.join("\n") + "\n",
          /line 3 does not link to the line before/,
        );
      },
    );

    await t.step(
      "an engine restarted on an emptied trail continues the recorded chain",
      async () => {
        await Deno.writeTextFile(path, "");
        {
          await using engine = await EngineProcess.start({ home });
          const client = await engine.client();
          await client.call("skills.run", {
            skill: "audit-flood",
            tool: "flood",
            params: { count: 1 },
          });
        }
        const first = JSON.parse(
          (await Deno.readTextFile(path)).split("\n")[0]!,
        ) as Line;
        assert.equal(first.seq, 6, "numbering goes on from the recorded head");
        assert.equal(first.prev, sha256(texts[4]!));
        const run = await cli("audit", "verify");
        assert.equal(run.code, 1, run.stdout);
        assert.match(run.stderr, /line 1 does not link to the line before/);
      },
    );
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("one call's audit lines are capped and audit tail escapes skill-chosen names", async () => {
  await using engine = await EngineProcess.start();
  const client = await engine.client();
  await client.call("skills.add", { path: FLOOD });
  const { result } = await client.call<{ result: { refused: number } }>(
    "skills.run",
    { skill: "audit-flood", tool: "flood", params: { count: 1100 } },
  );
  assert.equal(result.refused, 1100, "every op past the cap is still refused");
  const text = await Deno.readTextFile(engine.paths.ioLog);
  const lines = text.trimEnd().split("\n").map((l) => JSON.parse(l) as Line);
  const refused = lines.filter((l) => l.status === "refused");
  assert.equal(refused.length, 1000);
  const summary = lines.filter((l) => l.op === "audit.summary");
  assert.equal(summary.length, 1);
  assert.match(
    String(summary[0]!.reason),
    /^100 more ops in this call past 1000 lines/,
  );
  assert.deepEqual(Object.values(summary[0]!.checks as object), ["100"]);
  assert.equal(
    lines.at(-1)!.op,
    "call",
    "the call line comes after the summary",
  );

  const tail = await runAgentos(engine.paths.home, [
    "audit",
    "tail",
    "-n",
    "3",
  ]);
  assert.equal(tail.code, 0, tail.stderr);
  // deno-lint-ignore no-control-regex
  assert.doesNotMatch(tail.stdout, /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]/);
  assert.match(tail.stdout, /\\x1b\[2J\\x1b\[31mhttp\.request\\u202egnp\.exe/);
  const verify = await runAgentos(engine.paths.home, ["audit", "verify"]);
  assert.equal(verify.code, 0, verify.stderr);
});
