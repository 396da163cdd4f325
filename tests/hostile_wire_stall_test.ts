/**
 * No message a skill writes on its wire stalls the engine (#25, item 6).
 * Before this change every line of the worker wire was decoded and parsed
 * on the engine's main thread, and a tool's result serialised again
 * there for its reply: one result of 15 MiB held other clients ~0.3 s,
 * log lines of 15 MiB in a loop raised another client's `graph.list` p99
 * to ~103 ms (each line parsed whole to keep its first 2,000 characters),
 * and a batch of records was parsed and serialised the same way. Now a
 * line of 64 KiB or more is parsed on a wire worker thread
 * (`engine/workers/_wire_pool.ts`), which hands back a log line already
 * cut and a result whose strings come with their JSON made there (spliced
 * into the reply, searched there for credential placeholders), within the
 * call's budget.
 *
 * Measured inside the engine, not as a race against the clock: the CPU
 * time of the engine's main thread (`/proc/<pid>/task/<pid>/schedstat`,
 * the time the thread ran, whatever else loads the machine) over a
 * hostile call, less the same call at a small size, per MiB the skill
 * wrote. Before the change, at load ~8: a result 9.1 ms/MiB, log lines
 * 3.9 ms/MiB, records 13 ms/MiB; after it 2.8–4.4, 0.9–1.3 and 4.8–10.8
 * (records: their checks and rehearsal stay on the main thread, so their
 * bound only catches a gross regression).
 * Real engine, real sandboxed worker, real wire worker.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { REPO_ROOT } from "./_task_command.ts";
import type { RpcClient } from "../engine/rpc/mod.ts";

/** The CPU time the engine's main thread has run, in ms. */
async function mainThreadMs(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/task/${pid}/schedstat`);
  return Number(stat.split(" ")[0]) / 1e6;
}

/** One hostile call: its tool, its large and small params, the MiB it writes, the bound. */
interface Case {
  tool: string;
  large: Record<string, unknown>;
  small: Record<string, unknown>;
  mib: number;
  /** Main-thread ms a MiB may cost (before the change / after, in the header). */
  maxMsPerMib: number;
}

const CASES: Case[] = [
  {
    tool: "result",
    large: { mib: 15 },
    small: { mib: 0.01 },
    mib: 15,
    // 2.8–5.4 in runs of the whole suite (9.1 before the change).
    maxMsPerMib: 7.5,
  },
  {
    tool: "logs",
    large: { mib: 15, count: 14 },
    small: { mib: 0.01, count: 14 },
    mib: 15 * 14,
    // 0.9–2.0 alone and in runs of the whole suite (3.9 before).
    maxMsPerMib: 3,
  },
  {
    tool: "records",
    large: { count: 1000, chars: 15_000 },
    small: { count: 1000, chars: 10 },
    mib: 15,
    // Records are still checked and rehearsed in the graph on the main
    // thread: 4.8–10.8 ms a MiB alone on a quiet host, both at e68d832 and
    // after (three runs each, 2026-12-08), so a bound of 10 failed one run
    // in three. This bound catches a gross regression (work that grows
    // faster than the records), not the wire worker's change (13 before).
    maxMsPerMib: 25,
  },
];

/** The main thread's CPU time over one call, and its answer. */
async function callCost(
  client: RpcClient,
  pid: number,
  tool: string,
  params: Record<string, unknown>,
): Promise<{ ms: number; answer: RunAnswer }> {
  const before = await mainThreadMs(pid);
  // Not remembered: the records are checked and rehearsed, not stored
  // (their storage, in transactions of 100, is not the wire's cost).
  const answer = await client.call<RunAnswer>(
    "skills.run",
    { skill: "wire-hog", tool, params, remember: false },
    { timeoutMs: 180_000 },
  );
  return { ms: await mainThreadMs(pid) - before, answer };
}

interface RunAnswer {
  result: unknown;
  notice?: string;
}

Deno.test("megabyte lines on the wire cost the engine's main thread a scan and a copy, not their parsing and serialisation", async (t) => {
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "1" },
  });
  const client = await engine.client();
  await client.call("skills.add", {
    path: `${REPO_ROOT}tests/fixtures/hostile/wire-hog`,
  });
  const pid = engine.child.pid;
  for (const { tool, large, small, mib, maxMsPerMib } of CASES) {
    await t.step(`${tool}: at most ${maxMsPerMib} ms a MiB`, async () => {
      // Warm: the wire worker started, the code compiled.
      await callCost(client, pid, tool, large);
      const smallMs = (await callCost(client, pid, tool, small)).ms;
      const { ms: largeMs, answer } = await callCost(client, pid, tool, large);
      const perMib = (largeMs - smallMs) / mib;
      // deno-lint-ignore no-console
      console.log(
        `${tool}: main thread ${largeMs.toFixed(1)} ms large, ${
          smallMs.toFixed(1)
        } ms small: ${perMib.toFixed(2)} ms a MiB`,
      );
      assertAnswer(tool, answer);
      assert.ok(
        perMib < maxMsPerMib,
        `${tool}: a MiB cost the main thread ${perMib.toFixed(2)} ms`,
      );
    });
  }

  await t.step("a log line is kept cut to 2,000 characters", async () => {
    const log = await Deno.readTextFile(engine.paths.engineLog);
    const kept = log.split("\n").filter((line) => line.includes("Skill log"));
    assert.ok(kept.length > 0, "no skill log line");
    for (const line of kept) {
      const message = /message=(l*)/.exec(line)?.[1] ?? "";
      assert.equal(message.length, 2000, "a log line was not cut");
    }
  });

  await t.step(
    "a placeholder inside a long string still gets the result its notice",
    async () => {
      const placeholder = `agentos-secret-${"0a".repeat(16)}`;
      const { answer } = await callCost(client, pid, "result", {
        mib: 1,
        middle: ` ${placeholder} `,
      });
      assert.ok((answer.result as { text: string }).text.includes(placeholder));
      assert.match(answer.notice ?? "", /credential placeholder/);
    },
  );
});

Deno.test("a large line past the call's wire budget fails the call with the budget's error", async () => {
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "1", AGENTOS_WIRE_BUDGET_MS: "1" },
  });
  const client = await engine.client();
  await client.call("skills.add", {
    path: `${REPO_ROOT}tests/fixtures/hostile/wire-hog`,
  });
  const pid = engine.child.pid;
  await assert.rejects(
    callCost(client, pid, "result", { mib: 15 }),
    /spent this call's budget of 1 ms reading the large lines its worker wrote.*AGENTOS_WIRE_BUDGET_MS/s,
  );
  // Small lines are read on the main thread, with no budget to spend.
  const { answer } = await callCost(client, pid, "result", { mib: 0.01 });
  assert.equal((answer.result as { text: string }).text.length, 10484);
});

/** The hostile call's answer is whole: the text, the records. */
function assertAnswer(tool: string, answer: RunAnswer): void {
  if (tool === "result") {
    const { text } = answer.result as { text: string };
    assert.equal(text.length, 15 * 1024 * 1024);
    assert.ok(/^r+$/.test(text.slice(0, 1000) + text.slice(-1000)));
  } else if (tool === "logs") {
    assert.deepEqual(answer.result, { sent: 14 });
  } else {
    const items = answer.result as { name: string }[];
    assert.equal(items.length, 1000);
    assert.equal(items[999]!.name, `999${"n".repeat(15_000)}`);
  }
}
