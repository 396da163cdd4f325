/**
 * Fuzzing of the entry points: malformed JSON-RPC lines and values on the
 * engine socket, mutated shape YAML, bridge routes, skill sources given to
 * discovery, MCP tool calls, and a worker's malformed wire traffic. Brief in CI; run longer with
 *
 *   AGENTOS_FUZZ_ITERATIONS=20000 AGENTOS_FUZZ_SEED=7 scripts/deno task fuzz
 *
 * Any crash, hang, missing or malformed reply, or wrong error code fails.
 */
import assert from "node:assert/strict";
import { RpcError } from "../engine/errors.ts";
import { ShapeRegistry } from "../engine/shapes/mod.ts";
import { EngineProcess } from "./_engine_process.ts";
import { mutateText, Random, randomJson } from "./_fuzz.ts";
import { RawSocket } from "./_raw_socket.ts";
import { realPython, REPO_ROOT } from "./_task_command.ts";
import { bridgeFixture } from "./bridge_fixture.ts";
import { McpSession } from "./mcp_session.ts";

const ITERATIONS = Number(Deno.env.get("AGENTOS_FUZZ_ITERATIONS") ?? 300);
const SEED = Number(Deno.env.get("AGENTOS_FUZZ_SEED") ?? Date.now() % 100_000);
const VALID_CODES = new Set([
  -32700,
  -32600,
  -32601,
  -32602,
  -32003,
  -32004,
  -32005,
  -32001,
  -32010,
]);

const METHODS = [
  "graph.create",
  "graph.get",
  "graph.list",
  "graph.update",
  "graph.delete",
  "graph.restore",
  "graph.link",
  "graph.unlink",
  "graph.history",
  "graph.import",
  "shapes.get",
  "shapes.list",
  "engine.ping",
  "engine.methods",
];

Deno.test(`the engine socket survives ${ITERATIONS} malformed requests (seed ${SEED})`, async () => {
  await using engine = await EngineProcess.start();
  await using raw = await RawSocket.connect(engine.paths.socket);
  const random = new Random(SEED);
  const rss = () =>
    Number(
      /VmRSS:\s+(\d+)/.exec(
        Deno.readTextFileSync(`/proc/${engine.child.pid}/status`),
      )![1],
    );
  const startRss = rss();
  for (let i = 0; i < ITERATIONS; i++) {
    const id = i + 1;
    let line: string;
    switch (random.int(4)) {
      case 0: { // valid envelope, hostile params
        const params = random.next() < 0.8
          ? randomJson(random)
          : { shape: "task", values: randomJson(random) };
        line = JSON.stringify({
          jsonrpc: "2.0",
          id,
          method: random.pick(METHODS),
          params,
        });
        break;
      }
      case 1: { // a mutated valid request: may not even parse
        line = mutateText(
          random,
          JSON.stringify({
            jsonrpc: "2.0",
            id,
            method: random.pick(METHODS),
            params: { id: "x", shape: "task" },
          }),
        );
        break;
      }
      case 2: // a random JSON value as the whole message
        line = JSON.stringify(randomJson(random)) ?? "null";
        break;
      default: // raw bytes
        line = Array.from(
          { length: random.int(200) },
          () => String.fromCharCode(random.int(256)),
        ).join("")
          .replaceAll("\n", "");
    }
    await raw.write(line.replaceAll("\n", "\\n") + "\n");
    // Every line is followed by a ping: the connection must stay usable and in order.
    await raw.write(
      JSON.stringify({
        jsonrpc: "2.0",
        id: `ping-${i}`,
        method: "engine.ping",
      }) + "\n",
    );
    for (;;) {
      const reply = await raw.readJson(10_000) as {
        id?: unknown;
        result?: unknown;
        error?: { code: number };
      } | unknown[];
      if (Array.isArray(reply)) continue; // a batch reply to a fuzzed batch
      if (reply.id === `ping-${i}`) {
        assert.deepEqual(
          reply.result,
          { pong: true, echo: null },
          `ping after line ${i}: ${line.slice(0, 200)}`,
        );
        break;
      }
      if (reply.error) {
        assert.ok(
          VALID_CODES.has(reply.error.code),
          `code ${reply.error.code} for ${line.slice(0, 200)}`,
        );
      }
    }
  }
  const grown = rss() - startRss;
  assert.ok(
    grown < 200_000,
    `engine RSS grew by ${grown} kB over ${ITERATIONS} requests`,
  );
});

