import assert from "node:assert/strict";
import type { AuditEntry } from "../audit/mod.ts";
import { CallCredentials } from "./credentials/mod.ts";
import type { DispatchContext } from "./dispatch_context.ts";
import {
  auditReason,
  DispatchAudit,
  MAX_AUDIT_LINES_PER_CALL,
} from "./dispatch_audit.ts";

function audited() {
  const lines: AuditEntry[] = [];
  const context = {
    callId: "call-1",
    skill: { id: "skill-a" },
    tool: "tool-b",
    audit: { append: (entry: AuditEntry) => lines.push(entry) },
  } as unknown as DispatchContext;
  return { audit: new DispatchAudit(context), lines };
}

Deno.test("DispatchAudit writes 1,000 lines a call, then counts ops by op and status in one summary line", () => {
  assert.equal(MAX_AUDIT_LINES_PER_CALL, 1000);
  const { audit, lines } = audited();
  audit.finish();
  assert.equal(lines.length, 0);
  for (let i = 0; i < 1000; i++) {
    audit.append({ op: "http.request", status: "ok", target: `t${i}` });
  }
  assert.equal(lines.length, 1000);
  assert.equal(lines.at(-1)!.target, "t999");
  audit.append({ op: "http.request", status: "refused" });
  audit.append({ op: "http.request", status: "refused" });
  audit.append({ op: "sql.query", status: "ok" });
  assert.equal(lines.length, 1000);
  audit.finish();
  assert.deepEqual(lines.at(-1), {
    call: "call-1",
    skill: "skill-a",
    tool: "tool-b",
    op: "audit.summary",
    status: "ok",
    checks: { "http.request refused": "2", "sql.query ok": "1" },
    reason: "3 more ops in this call past 1000 lines, counted by op and status",
  });
  // Summed up once: a second finish writes nothing.
  audit.finish();
  assert.equal(lines.length, 1001);
});

Deno.test("DispatchAudit's summary names at most 50 op and status pairs", () => {
  const { audit, lines } = audited();
  for (let i = 0; i < 1000 + 60; i++) {
    audit.append({ op: `op${i}`, status: "failed" });
  }
  audit.finish();
  const summary = lines.at(-1)!;
  assert.equal(Object.keys(summary.checks!).length, 50);
  assert.equal(summary.checks!["op1000 failed"], "1");
  assert.equal(summary.checks!["op1049 failed"], "1");
  assert.equal(
    summary.reason,
    "60 more ops in this call past 1000 lines, counted by op and status",
  );
});

Deno.test("auditReason() cuts URL queries, redacts credentials and keeps 500 characters", () => {
  assert.equal(
    auditReason(
      `GET "https://h.test/p?key=abc&x=1" failed (https://h.test/?q)`,
    ),
    `GET "https://h.test/p?…" failed (https://h.test/?…)`,
  );
  assert.equal(auditReason("r".repeat(600)), "r".repeat(500));
  const credentials = new CallCredentials(true);
  credentials.add({
    domain: "example.com",
    value: "s3cr3t-value-123",
    scope: { domain: "example.com" },
  });
  const reason = auditReason("bad key s3cr3t-value-123", credentials);
  assert.doesNotMatch(reason, /s3cr3t-value-123/);
  assert.match(reason, /^bad key /);
});
