import assert from "node:assert/strict";
// @ts-types="@modelcontextprotocol/sdk/types"
import {
  McpError,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { homePaths } from "../engine/home.ts";
import { RpcClient } from "../engine/rpc/mod.ts";
import { runAgentos } from "./_cli.ts";
import { EngineProcess } from "./_engine_process.ts";
import { REPO_ROOT, taskCommand, taskEnv } from "./_task_command.ts";
import { McpSession } from "./mcp_session.ts";
import { waitFor, within } from "./_wait.ts";

const BUILTIN = [
  "graph_list",
  "graph_get",
  "graph_create",
  "graph_update",
  "graph_link",
  "graph_history",
  "shapes_list",
  "shapes_get",
  "skills_list",
  "skills_run",
];

Deno.test(
  "agentos-mcp serves graph tools and resources to the SDK client over stdio",
  async () => {
    await using engine = await EngineProcess.start();
    await using session = await McpSession.open(engine.paths.home);
    const { client } = session;

    assert.equal(client.getServerVersion()?.name, "agentos");
    assert.equal(client.getServerCapabilities()?.tools?.listChanged, true);
    assert.match(client.getInstructions() ?? "", /graph_list/);

    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name);
    for (const name of BUILTIN) assert.ok(names.includes(name), name);
    for (const tool of tools) {
      assert.equal(tool.inputSchema.type, "object", tool.name);
      assert.ok((tool.description ?? "").length > 60, tool.name);
    }

    const secret = "s3cr3t-do-not-log";
    const created = await session.json<{ id: string; created: boolean }>(
      "graph_create",
      {
        shape: "task",
        values: { name: "Buy milk", priority: "2", remoteId: secret },
      },
    );
    assert.equal(created.created, true);

    const page = await session.json<
      { items: { id: string; values: Record<string, unknown> }[] }
    >("graph_list", {
      shape: "task",
      where: [{ key: "priority", op: "=", value: 2 }],
    });
    assert.deepEqual(page.items.map((item) => item.id), [created.id]);
    assert.equal(page.items[0]!.values.priority, 2);

    const node = await session.json<{ id: string; shapes: string[] }>(
      "graph_get",
      { id: created.id },
    );
    assert.deepEqual(node.shapes, ["task"]);

    await session.json("graph_update", {
      id: created.id,
      values: { done: true },
    });
    const history = await session.json<{ changes: { actor: string }[] }>(
      "graph_history",
      { id: created.id },
    );
    assert.ok(history.changes.length > 0);
    assert.ok(
      history.changes.every((change) => change.actor === "agent:mcp-test"),
      JSON.stringify(history.changes[0]),
    );

    const progress: { progress: number; total?: number }[] = [];
    const listed = await client.callTool(
      { name: "shapes_list", arguments: {} },
      undefined,
      { onprogress: (p) => progress.push(p) },
    );
    assert.notEqual(listed.isError, true);
    // Start and end both go out before the response (the raw test checks the
    // order); the SDK client drops an end it reads in the same chunk as the
    // response, so only the start is certain here.
    assert.match(JSON.stringify(progress[0]), /shapes_list started/);
    const last = progress.at(-1)!;
    if (progress.length > 1) assert.equal(last.progress, last.total);

    const { resources } = await client.listResources();
    assert.ok(resources.some((r) => r.uri === "agentos://shape/task"));
    const { resourceTemplates } = await client.listResourceTemplates();
    assert.deepEqual(
      resourceTemplates.map((t) => t.uriTemplate).sort(),
      ["agentos://node/{id}", "agentos://shape/{name}"],
    );
    const shape = await client.readResource({ uri: "agentos://shape/task" });
    assert.equal(JSON.parse(resourceText(shape)).name, "task");
    const read = await client.readResource({
      uri: `agentos://node/${created.id}`,
    });
    assert.equal(JSON.parse(resourceText(read)).id, created.id);
    await assert.rejects(
      client.readResource({ uri: "agentos://node/nope" }),
      (error: McpError) => error.code === -32002,
    );
    const completion = await client.complete({
      ref: { type: "ref/resource", uri: "agentos://shape/{name}" },
      argument: { name: "name", value: "ta" },
    });
    assert.ok(completion.completion.values.includes("task"));

    assert.deepEqual(
      session.errors.filter((error) =>
        !/progress notification for an unknown token/.test(error.message)
      ),
      [],
    );
    const log = await Deno.readTextFile(engine.paths.mcpLog);
    assert.match(log, /INFO {2}initialize id=\S+ client=mcp-test .* ms=[\d.]+/);
    assert.match(
      log,
      /tools\/call id=\S+ tool=graph_create args=\["shape","values"\] .*outcome=ok ms=[\d.]+/,
    );
    assert.match(
      log,
      /resources\/read id=\S+ uri=agentos:\/\/shape\/task outcome=ok/,
    );
    assert.ok(!log.includes(secret), "a value reached mcp.log");
    assert.equal(await session.close(), 0, session.stderr);
    assert.equal(session.stderr, "");
  },
);

