import assert from "node:assert/strict";
import { ErrorCode, RpcError } from "../engine/errors.ts";
import { RpcDispatcher, RpcServer } from "../engine/rpc/mod.ts";
import { createClient } from "../bridge/static/sdk.js";
import { bridgeFixture } from "./bridge_fixture.ts";

/** A small engine stand-in whose `capability.invoke` answers by capability name. */
async function stubEngine(
  options: { invoke: boolean },
): Promise<{ socket: string } & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix: "agentos-stub-" });
  const dispatcher = new RpcDispatcher();
  if (options.invoke) {
    dispatcher.register("capability.invoke", (params) => {
      const failures: Record<string, number> = {
        missing: ErrorCode.NotFound,
        slow: ErrorCode.Timeout,
        denied: ErrorCode.Forbidden,
        bad: ErrorCode.InvalidParams,
        broken: ErrorCode.SkillFailed,
        busy: ErrorCode.Overloaded,
      };
      const code = failures[String(params.name)];
      if (code !== undefined) {
        throw new RpcError(code, `Capability "${params.name}" failed`);
      }
      if (params.name === "crash") {
        throw new Error("a bug with a /secret/path in it");
      }
      return {
        result: { echo: params.params, name: params.name },
        provider: "skill:echo",
        attempts: [],
      };
    });
  }
  const server = new RpcServer(dispatcher, {
    path: `${dir}/stub.sock`,
    maxLineBytes: 1 << 20,
  });
  return {
    socket: `${dir}/stub.sock`,
    async [Symbol.asyncDispose]() {
      await server.close(0);
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("POST /capability/:name forwards {name, params} to capability.invoke and returns its answer", async () => {
  await using stub = await stubEngine({ invoke: true });
  await using fx = await bridgeFixture({ socket: stub.socket });
  const auth = {
    authorization: `Bearer ${fx.token}`,
    "content-type": "application/json",
  };
  const response = await fx.request("/capability/llm", {
    method: "POST",
    headers: auth,
    body: JSON.stringify({ prompt: "Hello" }),
  });
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), {
    result: { echo: { prompt: "Hello" }, name: "llm" },
    provider: "skill:echo",
    attempts: [],
  });

  const empty = await fx.request("/capability/web_search", {
    method: "POST",
    headers: auth,
  });
  assert.deepEqual(
    (await empty.json()).result.echo,
    {},
    "an empty body is empty params",
  );
});

Deno.test("POST /capability/:name maps engine errors to HTTP statuses and hides internal detail", async () => {
  await using stub = await stubEngine({ invoke: true });
  await using fx = await bridgeFixture({ socket: stub.socket });
  const auth = {
    authorization: `Bearer ${fx.token}`,
    "content-type": "application/json",
  };
  for (
    const [name, status, rpcCode] of [
      ["missing", 404, -32003],
      ["slow", 504, -32006],
      ["denied", 403, -32005],
      ["bad", 400, -32602],
      ["broken", 502, -32007],
      ["busy", 503, -32010],
      ["crash", 500, -32603],
    ] as const
  ) {
    const response = await fx.request(`/capability/${name}`, {
      method: "POST",
      headers: auth,
      body: "{}",
    });
    assert.equal(response.status, status, name);
    const { error } = await response.json();
    assert.equal(error.rpcCode, rpcCode, name);
    assert.equal(JSON.stringify(error).includes("/secret/path"), false);
  }
});

Deno.test("POST /capability/:name refuses without the token, with a bad name or body, and says when the engine cannot invoke", async () => {
  await using stub = await stubEngine({ invoke: false });
  await using fx = await bridgeFixture({ socket: stub.socket });
  const noToken = await fx.anonymous("/capability/llm", {
    method: "POST",
    body: "{}",
    headers: { "content-type": "application/json" },
  });
  assert.equal(noToken.status, 401);
  await noToken.body?.cancel();

  const auth = {
    authorization: `Bearer ${fx.token}`,
    "content-type": "application/json",
  };
  const badName = await fx.request("/capability/Not%20Valid", {
    method: "POST",
    headers: auth,
    body: "{}",
  });
  assert.equal(badName.status, 400);
  assert.match((await badName.json()).error.message, /Invalid capability name/);
  const badBody = await fx.request("/capability/llm", {
    method: "POST",
    headers: auth,
    body: '"text"',
  });
  assert.equal(badBody.status, 400);
  await badBody.body?.cancel();

  const missing = await fx.request("/capability/llm", {
    method: "POST",
    headers: auth,
    body: "{}",
  });
  assert.equal(missing.status, 501);
  assert.match(
    (await missing.json()).error.message,
    /cannot invoke capabilities yet/,
  );
});

Deno.test("bridge routes that need the engine answer 503 with a start hint when it is not running", async () => {
  await using fx = await bridgeFixture({ socket: "/nonexistent/engine.sock" });
  const auth = {
    authorization: `Bearer ${fx.token}`,
    "content-type": "application/json",
  };
  for (
    const [path, init] of [
      ["/capability/llm", { method: "POST", headers: auth, body: "{}" }],
      ["/graph", {
        method: "POST",
        headers: auth,
        body: '{"values":{"name":"x"}}',
      }],
      ["/observer/stream", {}],
    ] as const
  ) {
    const response = await fx.request(path, init);
    assert.equal(response.status, 503, path);
    assert.match((await response.json()).error.message, /agentos engine start/);
  }
  const reads = await fx.request("/graph?shape=task");
  assert.equal(reads.status, 200, "reads do not need the engine");
  await reads.body?.cancel();
});

Deno.test("the SDK's capability(name).invoke() posts the params with the token and rejects with AgentOSError", async () => {
  await using stub = await stubEngine({ invoke: true });
  await using fx = await bridgeFixture({ socket: stub.socket });
  const agentos = createClient({
    baseUrl: "http://127.0.0.1:3456",
    token: fx.token,
    fetch: (input, init) => Promise.resolve(fx.app.request(input, init)),
  });
  const answer = await agentos.capability("llm").invoke<{ echo: unknown }>({
    prompt: "Hi",
  });
  assert.deepEqual(answer.result.echo, { prompt: "Hi" });
  assert.equal(answer.provider, "skill:echo");
  await assert.rejects(
    () => agentos.capability("denied").invoke(),
    (error: Error & { status?: number; code?: string; rpcCode?: number }) =>
      error.name === "AgentOSError" && error.status === 403 &&
      error.code === "forbidden" &&
      error.rpcCode === -32005,
  );
});
