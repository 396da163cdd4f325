/**
 * Distribution: `scripts/install.sh` from a fresh clone into a temporary
 * prefix (installed engine start, a call, the MCP handshake), and
 * `deno task compile` (its one-message failure without denort, its refusal
 * of a runtime that is not denort, the flags it embeds, and, where a denort
 * is provided, the compiled executables end to end).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { compilePlan } from "../scripts/compile.ts";
import { VERSION } from "../engine/version.ts";
import { realPython, REPO_ROOT } from "./_task_command.ts";
import { McpSession } from "./mcp_session.ts";
import {
  type Clone,
  freshClone,
  type ProgramRun,
  runProgram,
  userEnv,
} from "./distribution_helpers.ts";

const DENORT_BIN = Deno.env.get("DENORT_BIN");

async function tempDir(
  prefix: string,
): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir({ prefix });
  return {
    path,
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }),
  };
}

function installIn(clone: Clone, prefix: string, env: Record<string, string>) {
  return runProgram("bash", [
    join(clone.dir, "scripts/install.sh"),
    "--prefix",
    prefix,
  ], {
    cwd: clone.dir,
    env,
  });
}

function assertOk(run: ProgramRun, what: string): void {
  assert.equal(run.code, 0, `${what} failed:\n${run.stdout}\n${run.stderr}`);
}

Deno.test(
  "scripts/install.sh installs launchers that run a fresh clone's CLI, engine and MCP proxy",
  async () => {
    await using clone = await freshClone();
    await using home = await tempDir("agentos-install-home-");
    await using prefix = await tempDir("agentos-install-prefix-");
    const env = userEnv(home.path);

    const install = await installIn(clone, prefix.path, env);
    assertOk(install, "install.sh");
    assert.match(install.stdout, /Python 3\.\d+/);
    for (const name of ["agentos", "agentos-mcp"]) {
      const file = join(prefix.path, "bin", name);
      assert.equal((await Deno.stat(file)).mode! & 0o777, 0o755, name);
      const text = await Deno.readTextFile(file);
      assert.ok(text.includes(`'${clone.dir}/scripts/deno' task -q`), text);
      assert.ok(text.includes(`--config '${clone.dir}/deno.json'`), text);
    }
    const agentos = join(prefix.path, "bin", "agentos");
    // Run from elsewhere, as a user would.
    const cwd = home.path;

    const start = await runProgram(agentos, ["engine", "start"], { cwd, env });
    try {
      assertOk(start, "agentos engine start");
      assert.match(start.stdout, /Engine started \(pid \d+\)/);

      const call = await runProgram(agentos, ["call", "engine.status"], {
        cwd,
        env,
      });
      assertOk(call, "agentos call engine.status");
      const status = JSON.parse(call.stdout);
      assert.equal(status.home, home.path);
      assert.equal(status.version, VERSION);
      // The engine is the clone's, started through its deno.json task.
      assert.equal(Deno.readLinkSync(`/proc/${status.pid}/cwd`), clone.dir);

      await using session = await McpSession.open(home.path, {
        server: {
          command: join(prefix.path, "bin", "agentos-mcp"),
          args: [],
          cwd,
          env,
          stderr: "pipe",
        },
      });
      assert.equal(session.client.getServerVersion()?.name, "agentos");
      const { tools } = await session.client.listTools();
      assert.ok(tools.some((tool) => tool.name === "graph_list"));
      assert.deepEqual(session.errors, []);
    } finally {
      const stop = await runProgram(agentos, ["engine", "stop"], { cwd, env });
      assertOk(stop, "agentos engine stop");
    }
  },
);

Deno.test("scripts/install.sh refuses without a working Python and says what to install", async () => {
  await using clone = await freshClone();
  await using home = await tempDir("agentos-install-home-");
  await using prefix = await tempDir("agentos-install-prefix-");
  const run = await installIn(clone, prefix.path, {
    ...userEnv(home.path),
    AGENTOS_PYTHON: join(home.path, "no-such-python"),
  });
  assert.equal(run.code, 1);
  assert.match(
    run.stderr,
    /Python 3 is needed to run skills.*apt-get install python3.*AGENTOS_PYTHON/,
  );
  assert.deepEqual([...Deno.readDirSync(prefix.path)], []);
});

function compileIn(
  clone: Clone,
  home: string,
  denort?: string,
  extraEnv: Record<string, string> = {},
): Promise<ProgramRun> {
  const env = { ...userEnv(home), ...extraEnv };
  if (denort !== undefined) env.DENORT_BIN = denort;
  return runProgram(
    join(clone.dir, "scripts/deno"),
    ["task", "-q", "compile"],
    {
      cwd: clone.dir,
      env,
    },
  );
}

Deno.test(
  "deno task compile without DENORT_BIN and without a download fails with one message naming what to provide",
  // Skipped when DENORT_BIN is set: compile then uses it and cannot fail
  // for want of denort.
  { ignore: DENORT_BIN !== undefined },
  async () => {
    await using clone = await freshClone();
    await using home = await tempDir("agentos-compile-home-");
    // Deno's download server is made unreachable, whatever this machine's
    // network: every HTTP(S) request goes to a proxy port nobody listens on.
    const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const proxy = `http://127.0.0.1:${(closed.addr as Deno.NetAddr).port}`;
    closed.close();
    const run = await compileIn(clone, home.path, undefined, {
      HTTPS_PROXY: proxy,
      HTTP_PROXY: proxy,
    });
    assert.equal(run.code, 1, run.stderr);
    const lines = run.stderr.trim().split("\n");
    assert.equal(lines.length, 1, run.stderr);
    assert.match(
      lines[0]!,
      /^compile: Cannot build the executables: deno compile needs Deno's denort runtime .* Set DENORT_BIN to a denort .* executable/,
    );
    assert.equal(run.stdout, "");
  },
);

Deno.test(
  "deno task compile refuses a DENORT_BIN that is not denort and leaves no executables",
  async () => {
    await using clone = await freshClone();
    await using home = await tempDir("agentos-compile-home-");
    // The deno CLI itself makes executables that run as deno, not agentos.
    const run = await compileIn(clone, home.path, Deno.execPath());
    assert.equal(run.code, 1, run.stderr);
    const lines = run.stderr.trim().split("\n");
    assert.equal(lines.length, 1, run.stderr);
    assert.match(
      lines[0]!,
      /does not run as agentos .* is not a denort runtime but the deno CLI itself/,
    );
    const left = [...Deno.readDirSync(join(clone.dir, "dist"))].map((e) =>
      e.name
    );
    assert.deepEqual(left, [".stage"]);
  },
);

Deno.test("compilePlan() embeds each task's flags with the home and interpreter expanded", async () => {
  const config = JSON.parse(
    await Deno.readTextFile(join(REPO_ROOT, "deno.json")),
  );
  const target = {
    home: "/h/agentos",
    python: "/usr/bin/python3.11",
    outDir: "/opt/agentos",
  };
  const plans = compilePlan(config.tasks, target);
  assert.deepEqual(plans.map((p) => [p.name, p.entry]), [
    ["agentos", "main.ts"],
    ["agentos-engine", "engine/main.ts"],
    ["agentos-mcp", "mcp/main.ts"],
  ]);
  const engine = plans[1]!;
  assert.ok(
    engine.flags.includes("--allow-read=/h/agentos"),
    engine.flags.join(" "),
  );
  assert.ok(engine.flags.includes("--allow-write=/h/agentos"));
  assert.ok(
    engine.flags.includes("--allow-run=bwrap,/usr/bin/python3.11,/bin/sh"),
    engine.flags.join(" "),
  );
  assert.ok(engine.flags.includes("--v8-flags=--max-semi-space-size=4"));
  // The guard and wire workers load their modules from the engine's own source.
  assert.deepEqual(engine.includes.sort(), [
    "engine/broker/credentials",
    "engine/workers/wire_worker.ts",
    "python",
    "shapes",
  ]);
  for (const plan of [plans[0]!, plans[2]!]) {
    const run = plan.flags.find((flag) => flag.startsWith("--allow-run="))!;
    assert.ok(
      run.split("=")[1]!.split(",").includes("/opt/agentos/agentos-engine"),
      run,
    );
    assert.ok(!run.split("=")[1]!.split(",").includes("deno"), run);
  }
  for (const plan of plans) {
    for (const flag of plan.flags) {
      assert.ok(!/\$|=\.|,\.|=$|,,|,$/.test(flag), `${plan.name}: ${flag}`);
    }
  }
  assert.throws(
    () => compilePlan(config.tasks, { ...target, home: "" }),
    /AGENTOS_HOME must be an absolute path/,
  );
  assert.throws(
    () =>
      compilePlan({
        ...config.tasks,
        mcp: "deno run --allow-read=,/x mcp/main.ts",
      }, target),
    /Cannot embed "--allow-read="/,
  );
});

Deno.test(
  {
    name: DENORT_BIN === undefined
      ? "compiled agentos, agentos-engine and agentos-mcp run end to end (skipped: DENORT_BIN is not set, and Deno's download server cannot be reached for denort; scripts/install.sh is tested instead)"
      : "compiled agentos, agentos-engine and agentos-mcp run end to end",
    ignore: DENORT_BIN === undefined,
  },
  async () => {
    await using clone = await freshClone();
    await using home = await tempDir("agentos-compiled-home-");
    const build = await compileIn(clone, home.path, DENORT_BIN);
    assertOk(build, "deno task compile");
    const dist = join(clone.dir, "dist");
    const env = {
      AGENTOS_HOME: home.path,
      AGENTOS_PYTHON: realPython(),
      PATH: "/usr/local/bin:/usr/bin:/bin",
    };
    const agentos = join(dist, "agentos");
    const start = await runProgram(agentos, ["engine", "start"], {
      env,
      cwd: home.path,
    });
    try {
      assertOk(start, "compiled agentos engine start");
      const call = await runProgram(agentos, ["call", "engine.status"], {
        env,
      });
      assertOk(call, "compiled agentos call engine.status");
      const status = JSON.parse(call.stdout);
      assert.equal(status.home, home.path);
      assert.equal(status.sandbox.kind, "bubblewrap");
      // The SDK was extracted, read-only, under the home.
      const runtime = [...Deno.readDirSync(join(home.path, "runtime"))]
        .filter((e) => e.name.startsWith(`python-${VERSION}-`));
      assert.equal(runtime.length, 1);
      await using session = await McpSession.open(home.path, {
        server: {
          command: join(dist, "agentos-mcp"),
          args: [],
          env,
          stderr: "pipe",
        },
      });
      assert.equal(session.client.getServerVersion()?.name, "agentos");
    } finally {
      await runProgram(agentos, ["engine", "stop"], { env });
    }
  },
);