Deno.test(
  "agentos-mcp reports tool failures as isError results that say what to do",
  async () => {
    await using engine = await EngineProcess.start();
    await using session = await McpSession.open(engine.paths.home);

    const unknown = await session.call("no_such_tool", {});
    assert.equal(unknown.isError, true);
    assert.match(unknown.text, /Unknown tool "no_such_tool".*tools\/list/);

    const badType = await session.call("graph_list", {
      limit: "ten",
      colour: 1,
    });
    assert.equal(badType.isError, true);
    assert.match(badType.text, /"limit" must be integer/);
    assert.match(badType.text, /unknown: "colour"/);

    const missing = await session.call("graph_get", { id: "0123456789" });
    assert.equal(missing.isError, true);
    assert.match(missing.text, /No node "0123456789".*graph_list/);

    const badShape = await session.call("graph_create", {
      shape: "no_such_shape",
      values: { name: "x" },
    });
    assert.equal(badShape.isError, true);
    assert.match(badShape.text, /Unknown shape "no_such_shape".*Fix them/);

    // 9 MiB: over the proxy's 8 MiB argument limit, under the SDK's 10 MB frame.
    const huge = await session.call("graph_create", {
      values: { blob: "x".repeat(9 * 1024 * 1024) },
    });
    assert.equal(huge.isError, true);
    assert.match(huge.text, /more than the limit .*smaller pieces/);

    // Skills may not be in this engine yet: either they work or the tool says why.
    const skills = await session.call("skills_list", {});
    if (skills.isError) assert.match(skills.text, /no "skills\.list" method/);
    else assert.ok(Array.isArray(JSON.parse(skills.text).skills));

    const ok = await session.json<{ items: unknown[] }>("graph_list", {});
    assert.ok(Array.isArray(ok.items));
    assert.deepEqual(session.errors, []);
  },
);

