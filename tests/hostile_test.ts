/**
 * Hostile skills (tests/fixtures/hostile/): each tool tries one thing a
 * skill must never manage — leave the sandbox, exhaust the machine, break
 * the wire protocol, or misuse a broker. Every attempt must fail with a
 * clear error and a logged reason (an audit line for the call and, for
 * brokered ops, for the op), the engine must stay up, and the next
 * ordinary call must succeed.
 */
import assert from "node:assert/strict";
import { ErrorCode, RpcError } from "../engine/errors.ts";
import { type RpcClient } from "../engine/rpc/mod.ts";
import { EngineProcess } from "./_engine_process.ts";
import { REPO_ROOT } from "./_task_command.ts";
import { fixture, localServer, rejectsWith } from "./skills_helpers.ts";

type Json = Record<string, unknown>;

const KEYS = {
  "hostile.test": "sk-hostile-PLANTED-41c9e0",
  "thief.test": "sk-thief-PLANTED-8d22aa",
  "keyed.test": "sk-victim-PLANTED-0b7f13",
};

function hostile(name: string): string {
  return `${REPO_ROOT}tests/fixtures/hostile/${name}`;
}

interface Attack {
  skill: string;
  tool: string;
  params?: Json;
  code?: number;
  message: RegExp;
  /** The brokered op that must be audited as refused. */
  op?: string;
}

