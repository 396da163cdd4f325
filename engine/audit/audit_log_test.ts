import assert from "node:assert/strict";
import { AuditLog, verifyAuditLog } from "./audit_log.ts";

Deno.test("AuditLog chains lines across reopenings and verifyAuditLog() detects edits and deletions", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/engine-io.jsonl`;
  try {
    let log = await AuditLog.open(path);
    log.append({
      op: "http.request",
      target: "api.example.com",
      status: "ok",
      skill: "exa",
    });
    log.append({
      op: "secrets.read",
      target: "api.example.com",
      status: "ok",
      skill: "exa",
    });
    log.close();
    log = await AuditLog.open(path);
    log.append({
      op: "http.request",
      target: "evil.example",
      status: "refused",
      reason: "not in egress set",
    });
    log.close();
    assert.deepEqual(await verifyAuditLog(path), { ok: true, lines: 3 });
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);

    const lines = (await Deno.readTextFile(path)).trimEnd().split("\n");
    await Deno.writeTextFile(
      path,
      [lines[0], lines[1]!.replace("secrets.read", "engine.ping"), lines[2]]
        .join("\n") + "\n",
    );
    assert.deepEqual(await verifyAuditLog(path), {
      ok: false,
      lines: 3,
      brokenAt: 3,
      reason: "does not link to the line before",
    });
    await Deno.writeTextFile(path, [lines[0], lines[2]].join("\n") + "\n");
    const deleted = await verifyAuditLog(path);
    assert.equal(deleted.ok, false);
    assert.equal(deleted.brokenAt, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("AuditLog.append() keeps one unbroken chain when 50 operations append at once", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/engine-io.jsonl`;
  try {
    const log = await AuditLog.open(path);
    await Promise.all(
      Array.from({ length: 50 }, async (_, n) => {
        await new Promise((resolve) => setTimeout(resolve, n % 7));
        log.append({
          op: "http.request",
          target: `h${n}.example`,
          status: "ok",
        });
      }),
    );
    log.close();
    assert.deepEqual(await verifyAuditLog(path), { ok: true, lines: 50 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Writes lines chained the way the engine chains them (a forger's tool). */
async function writeChained(
  path: string,
  entries: Record<string, unknown>[],
): Promise<string[]> {
  const { createHash } = await import("node:crypto");
  let prev = "0".repeat(64);
  const lines = entries.map((entry) => {
    const line = JSON.stringify({ ...entry, prev });
    prev = createHash("sha256").update(line).digest("hex");
    return line;
  });
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
  return lines;
}

Deno.test("verifyAuditLog() refuses a well-linked chain whose sequence skips or repeats", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/engine-io.jsonl`;
  try {
    const at = "2026-01-01T00:00:00.000Z";
    const entry = (seq: number) => ({
      seq,
      at,
      op: "engine.ping",
      status: "ok",
    });
    await writeChained(path, [entry(1), entry(2), entry(3)]);
    assert.deepEqual(await verifyAuditLog(path), { ok: true, lines: 3 });
    await writeChained(path, [entry(1), entry(3), entry(4)]);
    assert.deepEqual(await verifyAuditLog(path), {
      ok: false,
      lines: 3,
      brokenAt: 2,
      reason: "sequence 3 after 1",
    });
    await writeChained(path, [entry(1), entry(2), entry(2)]);
    assert.equal((await verifyAuditLog(path)).brokenAt, 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("verifyAuditLog() with the engine's head catches a re-chained file and lines cut from the end", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/engine-io.jsonl`;
  try {
    const log = await AuditLog.open(path);
    for (const target of ["a.example", "b.example", "c.example"]) {
      log.append({ op: "http.request", target, status: "ok" });
    }
    const head = log.head;
    log.close();
    assert.equal(head.seq, 3);
    assert.deepEqual(await verifyAuditLog(path, { head }), {
      ok: true,
      lines: 3,
    });
    // A forger rewrites the last line and re-chains: the links hold, the
    // head does not.
    const lines = (await Deno.readTextFile(path)).trimEnd().split("\n")
      .map((line) => JSON.parse(line));
    lines[2].target = "innocent.example";
    await writeChained(path, lines.map(({ prev: _, ...rest }) => rest));
    assert.deepEqual(await verifyAuditLog(path), { ok: true, lines: 3 });
    const forged = await verifyAuditLog(path, { head });
    assert.equal(forged.ok, false);
    assert.equal(forged.brokenAt, 3);
    assert.match(forged.reason!, /hash differs from the recorded head/);
    // The last line cut off: the head says 3 were written.
    await writeChained(
      path,
      lines.slice(0, 2).map(({ prev: _, ...rest }) => rest),
    );
    const cut = await verifyAuditLog(path, { head });
    assert.equal(cut.ok, false);
    assert.equal(cut.brokenAt, 3);
    assert.match(cut.reason!, /wrote 3 lines, the file ends at number 2/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("AuditLog.append() keeps seq, at and prev its own whatever the entry holds", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/engine-io.jsonl`;
  try {
    const log = await AuditLog.open(path);
    log.append({ op: "engine.ping", status: "ok" });
    log.append({
      op: "http.request",
      status: "ok",
      seq: 99,
      at: "1999-01-01T00:00:00.000Z",
      prev: "f".repeat(64),
    });
    log.close();
    const second = JSON.parse(
      (await Deno.readTextFile(path)).trimEnd().split("\n")[1]!,
    );
    assert.equal(second.seq, 2);
    assert.notEqual(second.at, "1999-01-01T00:00:00.000Z");
    assert.notEqual(second.prev, "f".repeat(64));
    assert.deepEqual(await verifyAuditLog(path), { ok: true, lines: 2 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
