import assert from "node:assert/strict";
import { runAgentos } from "./_cli.ts";
import { EngineProcess } from "./_engine_process.ts";

Deno.test("agentos engine start runs the engine in the background; status, call and stop work", async () => {
  const home = await Deno.makeTempDir({ prefix: "agentos-cli-" });
  try {
    const started = await runAgentos(home, ["engine", "start", "--json"]);
    assert.equal(started.code, 0, started.stderr);
    const pid = JSON.parse(started.stdout).pid as number;
    assert.equal(
      Deno.readTextFileSync(`${home}/engine.pid`).trim(),
      String(pid),
    );

    const again = await runAgentos(home, ["engine", "start"]);
    assert.equal(again.code, 0);
    assert.match(again.stdout, new RegExp(`already running \\(pid ${pid}\\)`));

    const status = await runAgentos(home, ["engine", "status"]);
    assert.equal(status.code, 0);
    assert.match(status.stdout, new RegExp(`running \\(pid ${pid}\\)`));
    assert.match(status.stdout, /sandbox\s+\S+/);

    const statusJson = await runAgentos(home, ["engine", "status", "--json"]);
    assert.equal(JSON.parse(statusJson.stdout).home, home);

    const call = await runAgentos(home, [
      "call",
      "engine.ping",
      '{"echo":"hi"}',
    ]);
    assert.equal(call.code, 0);
    assert.deepEqual(JSON.parse(call.stdout), { pong: true, echo: "hi" });

    const fromStdin = await runAgentos(
      home,
      ["call", "engine.ping", "-"],
      '{"echo":"stdin"}',
    );
    assert.deepEqual(JSON.parse(fromStdin.stdout), {
      pong: true,
      echo: "stdin",
    });

    const unknown = await runAgentos(home, ["call", "no.such"]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /-32601/);

    const badJson = await runAgentos(home, ["call", "engine.ping", "{oops"]);
    assert.equal(badJson.code, 1);
    assert.match(badJson.stderr, /not valid JSON/);

    const stopped = await runAgentos(home, ["engine", "stop"]);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.match(stopped.stdout, new RegExp(`stopped \\(pid ${pid}\\)`));
    assert.throws(
      () => Deno.statSync(`${home}/engine.sock`),
      Deno.errors.NotFound,
    );
  } finally {
    await runAgentos(home, ["engine", "stop"]);
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("agentos exits 2 with a start hint when no engine runs", async () => {
  const home = await Deno.makeTempDir({ prefix: "agentos-cli-" });
  try {
    for (
      const args of [["engine", "status"], ["call", "engine.status"], [
        "engine",
        "stop",
      ]]
    ) {
      const run = await runAgentos(home, args);
      assert.equal(run.code, 2, args.join(" "));
      assert.match(run.stderr, /agentos engine start/);
    }
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("agentos engine start exits 3 when another engine holds the lock", async () => {
  await using engine = await EngineProcess.start();
  // Hide the socket so the CLI cannot see the running engine and tries to start one.
  Deno.renameSync(engine.paths.socket, `${engine.paths.socket}.hidden`);
  try {
    const run = await runAgentos(engine.paths.home, ["engine", "start"]);
    assert.equal(run.code, 3);
    assert.match(run.stderr, new RegExp(`pid ${engine.child.pid}`));
  } finally {
    Deno.renameSync(`${engine.paths.socket}.hidden`, engine.paths.socket);
  }
});

Deno.test("every agentos command answers --help, and bad usage exits 1", async () => {
  const home = await Deno.makeTempDir({ prefix: "agentos-cli-" });
  try {
    const overview = await runAgentos(home, ["--help"]);
    assert.equal(overview.code, 0);
    const commands = [
      ...overview.stdout.matchAll(/^ {2}(\S+(?: [a-z]+)?) {2,}/gm),
    ].map((m) => m[1]!);
    assert.ok(commands.length >= 4, overview.stdout);
    for (const command of commands) {
      const help = await runAgentos(home, [...command.split(" "), "--help"]);
      assert.equal(help.code, 0, command);
      assert.match(
        help.stdout,
        new RegExp(`Usage:\\n {2}agentos ${command}`),
        command,
      );
    }
    const badOption = await runAgentos(home, ["engine", "status", "--nope"]);
    assert.equal(badOption.code, 1);
    assert.match(badOption.stderr, /Unknown option '--nope'/);
    const unknown = await runAgentos(home, ["frobnicate"]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /Unknown command "frobnicate"/);
    const version = await runAgentos(home, ["--version"]);
    assert.match(version.stdout, /^agentos \d+\.\d+\.\d+/);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