Deno.test("hostile skills fail safely, the engine stays up, and the next call succeeds", async (t) => {
  const reached: string[] = [];
  await using server = localServer((_request, url) => {
    reached.push(`${url.pathname}${url.search}`);
    const to = url.searchParams.get("to");
    return to
      ? new Response(null, { status: 302, headers: { location: to } })
      : new Response("ok");
  });
  const serverPort = Number(new URL(server.origin).port);
  await using engine = await EngineProcess.start({
    env: {
      AGENTOS_SPARE_WORKERS: "2",
      AGENTOS_ORIGIN_MAP: JSON.stringify({
        "https://api.hostile.test": server.origin,
      }),
    },
  });
  const client = await engine.client();
  for (const name of ["sandbox-escape", "broker-abuse", "secret-thief"]) {
    await client.call("skills.add", { path: hostile(name) });
  }
  // Stored with the skills installed: each key is for the skills that
  // declare its domain (docs/security.md, "who uses it").
  for (const [domain, key] of Object.entries(KEYS)) {
    await client.call("secrets.set", { domain, value: { key } });
  }
  await client.call("skills.add", { path: fixture("cap-ok") });
  // The thief holds real values: the owner's grant is not what stops it
  // below, its domains and the hosts a credential may go to are.
  await client.call("skills.allow", { skill: "secret-thief", secrets: true });
  const vaultKey = `${engine.paths.home}/vault.key`;
  for (
    const path of [
      engine.paths.database,
      vaultKey,
      "/etc/shadow",
      "/root/.bashrc",
    ]
  ) {
    await Deno.stat(path); // each exists on the host: the sandbox must hide it
  }

  const attacks: Record<string, Attack[]> = {
    "sandbox: network, files, environment": [
      {
        skill: "sandbox-escape",
        tool: "tcp_connect",
        params: { host: "1.1.1.1", port: 80 },
        // The seccomp filter refuses every socket family but AF_UNIX (and
        // the empty network namespace would have no route anyway).
        message: /OSError: \[Errno 97\] Address family not supported/,
      },
      {
        skill: "sandbox-escape",
        tool: "tcp_connect",
        params: { host: "127.0.0.1", port: serverPort },
        message: /Address family not supported/,
      },
      {
        skill: "sandbox-escape",
        tool: "udp_send",
        message: /Address family not supported/,
      },
      { skill: "sandbox-escape", tool: "resolve", message: /gaierror/ },
      ...[engine.paths.database, vaultKey, "/etc/shadow", "/root/.bashrc"].map(
        (path) => ({
          skill: "sandbox-escape",
          tool: "read_file",
          params: { path },
          message: /FileNotFoundError/,
        }),
      ),
      {
        skill: "sandbox-escape",
        tool: "engine_environment",
        params: { pid: engine.child.pid },
        message: /FileNotFoundError/,
      },
      {
        skill: "sandbox-escape",
        tool: "write_outside_tmp",
        message: /every write outside \/tmp was refused/,
      },
      {
        skill: "sandbox-escape",
        tool: "write_sysctl",
        message: /OSError: \[Errno 30\] Read-only file system/,
      },
    ],
    "sandbox: resources": [
      {
        skill: "sandbox-escape",
        tool: "fork_bomb",
        // The seccomp filter answers EAGAIN, as the kernel does at RLIMIT_NPROC.
        message:
          /BlockingIOError: \[Errno 11\] Resource temporarily unavailable/,
      },
      { skill: "sandbox-escape", tool: "allocate", message: /MemoryError/ },
      {
        skill: "sandbox-escape",
        tool: "spin",
        code: ErrorCode.Timeout,
        message: /did not finish within 1 s; its process was killed/,
      },
      {
        skill: "sandbox-escape",
        tool: "flood_stdout",
        message: /more than 67108864 bytes to stderr/,
      },
    ],
    "the wire": [
      {
        skill: "sandbox-escape",
        tool: "flood_wire",
        message: /Worker wrote more than 268435456 bytes to the wire/,
      },
      {
        skill: "sandbox-escape",
        tool: "not_json",
        message: /line that is not JSON/,
      },
      {
        skill: "sandbox-escape",
        tool: "oversized_line",
        message: /over the 16777216 byte limit/,
      },
    ],
    "undeclared ops and other skills' credentials": [
      {
        skill: "broker-abuse",
        tool: "undeclared_sql",
        message: /may not use "sql\.query": it does not declare sql/,
        op: "sql.query",
      },
      {
        skill: "broker-abuse",
        tool: "undeclared_secrets",
        message: /may not read credentials: it does not declare secrets/,
        op: "secrets.read",
      },
      {
        skill: "broker-abuse",
        tool: "run_program",
        message: /may not run "sh" until the owner allows it/,
        op: "shell.run",
      },
      {
        skill: "broker-abuse",
        tool: "graph_delete",
        message: /"graph\.delete" is not available to skills/,
        op: "graph.delete",
      },
      {
        skill: "broker-abuse",
        tool: "unknown_op",
        message: /Unknown op "engine\.shutdown"/,
        op: "engine.shutdown",
      },
      {
        skill: "secret-thief",
        tool: "steal_other",
        message:
          /may read only the credentials of its own connections' domains \(api\.thief\.test, thief\.test\); "keyed\.test" is not one/,
        op: "secrets.read",
      },
    ],
    "credentials bound for foreign hosts": [
      ...["query", "header", "body"].map((where) => ({
        skill: "broker-abuse",
        tool: "leak_placeholder",
        params: { where },
        message:
          /tried to send the credential for "hostile\.test" to host "exfil\.hostile-elsewhere\.test": a credential goes only to "hostile\.test" and its subdomains/,
        op: "http.request",
      })),
      {
        skill: "broker-abuse",
        tool: "forged_placeholder",
        message: /placeholder that does not belong to this call/,
        op: "http.request",
      },
      {
        skill: "secret-thief",
        tool: "exfiltrate",
        message:
          /tried to send the credential for "thief\.test" to host "exfil\.thief-elsewhere\.test"/,
        op: "http.request",
      },
    ],
    "private addresses and redirects": [
      {
        skill: "broker-abuse",
        tool: "fetch",
        params: { url: `http://127.0.0.1:${serverPort}/` },
        message: /may not reach host "127\.0\.0\.1": it resolves to loopback/,
        op: "http.request",
      },
      {
        skill: "broker-abuse",
        tool: "fetch",
        params: { url: "http://169.254.169.254/latest/meta-data/" },
        message: /"169\.254\.169\.254": it resolves to link-local address/,
        op: "http.request",
      },
      {
        skill: "broker-abuse",
        tool: "fetch",
        params: {
          url: "https://api.hostile.test/r?to=https://not-allowed.test/x",
        },
        message: /may not reach host "not-allowed\.test"/,
        op: "http.request",
      },
      {
        skill: "broker-abuse",
        tool: "fetch",
        params: {
          url: "https://api.hostile.test/r?to=http://169.254.169.254/latest/",
        },
        message: /"169\.254\.169\.254": it resolves to link-local address/,
        op: "http.request",
      },
    ],
  };

  const auditLines = async () =>
    (await Deno.readTextFile(engine.paths.ioLog)).trimEnd().split("\n").map(
      (line) => JSON.parse(line),
    );

  for (const [group, list] of Object.entries(attacks)) {
    await t.step(group, async () => {
      for (const attack of list) {
        const error = await rejectsWith(
          client.call("skills.run", {
            skill: attack.skill,
            tool: attack.tool,
            params: attack.params ?? {},
          }),
          attack.code ?? ErrorCode.SkillFailed,
          attack.message,
        );
        const callId = (error.data as Json).callId;
        const lines = (await auditLines()).filter((l) => l.call === callId);
        const call = lines.find((l) => l.op === "call");
        assert.ok(call, `${attack.tool}: no audit line for the call`);
        assert.notEqual(call.status, "ok");
        assert.ok(call.reason.length > 0, `${attack.tool}: no reason logged`);
        if (attack.op) {
          const op = lines.find((l) => l.op === attack.op);
          assert.equal(op?.status, "refused", `${attack.tool}: ${attack.op}`);
          assert.match(op.reason, attack.message);
        }
        await ordinaryCall(client);
      }
    });
  }

  await t.step(
    "nothing reached the mapped server but the redirects, and no key leaked anywhere",
    async () => {
      assert.deepEqual(reached, [
        "/r?to=https://not-allowed.test/x",
        "/r?to=http://169.254.169.254/latest/",
      ]);
      const log = await Deno.readTextFile(engine.paths.engineLog);
      const audit = await Deno.readTextFile(engine.paths.ioLog);
      for (const key of Object.values(KEYS)) {
        assert.ok(!log.includes(key) && !audit.includes(key));
      }
      assert.match(log, /Skill call failed/);
      // The engine answers after everything above: it did not exit.
      const status = await client.call<Json>("engine.status");
      assert.equal((status.sandbox as Json).kind, "bubblewrap");
      assert.equal(status.pid, engine.child.pid);
    },
  );
});

async function ordinaryCall(client: RpcClient): Promise<void> {
  try {
    const { result } = await client.call<{ result: Json }>("skills.run", {
      skill: "cap-ok",
      tool: "echo",
      params: { text: "still fine" },
    });
    assert.deepEqual(result, { echo: "still fine", by: "cap-ok" });
  } catch (error) {
    if (error instanceof RpcError) {
      assert.fail(`the ordinary call failed: ${error.message}`);
    }
    throw error;
  }
}