Deno.test(`mutated shape YAML is reported, never thrown (seed ${SEED})`, async () => {
  const random = new Random(SEED);
  const dir = `${REPO_ROOT}/shapes`;
  const files = [...Deno.readDirSync(dir)].filter((e) =>
    e.name.endsWith(".yaml")
  ).map((e) => e.name);
  for (let i = 0; i < ITERATIONS; i++) {
    const name = random.pick(files);
    const text = mutateText(random, await Deno.readTextFile(`${dir}/${name}`));
    const registry = await ShapeRegistry.fromSources([{ file: name, text }]);
    for (const problem of registry.problems) {
      assert.ok(
        problem.line >= 1 && problem.reason.length > 0,
        JSON.stringify(problem),
      );
    }
  }
});

/** Percent-encodes anything, lone surrogates included (as an invalid byte). */
function enc(value: unknown): string {
  try {
    return encodeURIComponent(String(value));
  } catch {
    return "%FF";
  }
}

Deno.test(`bridge routes answer ${ITERATIONS} malformed requests with JSON errors, never a 500 of its own (seed ${SEED})`, async () => {
  await using fixture = await bridgeFixture();
  const random = new Random(SEED);
  const paths = [
    "/graph",
    "/graph/",
    `/graph/${fixture.seed.ada}`,
    "/shapes",
    "/shapes/task",
    "/user",
    "/capability/llm",
    "/graph/x/history",
    "/sdk.js",
    "/",
    "/nope",
  ];
  const methods = ["GET", "POST", "PATCH", "DELETE", "PUT", "OPTIONS"];
  for (let i = 0; i < ITERATIONS; i++) {
    const query = Array.from(
      { length: random.int(4) },
      () => `${enc(randomJson(random, 0))}=${enc(randomJson(random, 0))}`,
    )
      .join("&");
    const path =
      mutateText(random, random.pick(paths)).replaceAll("#", "%23").replaceAll(
        "?",
        "%3F",
      ) || "/";
    const method = random.pick(methods);
    const headers: Record<string, string> = {
      "content-type": "application/json",
    };
    if (random.next() < 0.5) {
      headers.authorization = `Bearer ${
        random.next() < 0.5 ? fixture.token : "wrong"
      }`;
    }
    if (random.next() < 0.2) {
      headers.origin = random.pick([
        "http://evil.example",
        "null",
        "http://127.0.0.1:3456",
      ]);
    }
    const body = method === "GET" || method === "OPTIONS"
      ? undefined
      : random.next() < 0.5
      ? JSON.stringify(randomJson(random))
      : mutateText(random, '{"values":{"name":"x"},"shape":"task"}');
    let response: Response;
    try {
      response = await fixture.request(
        `${path.startsWith("/") ? path : `/${path}`}${
          query ? `?${query}` : ""
        }`,
        {
          method,
          headers,
          body,
        },
      );
    } catch (error) {
      if (error instanceof TypeError) continue; // a URL the client itself refuses to send
      throw error;
    }
    const text = await response.text();
    // 502 is the engine's answer passed on (a provider skill that fails on
    // the fuzzed params), a JSON error like any other; 500 is the bridge's own.
    const upstream = response.status === 502 &&
      /"code":"bad_gateway"/.test(text);
    assert.ok(
      response.status < 500 || response.status === 501 ||
        response.status === 503 || upstream,
      `${method} ${path}: ${response.status} ${text.slice(0, 200)}`,
    );
    if (
      response.status >= 400 &&
      response.headers.get("content-type")?.includes("json")
    ) {
      assert.ok(
        typeof JSON.parse(text).error === "object" ||
          typeof JSON.parse(text).error === "string",
        text.slice(0, 200),
      );
    }
  }
  const ok = await fixture.request("/shapes");
  assert.equal(ok.status, 200);
  await ok.body?.cancel();
});

