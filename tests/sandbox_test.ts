/**
 * The skill sandbox seen from inside a real worker in a real engine:
 * bubblewrap namespaces, read-only views, limits and the wall clock.
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../engine/errors.ts";
import { EngineProcess } from "./_engine_process.ts";
import { fixture, rejectsWith } from "./skills_helpers.ts";

type Probe = Record<string, unknown>;

Deno.test("a skill worker runs confined by bubblewrap", async (t) => {
  await using engine = await EngineProcess.start();
  const client = await engine.client();
  const status = await client.call<{ sandbox: Probe }>("engine.status");
  assert.equal(status.sandbox.kind, "bubblewrap");
  assert.equal(status.sandbox.processCreation, "refused (seccomp)");
  await client.call("skills.add", { path: fixture("sandbox-probe") });
  const run = async (tool: string, params: Probe = {}) =>
    (await client.call<{ result: Probe }>("skills.run", {
      skill: "sandbox-probe",
      tool,
      params,
    })).result;

  await t.step(
    "has no network: connections fail and names do not resolve",
    async () => {
      const { results } = await run("connect", {
        targets: [["1.1.1.1", 80], ["127.0.0.1", 22]],
      }) as { results: Record<string, string> };
      assert.match(results["1.1.1.1:80"]!, /unreachable|refused|Errno/i);
      assert.notEqual(results["1.1.1.1:80"], "connected");
      assert.notEqual(results["127.0.0.1:22"], "connected");
      assert.notEqual(results.dns, "resolved");
    },
  );

  await t.step(
    "cannot see the engine's home, the database or /root",
    async () => {
      const { results } = await run("read_paths", {
        paths: [
          engine.paths.database,
          engine.paths.home,
          "/root",
          "/etc/passwd",
          "/sdk/agentos/__init__.py",
        ],
      }) as { results: Record<string, Probe> };
      assert.match(
        String(results[engine.paths.database]!.error),
        /FileNotFound/,
      );
      assert.match(String(results[engine.paths.home]!.error), /FileNotFound/);
      assert.match(String(results["/etc/passwd"]!.error), /FileNotFound/);
      // /root holds only what the interpreter needs (a pyenv prefix lives there).
      const root = results["/root"]!;
      assert.ok(
        root.error !== undefined ||
          (root.listing as string[]).every((name) => name === ".pyenv"),
        JSON.stringify(root),
      );
      assert.ok(Number(results["/sdk/agentos/__init__.py"]!.bytes) > 0);
    },
  );

  await t.step(
    "has a cleared environment, runs as nobody, and /tmp is private to each call",
    async () => {
      const first = await run("environment");
      const env = first.env as Record<string, string>;
      assert.deepEqual(
        Object.keys(env).filter((key) =>
          !["PATH", "LANG", "LC_ALL", "PWD", "HOME"].includes(key)
        ),
        [],
      );
      assert.equal(env.AGENTOS_HOME, undefined);
      assert.equal(env.HOME, "/tmp", "HOME is the call's private /tmp");
      assert.equal(first.uid, 65534);
      assert.equal(first.cwd, "/tmp");
      assert.deepEqual(first.tmp_before, []);
      assert.match(String(first.write_outside), /^refused/);
      assert.equal(first.hostname, "agentos-skill");
      // The first call wrote /tmp/marker; the next call's /tmp is empty again.
      const second = await run("environment");
      assert.deepEqual(second.tmp_before, []);
    },
  );

  await t.step(
    "applies resource limits and refuses to create processes",
    async () => {
      const result = await run("limits") as {
        limits: Record<string, [number, number]>;
        fork: string;
        two_gib: string;
      };
      // The call lowered the CPU limit to the tool's 30 s timeout + 1.
      assert.deepEqual(result.limits.cpu, [31, 31]);
      assert.deepEqual(result.limits.as, [1024 ** 3, 1024 ** 3]);
      // RLIMIT_NPROC counts every process of the uid outside: where all
      // workers share nobody (a root engine, no user namespace) it is a
      // host-wide ceiling and the call's own cap is its cgroup's pids.max
      // (tests/load_calls_test.ts); in a user namespace it is the call's.
      const { sandbox } = await client.call<{ sandbox: Probe }>(
        "engine.status",
      );
      const nproc = sandbox.userNamespace === false ? 4096 : 64;
      assert.deepEqual(result.limits.nproc, [nproc, nproc]);
      assert.deepEqual(result.limits.fsize, [64 * 1024 ** 2, 64 * 1024 ** 2]);
      assert.deepEqual(result.limits.nofile, [256, 256]);
      assert.match(result.fork, /^refused/);
      assert.equal(result.two_gib, "MemoryError");
    },
  );

  await t.step(
    "is killed at its @timeout, and the next call runs normally",
    async () => {
      const error = await rejectsWith(
        client.call("skills.run", { skill: "sandbox-probe", tool: "spin" }),
        ErrorCode.Timeout,
        /did not finish within 1 s; its process was killed/,
      );
      assert.equal((error.data as Probe).tool, "spin");
      // The engine is fine and the next call works.
      assert.deepEqual((await run("environment")).tmp_before, []);
    },
  );
});

Deno.test("AGENTOS_SANDBOX=none runs skills unconfined but limited, and says so", async () => {
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SANDBOX: "none", AGENTOS_SPARE_WORKERS: "0" },
  });
  const client = await engine.client();
  const status = await client.call<{ sandbox: Probe }>("engine.status");
  assert.equal(status.sandbox.kind, "none");
  await client.call("skills.add", { path: fixture("sandbox-probe") });
  const { result } = await client.call<{ result: Probe }>("skills.run", {
    skill: "sandbox-probe",
    tool: "limits",
  });
  // Every limit, as in the sandbox: the call lowered the CPU limit to its
  // 30 s timeout + 1.
  assert.deepEqual(result.limits, {
    cpu: [31, 31],
    as: [1024 ** 3, 1024 ** 3],
    nproc: [64, 64],
    fsize: [64 * 1024 ** 2, 64 * 1024 ** 2],
    nofile: [256, 256],
  });
  assert.match(String(result.fork), /^refused/);
  // It starts in /, not in the engine's own working directory (here the
  // repository), whose files a relative path would reach.
  const where = await client.call<{ result: Probe }>("skills.run", {
    skill: "sandbox-probe",
    tool: "where",
  });
  assert.equal(where.result.cwd, "/");
  // Isolated (no PYTHON* variables, no user site), no site module, no
  // bytecode written next to the skill's or the SDK's files.
  assert.deepEqual(where.result.flags, {
    isolated: 1,
    no_site: 1,
    dont_write_bytecode: 1,
  });
  const log = await Deno.readTextFile(engine.paths.engineLog);
  assert.match(log, /Skill call completed .*sandbox=none/);
});

Deno.test("without bubblewrap, skills are refused with an error naming the package", async () => {
  await using engine = await EngineProcess.start({
    // A PATH without bubblewrap (Deno itself stays reachable).
    env: { PATH: Deno.execPath().replace(/\/[^/]+$/, "") },
  });
  const client = await engine.client();
  const status = await client.call<{ sandbox: Probe }>("engine.status");
  assert.equal(status.sandbox.kind, "unavailable");
  await rejectsWith(
    client.call("skills.add", { path: fixture("sandbox-probe") }),
    ErrorCode.SandboxUnavailable,
    /"bubblewrap" package/,
  );
  await rejectsWith(
    client.call("skills.run", {
      skill: "feeds",
      tool: "import_feed",
      params: { url: "https://example.com/" },
    }),
    ErrorCode.SandboxUnavailable,
    /bubblewrap/,
  );
});
