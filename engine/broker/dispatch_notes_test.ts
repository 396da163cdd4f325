import assert from "node:assert/strict";
import { LevelLog, type LogLevel } from "../logger.ts";
import { CallCredentials } from "./credentials/mod.ts";
import type { DispatchContext } from "./dispatch_context.ts";
import { DispatchNotes } from "./dispatch_notes.ts";

class Recorded extends LevelLog {
  lines: {
    level: LogLevel;
    message: string;
    fields?: Record<string, unknown>;
  }[] = [];
  protected override write(
    level: LogLevel,
    message: string,
    fields?: Record<string, unknown>,
  ): void {
    this.lines.push({ level, message, fields });
  }
}

function notes() {
  const log = new Recorded();
  const credentials = new CallCredentials(true);
  const placeholder = credentials.add({
    domain: "example.com",
    value: "s3cr3t-value-123",
    scope: { domain: "example.com" },
  }) as string;
  const progress: Record<string, unknown>[] = [];
  const context = {
    log,
    callId: "call-1",
    skill: { id: "skill-a" },
    tool: "tool-b",
    credentials,
    onProgress: (p: Record<string, unknown>) => progress.push(p),
    // Reports this small are redacted inline: no guard worker is reached.
    http: { offThreadGuard: () => ({ pool: undefined, budgetMs: 10_000 }) },
  } as unknown as DispatchContext;
  return { notes: new DispatchNotes(context), log, progress, placeholder };
}

Deno.test("DispatchNotes: a skill's log line keeps its level (Python's names too), is cut to 2,000 characters and redacted", () => {
  const { notes: n, log } = notes();
  const levels: [unknown, LogLevel][] = [
    ["error", "error"],
    ["warning", "warn"],
    ["warn", "warn"],
    ["debug", "debug"],
    ["info", "info"],
    ["critical", "info"],
    [undefined, "info"],
  ];
  for (const [level, want] of levels) {
    n.take("log", { level, message: `at ${String(level)}` });
    assert.deepEqual(log.lines.at(-1), {
      level: want,
      message: "Skill log",
      fields: {
        callId: "call-1",
        skill: "skill-a",
        tool: "tool-b",
        message: `at ${String(level)}`,
      },
    });
  }
  n.take("log", { message: "x".repeat(2100) });
  assert.equal(log.lines.at(-1)!.fields!.message, "x".repeat(2000));
  n.take("log", {});
  assert.equal(log.lines.at(-1)!.fields!.message, "");
  n.take("log", { message: "key s3cr3t-value-123 here" });
  assert.doesNotMatch(
    String(log.lines.at(-1)!.fields!.message),
    /s3cr3t-value-123/,
  );
});

Deno.test("DispatchNotes: 500 log lines and 500 progress reports a call, one warning when lines are dropped, other ops ignored", async () => {
  const { notes: n, log, progress } = notes();
  for (let i = 0; i < 600; i++) {
    n.take("log", { message: `line ${i}` });
    n.take("progress", { done: i });
    // The warning comes with the first line dropped, the 501st.
    const warned = log.lines.some((l) => l.message !== "Skill log");
    assert.equal(warned, i >= 500, `after line ${i}`);
  }
  n.take("debug", { message: "not a note" });
  n.take("Log", { message: "not a note" });
  const kept = log.lines.filter((l) => l.message === "Skill log");
  assert.equal(kept.length, 500);
  assert.equal(kept.at(-1)!.fields!.message, "line 499");
  const dropped = log.lines.filter((l) => l.message !== "Skill log");
  assert.deepEqual(dropped, [{
    level: "warn",
    message: "Skill log lines dropped",
    fields: {
      callId: "call-1",
      skill: "skill-a",
      tool: "tool-b",
      reason: "more than 500 in one call",
    },
  }]);
  await n.flushed();
  assert.equal(progress.length, 500);
  assert.deepEqual(progress.at(-1), { done: 499 });
});

Deno.test("DispatchNotes: a progress report reaches the caller redacted", async () => {
  const { notes: n, progress } = notes();
  n.take("progress", { message: "using s3cr3t-value-123", pct: 50 });
  await n.flushed();
  assert.equal(progress.length, 1);
  assert.equal(progress[0]!.pct, 50);
  assert.doesNotMatch(String(progress[0]!.message), /s3cr3t-value-123/);
});