Deno.test("agentos-mcp writes only protocol to stdout and answers malformed lines", async () => {
  await using engine = await EngineProcess.start();
  const [program, ...args] = taskCommand("mcp", engine.paths.home);
  const child = new Deno.Command(program!, {
    args,
    cwd: REPO_ROOT,
    clearEnv: true,
    env: taskEnv(engine.paths.home),
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdout = new Response(child.stdout).text();
  const stderr = new Response(child.stderr).text();
  const writer = child.stdin.getWriter();
  const encoder = new TextEncoder();
  const line = (value: unknown) =>
    writer.write(encoder.encode(
      (typeof value === "string" ? value : JSON.stringify(value)) + "\n",
    ));
  await line("this is not json");
  await line({ jsonrpc: "2.0", id: "bad", method: 42 });
  // 33 MiB in one line: over the 32 MiB limit, skipped as it streams past.
  const chunk = encoder.encode("x".repeat(1024 * 1024));
  for (let i = 0; i < 33; i++) await writer.write(chunk);
  await line("");
  await line({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "raw", version: "1" },
    },
  });
  await line({ jsonrpc: "2.0", method: "notifications/initialized" });
  await line({ jsonrpc: "2.0", id: 2, method: "tools/list" });
  await line({ jsonrpc: "2.0", id: 3, method: "no/such/method" });
  await line({
    jsonrpc: "2.0",
    id: 4,
    method: "tools/call",
    params: { name: "graph_list", arguments: [1, 2] },
  });
  await line({
    jsonrpc: "2.0",
    id: 5,
    method: "tools/call",
    params: {
      name: "shapes_get",
      arguments: { name: "task" },
      _meta: { progressToken: "p5" },
    },
  });
  await line({ jsonrpc: "2.0", id: 6, method: "ping" });

  // Wait for the last replies by watching the log, then end the session.
  // The proxy answers ping itself, possibly before the engine has answered
  // ids 2 and 5: all three are waited for.
  try {
    await waitFor(
      "the proxy to log its answers to tools/list id=2, tools/call id=5 and ping id=6",
      async () => {
        const log = await Deno.readTextFile(engine.paths.mcpLog).catch(() =>
          ""
        );
        // tools/list needs the engine (capability tools): it may be the last.
        return /INFO {2}tools\/list id=2 /.test(log) &&
          /INFO {2}tools\/call id=5 /.test(log) &&
          /INFO {2}ping id=6 /.test(log);
      },
    );
  } catch (error) {
    child.kill("SIGKILL");
    await child.status;
    await stdout;
    await stderr;
    throw error;
  }
  await writer.close();
  const { code } = await within("the proxy to exit", child.status);
  assert.equal(code, 0, await stderr);

  const messages = (await stdout).split("\n").filter((l) => l !== "").map(
    (l) => JSON.parse(l),
  );
  for (const message of messages) assert.equal(message.jsonrpc, "2.0");
  const byId = (id: unknown) => messages.filter((m) => m.id === id);
  const nullIds = byId(null).map((m) => m.error.code).sort((a, b) => a - b);
  assert.deepEqual(nullIds, [-32700, -32600]);
  assert.equal(byId("bad")[0].error.code, -32600);
  assert.equal(byId(1)[0].result.serverInfo.name, "agentos");
  assert.ok(byId(2)[0].result.tools.length >= BUILTIN.length);
  assert.equal(byId(3)[0].error.code, -32601);
  // The SDK rejects arguments that are not an object before the proxy sees them.
  assert.ok([-32602, -32603].includes(byId(4)[0].error.code));
  assert.match(byId(4)[0].error.message, /arguments/);
  const order = messages
    .filter((m) => m.id === 5 || m.params?.progressToken === "p5")
    .map((m) =>
      m.id === 5 ? "response" : `${m.params.progress}/${m.params.total}`
    );
  assert.deepEqual(order, ["0/undefined", "1/1", "response"]);
  assert.deepEqual(byId(6)[0].result, {});
  assert.equal(await stderr, "");
});

