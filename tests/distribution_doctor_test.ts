/**
 * `agentos doctor` against real homes: all well with a running engine, and
 * each problem it knows reported with a fix and a failing exit code.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { EngineProcess } from "./_engine_process.ts";
import { startBridgeProcess } from "./bridge_fixture.ts";
import { runAgentosWith } from "./distribution_helpers.ts";

interface Report {
  ok: boolean;
  checks: { name: string; status: string; detail: string; hint?: string }[];
}

/** A TCP port nothing listens on (the bridge check must not see a real one). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function doctor(
  home: string,
  env: Record<string, string> = {},
): Promise<{ code: number; report: Report; text: string }> {
  const port = String(freePort());
  const json = await runAgentosWith(home, ["doctor", "--json"], {
    AGENTOS_BRIDGE_PORT: port,
    ...env,
  });
  const text = await runAgentosWith(home, ["doctor"], {
    AGENTOS_BRIDGE_PORT: port,
    ...env,
  });
  assert.equal(text.code, json.code);
  return {
    code: json.code,
    report: JSON.parse(json.stdout),
    text: text.stdout,
  };
}

function byName(
  report: Report,
): Record<string, { status: string; detail: string; hint?: string }> {
  return Object.fromEntries(report.checks.map((check) => [check.name, check]));
}

Deno.test("agentos doctor finds all well with a running engine, probing the real sandbox", async () => {
  await using engine = await EngineProcess.start();
  const { code, report, text } = await doctor(engine.paths.home);
  const checks = byName(report);
  assert.deepEqual(Object.keys(checks), [
    "deno",
    "engine",
    "home",
    "python",
    "sandbox",
    "containment",
    "database",
    "vault",
    "bridge",
  ]);
  for (const check of report.checks) {
    assert.ok(
      ["ok", "skip"].includes(check.status),
      `${check.name}: ${check.status} ${check.detail}`,
    );
  }
  assert.equal(report.ok, true);
  assert.equal(code, 0);
  assert.match(checks.engine!.detail, /running \(pid \d+/);
  assert.match(
    checks.sandbox!.detail,
    /bubblewrap .*: probe ran with no network \(lo only\), home hidden, SDK imported/,
  );
  // Every layer, from the running engine's own probe.
  assert.match(
    checks.containment!.detail,
    /^namespaces mount,pid,net,ipc,uts,cgroup.*; seccomp on pid 1; uid \d+ outside \(\w+\); cgroup v1; \/tmp 64 MiB, \/dev\/shm 16 MiB; \/ and \/dev read-only$/,
  );
  assert.doesNotMatch(checks.containment!.detail, /uid 0 outside/);
  assert.match(checks.database!.detail, /integrity ok, schema v\d+/);
  assert.match(checks.bridge!.detail, /port \d+ is free/);
  assert.match(text, /All is well\.$/m);
});

Deno.test("agentos doctor reports loose modes, a corrupt database, a busy bridge port and a stopped engine, with fixes", async () => {
  const home = await Deno.makeTempDir({ prefix: "agentos-doctor-" });
  // Some other web server on the bridge's port.
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response("not here", { status: 404 }),
  );
  try {
    await Deno.mkdir(join(home, "data"), { mode: 0o700 });
    await Deno.mkdir(join(home, "logs"), { mode: 0o700 });
    await Deno.chmod(home, 0o755);
    const db = join(home, "data", "agentos.db");
    await Deno.writeTextFile(db, "this is not a database ".repeat(100), {
      mode: 0o600,
    });
    const key = join(home, "vault.key");
    await Deno.writeFile(key, new Uint8Array(32), { mode: 0o644 });
    await Deno.chmod(key, 0o644);

    const port = String(server.addr.port);
    const { code, report, text } = await doctor(home, {
      AGENTOS_BRIDGE_PORT: port,
    });
    assert.equal(code, 1);
    assert.equal(report.ok, false);
    const checks = byName(report);
    assert.equal(checks.engine!.status, "warn");
    assert.match(checks.engine!.hint!, /agentos engine start/);
    assert.equal(checks.containment!.status, "skip");
    assert.match(checks.containment!.detail, /the engine is not running/);
    assert.equal(checks.home!.status, "fail");
    assert.equal(checks.home!.hint, `chmod 700 ${home}`);
    assert.equal(checks.database!.status, "fail");
    assert.match(checks.database!.detail, /cannot read .*agentos\.db/);
    assert.match(checks.database!.hint!, /agentos restore/);
    assert.equal(checks.vault!.status, "fail");
    assert.equal(checks.vault!.hint, `chmod 600 ${key}`);
    assert.equal(checks.bridge!.status, "warn");
    assert.match(
      checks.bridge!.detail,
      new RegExp(
        `port ${port} is taken by a program that is not the bridge \\(GET /sdk.js: 404\\)`,
      ),
    );
    assert.equal(checks.python!.status, "ok");
    assert.match(text, /^fail {2}home {9}.*\n {19}fix: chmod 700 /m);
    assert.match(text, /^5 problems found\.$/m);
  } finally {
    await server.shutdown();
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("agentos doctor fails the python and sandbox checks for an interpreter that does not run", async () => {
  const home = await Deno.makeTempDir({ prefix: "agentos-doctor-" });
  try {
    // The task grants --allow-run to $AGENTOS_PYTHON, so this is what runs.
    const missing = join(home, "no-such-python");
    const { code, report } = await doctor(home, { AGENTOS_PYTHON: missing });
    assert.equal(code, 1);
    const checks = byName(report);
    assert.equal(checks.python!.status, "fail");
    assert.match(checks.python!.detail, /Cannot run the Python interpreter/);
    assert.match(checks.python!.hint!, /apt-get install python3/);
    assert.equal(checks.sandbox!.status, "skip");
    assert.equal(checks.home!.status, "ok");
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("agentos doctor recognises the AgentOS bridge on its port", async () => {
  await using engine = await EngineProcess.start();
  await using bridge = await startBridgeProcess(engine.paths.home);
  const { code, report } = await doctor(engine.paths.home, {
    AGENTOS_BRIDGE_PORT: String(bridge.port),
  });
  const checks = byName(report);
  assert.equal(checks.bridge!.status, "ok");
  assert.equal(
    checks.bridge!.detail,
    `port ${bridge.port} serves the AgentOS bridge`,
  );
  assert.equal(code, 0);
});
