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
