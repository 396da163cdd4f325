import assert from "node:assert/strict";
import { RpcError } from "../errors.ts";
import type { SkillEntry } from "../skills/mod.ts";
import type { DispatchContext } from "./dispatch_context.ts";
import type { HttpTrace } from "./http/mod.ts";
import { auditTarget, serve } from "./serve_op.ts";

/** A call of a skill that declares nothing and has no brokers. */
function bareContext(): DispatchContext {
  const skill = {
    id: "bare",
    discovery: {
      front_matter: {},
      tools: [],
      connections: [],
      url_literals: [],
      imports: [],
      problems: [],
    },
    egress: { hosts: [], domains: [], openWeb: false },
  } as unknown as SkillEntry;
  return {
    skill,
    signal: new AbortController().signal,
    grants: { hosts: [], openWeb: false, byDefault: false },
  } as unknown as DispatchContext;
}

async function refusal(op: string, params: Record<string, unknown> = {}) {
  const trace = { checks: {} } as unknown as HttpTrace;
  try {
    await serve(bareContext(), op, params, trace);
  } catch (error) {
    return error instanceof RpcError ? error.message : String(error);
  }
  return "served";
}

Deno.test("serve() answers exactly the wire ops the engine offers; others are refused by name", async () => {
  for (
    const op of [
      "http.request",
      "secrets.read",
      "credentials.retrieve",
      "sql.query",
      "capability.call",
      "shell.run",
      "keychain.read",
      "crypto.pbkdf2",
    ]
  ) {
    assert.doesNotMatch(
      await refusal(op),
      /Unknown op|not available to skills/,
      op,
    );
  }
  for (
    const op of [
      "http.get",
      "secrets.write",
      "sql.exec",
      "shell",
      "constructor",
      "crypto",
      "HTTP.REQUEST",
      "ttp.request",
      "http.reques",
      "graphs.read",
    ]
  ) {
    assert.equal(await refusal(op), `Unknown op "${op}"`, op);
  }
  assert.equal(
    await refusal(`x${"y".repeat(200)}`),
    `Unknown op "x${"y".repeat(99)}"`,
  );
  assert.match(
    await refusal("graph.write"),
    /^"graph\.write" is not available to skills: return records with @returns/,
  );
  // An undeclared op is refused by its own server, naming what to declare.
  assert.match(
    await refusal("http.request", { url: "https://example.com/" }),
    /may not use "http\.request": it does not declare http/,
  );
  assert.match(
    await refusal("sql.query", { sql: "select 1" }),
    /does not declare sql/,
  );
});

Deno.test("auditTarget() names the host, the domain or the capability of an op that failed early", () => {
  const cases: [string, Record<string, unknown>, string | undefined][] = [
    [
      "http.request",
      { url: "https://API.example.com:8443/x?k=1" },
      "api.example.com",
    ],
    ["http.request", { url: "not a url" }, undefined],
    ["http.request", { url: 7 }, undefined],
    ["secrets.read", { domain: "example.com" }, "example.com"],
    ["secrets.read", { domain: "d".repeat(300) }, "d".repeat(200)],
    ["secrets.read", { domain: 1 }, undefined],
    ["capability.call", { name: "web_read" }, "web_read"],
    ["capability.call", { name: "n".repeat(300) }, "n".repeat(100)],
    ["capability.call", {}, undefined],
    [
      "sql.query",
      { url: "https://example.com/", domain: "x", name: "y" },
      undefined,
    ],
  ];
  for (const [op, params, target] of cases) {
    assert.equal(
      auditTarget(op, params),
      target,
      `${op} ${JSON.stringify(params).slice(0, 60)}`,
    );
  }
});

Deno.test("each op server names its audit target before it may fail: the domain, database, capability or program, cut to length", async () => {
  const cases: [string, Record<string, unknown>, string | undefined][] = [
    ["credentials.retrieve", { domain: "example.com" }, "example.com"],
    ["credentials.retrieve", { domain: "d".repeat(300) }, "d".repeat(200)],
    ["credentials.retrieve", { domain: 5 }, undefined],
    ["sql.query", { db: "notes" }, "notes"],
    ["sql.query", { db: "b".repeat(300) }, "b".repeat(200)],
    ["sql.query", {}, "graph"],
    ["capability.call", { name: "web_read" }, "web_read"],
    ["capability.call", { name: "n".repeat(300) }, "n".repeat(100)],
    ["capability.call", {}, ""],
    ["shell.run", { binary: "git" }, "git"],
    ["shell.run", { binary: "g".repeat(300) }, "g".repeat(100)],
    ["shell.run", { binary: ["git"] }, undefined],
  ];
  for (const [op, params, target] of cases) {
    const trace = { checks: {} } as unknown as HttpTrace;
    await assert.rejects(serve(bareContext(), op, params, trace));
    assert.equal(trace.target, target, `${op} ${JSON.stringify(params)}`);
  }
});