Deno.test(
  "agentos-mcp reconnects when the engine restarts, without failing a call",
  async () => {
    const home = await Deno.makeTempDir({ prefix: "agentos-mcp-" });
    try {
      const first = await EngineProcess.start({ home });
      await using session = await McpSession.open(home);
      const created = await session.json<{ id: string }>("graph_create", {
        shape: "note",
        values: { name: "before the restart" },
      });
      await first[Symbol.asyncDispose](); // SIGTERM: a graceful stop

      await using second = await EngineProcess.start({ home });
      const node = await session.json<{ id: string }>("graph_get", {
        id: created.id,
      });
      assert.equal(node.id, created.id);
      await second.kill9(); // a crash this time

      await using third = await EngineProcess.start({ home });
      const page = await session.json<{ items: { id: string }[] }>(
        "graph_list",
        { shape: "note" },
      );
      assert.deepEqual(page.items.map((item) => item.id), [created.id]);
      const status = await (await third.client()).call<{ pid: number }>(
        "engine.status",
      );
      assert.equal(status.pid, third.child.pid);
      assert.deepEqual(session.errors, []);
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  },
);

Deno.test(
  "agentos-mcp starts the engine when none is running",
  async () => {
    const home = await Deno.makeTempDir({ prefix: "agentos-mcp-" });
    const paths = homePaths(home);
    try {
      {
        await using session = await McpSession.open(home);
        const page = await session.json<{ items: unknown[] }>("graph_list", {
          shape: "task",
        });
        assert.deepEqual(page.items, []);
      }
      // The engine outlives the session, like `agentos engine start`.
      const client = await RpcClient.connect(paths.socket);
      try {
        const status = await client.call<{ pid: number; home: string }>(
          "engine.status",
        );
        assert.equal(status.home, home);
        await client.call("engine.shutdown");
      } finally {
        await client.close();
      }
      const log = await Deno.readTextFile(paths.mcpLog);
      assert.match(log, /Starting the engine/);
      assert.match(log, /Engine started/);
      await waitFor(
        "the engine to stop and remove its pid file",
        () => !exists(paths.pidFile),
      );
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  },
);

Deno.test(
  "agentos mcp config prints snippets whose command starts a working proxy",
  async () => {
    await using engine = await EngineProcess.start();
    const home = engine.paths.home;

    const desktop = await runAgentos(home, [
      "mcp",
      "config",
      "--client",
      "claude-desktop",
    ]);
    assert.equal(desktop.code, 0, desktop.stderr);
    const server = JSON.parse(desktop.stdout).mcpServers.agentos;
    assert.deepEqual(server, {
      command: `${REPO_ROOT}scripts/deno`,
      args: ["task", "-q", "mcp"],
      env: { AGENTOS_HOME: home },
    });
    assert.match(desktop.stderr, /claude_desktop_config\.json/);

    const cursor = await runAgentos(home, [
      "mcp",
      "config",
      "--client",
      "cursor",
    ]);
    assert.equal(JSON.parse(cursor.stdout).mcpServers.agentos.type, "stdio");

    const code = await runAgentos(home, [
      "mcp",
      "config",
      "--client",
      "claude-code",
    ]);
    assert.equal(
      code.stdout.trim(),
      `claude mcp add --scope user --transport stdio --env AGENTOS_HOME=${home} agentos -- ${REPO_ROOT}scripts/deno task -q mcp`,
    );

    const installed = await runAgentos(home, [
      "mcp",
      "config",
      "--client",
      "cursor",
      "--command",
      "/opt/agentos/bin/agentos-mcp",
    ]);
    assert.deepEqual(JSON.parse(installed.stdout).mcpServers.agentos.args, []);
    const relative = await runAgentos(home, [
      "mcp",
      "config",
      "--command",
      "agentos-mcp",
    ]);
    assert.equal(relative.code, 1);
    const unknown = await runAgentos(home, [
      "mcp",
      "config",
      "--client",
      "vim",
    ]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /claude-desktop, claude-code, cursor/);

    // Start the proxy exactly as Claude Desktop would, from the snippet alone.
    await using session = await McpSession.open(home, {
      server: { ...server, stderr: "pipe" },
    });
    const shapes = await session.json<{ shapes: unknown[] }>("shapes_list");
    assert.ok(shapes.shapes.length > 0);
  },
);

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function resourceText(result: { contents: unknown[] }): string {
  return String((result.contents[0] as { text?: string }).text);
}

/** Writes a skill directory (readme + one module) into `dir`. */
async function writeSkill(
  dir: string,
  id: string,
  source: string,
): Promise<string> {
  const path = `${dir}/${id}`;
  await Deno.mkdir(path, { recursive: true });
  await Deno.writeTextFile(
    `${path}/readme.md`,
    `---\nid: ${id}\nname: ${id}\ndescription: A skill of the MCP tests\n---\n\n# ${id}\n`,
  );
  await Deno.writeTextFile(`${path}/tools.py`, source);
  return path;
}

const ECHO_SKILL = `import asyncio
from agentos import progress, provides, timeout


@provides("mcp_echo", description="Echo a text back")
async def echo(text: str, times: int = 1, **params):
    """Echo a text back.

    Args:
        text: what to echo
        times: how many times
    """
    return {"echo": " ".join([text] * times)}


@timeout(120)
@provides("mcp_nap")
async def nap(seconds: float = 60, **params):
    """Sleep, saying so first."""
    progress(0, 1, "napping")
    await asyncio.sleep(seconds)
    return {"slept": seconds}
`;

const SECOND_SKILL = `from agentos import provides


@provides("mcp_second")
async def second(**params):
    """A second capability."""
    return {"ok": True}
`;

Deno.test(
  "agentos-mcp turns capabilities into tools, follows skill changes, cancels a running skill and survives a crash mid-call",
  async () => {
    await using engine = await EngineProcess.start();
    const skills = await Deno.makeTempDir({ prefix: "agentos-mcp-skills-" });
    try {
      const rpc = await engine.client();
      await rpc.call("skills.add", {
        path: await writeSkill(skills, "mcp-echo", ECHO_SKILL),
      });
      await using session = await McpSession.open(engine.paths.home, {
        env: { AGENTOS_MCP_POLL_MS: "100" },
      });
      const { client } = session;
      let changes = 0;
      client.setNotificationHandler(
        ToolListChangedNotificationSchema,
        () => void changes++,
      );

      const tools = (await client.listTools()).tools;
      const echo = tools.find((tool) => tool.name === "mcp_echo");
      assert.ok(echo, JSON.stringify(tools.map((t) => t.name)));
      assert.match(echo.description ?? "", /Echo a text back.*mcp-echo/s);
      assert.deepEqual(echo.inputSchema.required, ["text"]);

      const echoed = await session.json<
        { result: { echo: string }; provider: { skill: string } }
      >("mcp_echo", { text: "hi", times: 2 });
      assert.equal(echoed.result.echo, "hi hi");
      assert.equal(echoed.provider.skill, "mcp-echo");
      const missing = await session.call("mcp_echo", { times: 2 });
      assert.equal(missing.isError, true);
      assert.match(missing.text, /required property 'text'/);

      // Adding, then disabling a skill changes the tool list; the proxy says so.
      await rpc.call("skills.add", {
        path: await writeSkill(skills, "mcp-second", SECOND_SKILL),
      });
      await waitFor("list_changed after skills.add", () => changes >= 1);
      assert.ok(
        (await client.listTools()).tools.some((t) => t.name === "mcp_second"),
      );
      await rpc.call("skills.disable", { id: "mcp-second" });
      await waitFor("list_changed after skills.disable", () => changes >= 2);
      assert.ok(
        !(await client.listTools()).tools.some((t) => t.name === "mcp_second"),
      );

      // Cancelling the call stops the skill's process (the engine logs it),
      // long before the 60 s nap would have ended.
      const abort = new AbortController();
      let napping = false;
      const call = client.callTool(
        { name: "mcp_nap", arguments: { seconds: 60 } },
        undefined,
        {
          signal: abort.signal,
          onprogress: (p) => napping ||= p.message === "napping",
        },
      );
      const failed = assert.rejects(call);
      await waitFor("the skill's progress report", () => napping);
      abort.abort();
      await failed;
      await waitFor(
        "the engine to stop the cancelled skill",
        async () =>
          /Skill call failed .*tool=nap .*was cancelled: the caller went away/
            .test(await Deno.readTextFile(engine.paths.engineLog)),
      );
      // An engine crash in the middle of a call fails that call, once, with
      // a message that says so; the next call reconnects.
      napping = false;
      const interrupted = client.callTool(
        { name: "mcp_nap", arguments: { seconds: 60 } },
        undefined,
        { onprogress: (p) => napping ||= p.message === "napping" },
      );
      await waitFor("the second nap to start", () => napping);
      await engine.kill9();
      const crashed = await interrupted;
      assert.equal(crashed.isError, true);
      assert.match(
        (crashed.content as { text: string }[])[0]!.text,
        /restarted while "capability\.invoke" was running.*not repeated/,
      );
      await using _restarted = await EngineProcess.start({
        home: engine.paths.home,
      });
      const back = await session.json<{ result: { echo: string } }>(
        "mcp_echo",
        { text: "back" },
      );
      assert.equal(back.result.echo, "back");

      const log = await Deno.readTextFile(engine.paths.mcpLog);
      assert.match(
        log,
        /INFO {2}cancelled id=\S+ method=tools\/call tool=mcp_nap/,
      );
      assert.match(log, /Skills changed; the tool list changed/);
    } finally {
      await Deno.remove(skills, { recursive: true });
    }
  },
);
