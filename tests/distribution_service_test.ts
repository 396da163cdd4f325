/**
 * `agentos service install|uninstall|status` in a temporary HOME and
 * XDG_CONFIG_HOME: the unit's text and place, and that its command line
 * really runs the engine.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { RpcClient } from "../engine/rpc/mod.ts";
import { realPython, REPO_ROOT } from "./_task_command.ts";
import { denoDir, runAgentosWith } from "./distribution_helpers.ts";
import { within } from "./_wait.ts";

const SYSTEMD_RUNS = (() => {
  try {
    return Deno.statSync("/run/systemd/system").isDirectory;
  } catch {
    return false;
  }
})();

async function sandbox(): Promise<
  AsyncDisposable & { home: string; env: Record<string, string>; user: string }
> {
  const root = await Deno.makeTempDir({ prefix: "agentos-service-" });
  const user = join(root, "user");
  await Deno.mkdir(user);
  return {
    home: join(root, "agentos"),
    user,
    env: {
      HOME: user,
      XDG_CONFIG_HOME: join(user, "config"),
      DENO_DIR: denoDir(),
    },
    [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }),
  };
}

/** The unit's `Environment=` and `ExecStart=` words (no quoting used here). */
function unitCommand(
  text: string,
): { env: Record<string, string>; argv: string[] } {
  const env: Record<string, string> = {};
  let argv: string[] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith("Environment=")) {
      const [key, ...value] = line.slice("Environment=".length).split("=");
      env[key!] = value.join("=");
    }
    if (line.startsWith("ExecStart=")) {
      argv = line.slice("ExecStart=".length).split(" ");
    }
  }
  return { env, argv };
}

Deno.test(
  "agentos service install writes a systemd user unit that restarts the engine on failure",
  async () => {
    await using box = await sandbox();
    const unitPath = join(
      box.user,
      "config",
      "systemd",
      "user",
      "agentos.service",
    );

    const printed = await runAgentosWith(box.home, [
      "service",
      "install",
      "--print",
    ], box.env);
    assert.equal(printed.code, 0, printed.stderr);
    assert.match(printed.stderr, new RegExp(`would be written to ${unitPath}`));
    await assert.rejects(Deno.stat(unitPath), Deno.errors.NotFound);
    const text = printed.stdout;
    for (
      const line of [
        "[Service]",
        "Type=simple",
        `Environment=AGENTOS_HOME=${box.home}`,
        `Environment=AGENTOS_PYTHON=${realPython()}`,
        `ExecStart=${REPO_ROOT}scripts/deno task -q --config ${REPO_ROOT}deno.json engine`,
        "Restart=on-failure",
        "RestartPreventExitStatus=3",
        "[Install]",
        "WantedBy=default.target",
      ]
    ) {
      assert.ok(
        text.split("\n").includes(line),
        `missing "${line}" in:\n${text}`,
      );
    }

    // Where systemd runs, do not touch the real user manager.
    const args = [
      "service",
      "install",
      ...(SYSTEMD_RUNS ? ["--write-only"] : []),
    ];
    const installed = await runAgentosWith(box.home, args, box.env);
    assert.equal(installed.code, 0, installed.stderr);
    assert.match(installed.stdout, new RegExp(`Wrote ${unitPath}`));
    if (!SYSTEMD_RUNS) {
      assert.match(
        installed.stdout,
        /Not enabled: systemd is not running on this machine/,
      );
      assert.match(
        installed.stdout,
        /systemctl --user enable --now agentos\.service/,
      );
    }
    assert.equal(await Deno.readTextFile(unitPath), text.trimEnd() + "\n");
    assert.equal((await Deno.stat(unitPath)).mode! & 0o777, 0o644);

    const status = await runAgentosWith(box.home, [
      "service",
      "status",
      "--json",
    ], box.env);
    assert.equal(status.code, 0, status.stderr);
    const parsed = JSON.parse(status.stdout);
    assert.equal(parsed.installed, true);
    assert.equal(parsed.current, true);
    assert.equal(parsed.path, unitPath);
    assert.equal(parsed.engine, "not running");

    await Deno.writeTextFile(
      unitPath,
      text.replace("RestartSec=5", "RestartSec=1"),
    );
    const stale = await runAgentosWith(
      box.home,
      ["service", "status"],
      box.env,
    );
    assert.match(stale.stdout, /differs from what service install writes now/);

    const removed = await runAgentosWith(
      box.home,
      ["service", "uninstall"],
      box.env,
    );
    assert.equal(removed.code, 0, removed.stderr);
    await assert.rejects(Deno.stat(unitPath), Deno.errors.NotFound);
    const gone = await runAgentosWith(box.home, ["service", "status"], box.env);
    assert.equal(gone.code, 1);
    assert.match(gone.stdout, /not installed/);
  },
);

Deno.test("The systemd unit's ExecStart runs the engine in the foreground on its home", async () => {
  await using box = await sandbox();
  const printed = await runAgentosWith(box.home, [
    "service",
    "install",
    "--print",
  ], box.env);
  const { env, argv } = unitCommand(printed.stdout);
  // As systemd would: only the unit's environment.
  const child = new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    clearEnv: true,
    env,
    cwd: "/",
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    const deadline = Date.now() + 20_000;
    let status: { home?: string } | undefined;
    while (status === undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      let client: RpcClient | undefined;
      try {
        client = await RpcClient.connect(join(box.home, "engine.sock"));
        status = await client.call("engine.status", {}, { timeoutMs: 2000 });
      } catch {
        // Not listening yet.
      } finally {
        await client?.close();
      }
    }
    assert.equal(status?.home, box.home);
  } finally {
    child.kill("SIGTERM");
    // SIGTERM shuts the engine down like engine.shutdown: a clean exit.
    const exited = await within("the engine to exit on SIGTERM", child.status)
      .catch(async (error) => {
        child.kill("SIGKILL");
        await child.status;
        throw error;
      });
    assert.equal(exited.code, 0);
  }
});

Deno.test("agentos service install --platform launchd writes a LaunchAgents plist", async () => {
  await using box = await sandbox();
  const run = await runAgentosWith(
    box.home,
    ["service", "install", "--platform", "launchd"],
    box.env,
  );
  assert.equal(run.code, 0, run.stderr);
  const plist = join(
    box.user,
    "Library",
    "LaunchAgents",
    "dev.agentos.engine.plist",
  );
  assert.match(
    run.stdout,
    new RegExp(`launchctl bootstrap gui/\\$\\(id -u\\) ${plist}`),
  );
  const text = await Deno.readTextFile(plist);
  assert.match(
    text,
    /<key>Label<\/key>\s*<string>dev\.agentos\.engine<\/string>/,
  );
  assert.match(
    text,
    new RegExp(
      `<string>${REPO_ROOT}scripts/deno</string>\\s*<string>task</string>`,
    ),
  );
  assert.match(
    text,
    new RegExp(`<key>AGENTOS_HOME</key>\\s*<string>${box.home}</string>`),
  );
  assert.match(
    text,
    /<key>KeepAlive<\/key>\s*<dict>\s*<key>SuccessfulExit<\/key>\s*<false\/>/,
  );
  const removed = await runAgentosWith(
    box.home,
    ["service", "uninstall", "--platform", "launchd"],
    box.env,
  );
  assert.equal(removed.code, 0);
  await assert.rejects(Deno.stat(plist), Deno.errors.NotFound);
});
