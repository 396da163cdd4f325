import assert from "node:assert/strict";
import { McpLog } from "./mcp_log.ts";
import { TrafficLog } from "./traffic_log.ts";

Deno.test("TrafficLog writes one line per request with timing and argument keys, never values", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const log = new McpLog(`${dir}/mcp.log`);
    let now = 100;
    const traffic = new TrafficLog(log, () => now);
    traffic.observe("in", {
      jsonrpc: "2.0",
      id: 3,
      method: "tools/call",
      params: { name: "graph_create", arguments: { token: "hunter2" } },
    }, 80);
    now = 102.5;
    traffic.observe("out", {
      jsonrpc: "2.0",
      id: 3,
      result: {
        content: [{ type: "text", text: 'Bad token "hunter2" for "x"' }],
        isError: true,
      },
    }, 120);
    traffic.observe("in", {
      jsonrpc: "2.0",
      id: 4,
      method: "tools/call",
      params: { name: "skills_run", arguments: {} },
    }, 60);
    traffic.observe("in", {
      jsonrpc: "2.0",
      method: "notifications/cancelled",
      params: { requestId: 4 },
    }, 60);
    log.close();
    const text = await Deno.readTextFile(`${dir}/mcp.log`);
    assert.match(
      text,
      /INFO {2}tools\/call id=3 tool=graph_create args=\["token"\] progress=false outcome=isError message="Bad token \\"…\\" for \\"…\\"" ms=2.5 in=80 out=120/,
    );
    assert.match(
      text,
      /INFO {2}cancelled id=4 method=tools\/call tool=skills_run/,
    );
    assert.ok(!text.includes("hunter2"), text);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("McpLog buffers lines until its directory exists", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const log = new McpLog(`${dir}/logs/mcp.log`);
    log.info("early");
    await Deno.mkdir(`${dir}/logs`);
    log.info("late");
    log.close();
    const lines = (await Deno.readTextFile(`${dir}/logs/mcp.log`)).trim()
      .split("\n");
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /INFO {2}early at=\S+Z$/);
    assert.match(lines[1]!, /INFO {2}late$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