Deno.test(`skill discovery reports mutated sources as problems and never crashes (seed ${SEED})`, async () => {
  const random = new Random(SEED);
  const dir = `${REPO_ROOT}/python/skills/feeds`;
  const readme = await Deno.readTextFile(`${dir}/readme.md`);
  const source = await Deno.readTextFile(`${dir}/feed.py`);
  const cases = Math.max(20, Math.floor(ITERATIONS / 10)); // each case starts an interpreter
  for (let i = 0; i < cases; i++) {
    const input = JSON.stringify({
      readme: random.next() < 0.3 ? mutateText(random, readme) : readme,
      sources: {
        "feed.py": mutateText(random, source),
        "extra.py": mutateText(random, "x = 'https://a.example'\n"),
      },
    });
    const child = new Deno.Command(realPython(), {
      args: ["-I", "-S", `${REPO_ROOT}/python/worker_main.py`, "--discover"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(input));
    await writer.close();
    const { code, stdout, stderr } = await child.output();
    const errors = new TextDecoder().decode(stderr);
    assert.equal(
      code,
      0,
      `discovery crashed on case ${i}: ${errors.slice(-1000)}`,
    );
    const lines = new TextDecoder().decode(stdout).trim().split("\n");
    assert.equal(lines.length, 1);
    const description = JSON.parse(lines[0]!) as {
      tools: unknown[];
      problems: { file: string; line: number }[];
    };
    for (const problem of description.problems) {
      assert.ok(
        typeof problem.file === "string" && Number.isInteger(problem.line),
        JSON.stringify(problem),
      );
    }
  }
});

Deno.test(`agentos-mcp answers ${Math.max(50, ITERATIONS / 3)} hostile tool calls and stays up (seed ${SEED})`, async () => {
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "0" },
  });
  await using session = await McpSession.open(engine.paths.home);
  const random = new Random(SEED);
  const tools = [
    "graph_list",
    "graph_get",
    "graph_create",
    "graph_update",
    "graph_link",
    "graph_history",
    "shapes_get",
  ];
  for (let i = 0; i < Math.max(50, ITERATIONS / 3); i++) {
    const name = random.next() < 0.8
      ? random.pick(tools)
      : mutateText(random, random.pick(tools));
    const generated = randomJson(random);
    const args = typeof generated === "object" && generated !== null &&
        !Array.isArray(generated)
      ? generated as Record<string, unknown>
      : { value: generated };
    if (random.next() < 0.5) {
      args.shape = random.pick(["task", "nope", "", "person"]);
    }
    const outcome = await session.client.callTool({ name, arguments: args })
      .then(
        (result) => ({ result }),
        (error) => ({ error: error as { code?: unknown; message?: string } }),
      );
    if ("error" in outcome) {
      assert.equal(
        typeof outcome.error.code,
        "number",
        `${name}: ${outcome.error.message}`,
      );
    } else {
      assert.ok(
        Array.isArray(outcome.result.content),
        `${name} returned no content`,
      );
    }
  }
  await session.client.ping();
  assert.deepEqual(session.errors, []);
});

Deno.test(`the engine fails a worker's malformed wire traffic cleanly, case by case (seed ${SEED})`, async () => {
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "1" },
  });
  const client = await engine.client();
  await client.call("skills.add", {
    path: `${REPO_ROOT}/tests/fixtures/skills/wire-fuzz`,
  });
  await client.call("skills.add", {
    path: `${REPO_ROOT}/tests/fixtures/skills/cap-ok`,
  });
  const cases = Math.max(20, Math.floor(ITERATIONS / 10)); // each case is a sandboxed worker
  for (let i = 0; i < cases; i++) {
    const outcome = await client.call("skills.run", {
      skill: "wire-fuzz",
      tool: "emit",
      params: { seed: SEED * 1000 + i, lines: 1 + (i % 8) },
    }).then(() => undefined, (error) => error as RpcError);
    if (outcome !== undefined) {
      assert.ok(
        [-32007, -32006, -32005].includes(outcome.code),
        `case ${i}: code ${outcome.code}: ${outcome.message}`,
      );
      assert.ok(outcome.message.length > 0);
    }
    assert.deepEqual(await client.call("engine.ping"), {
      pong: true,
      echo: null,
    }, `engine up after case ${i}`);
  }
  const echo = await client.call<{ result: { echo: string } }>("skills.run", {
    skill: "cap-ok",
    tool: "echo",
    params: { text: "still fine" },
  });
  assert.equal(echo.result.echo, "still fine");
});
