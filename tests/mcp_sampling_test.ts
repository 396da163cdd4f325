/**
 * The MCP client's own model as `llm` (#27 item 3), end to end: the SDK's
 * real `Client` declaring sampling and answering, a real engine running
 * sandboxed skills that call `llm.oneshot` / `llm.agent`. Hostile: a
 * skill's answer must come from the session whose tool call started it,
 * never another's, and no other engine connection can answer for it.
 */
import assert from "node:assert/strict";
import {
  CreateMessageRequestSchema,
  type CreateMessageResult,
  McpError,
  // @ts-types="@modelcontextprotocol/sdk/types"
} from "@modelcontextprotocol/sdk/types.js";
import { EngineProcess } from "./_engine_process.ts";
import { McpSession } from "./mcp_session.ts";
import { RpcError } from "../engine/mod.ts";
import { waitFor } from "./_wait.ts";

/** Asks `llm` and returns what it said (which session's model answered). */
const ASKER = `from agentos import llm, provides


@provides("ask_model")
async def ask(question: str = "Who are you?", model: str = "haiku", tools: list = None):
    """Ask the llm capability."""
    if tools:
        out = await llm.agent(prompt=question, tools=tools)
        return {"answer": out}
    out = await llm.oneshot(prompt=question, system="Answer in one line.", model=model)
    return {"answer": out["content"], "model": out["model"], "provider": out.get("provider")}
`;

/** A skill that provides llm itself (answers without any model). */
const FIXED_LLM = `from agentos import llm, provides


@provides(llm)
async def chat(prompt: str = None, messages: list = None, **params):
    """A fixed answer."""
    return {"content": "from the fixed skill", "model": "fixed"}
`;

async function writeSkill(dir: string, id: string, source: string) {
  const path = `${dir}/${id}`;
  await Deno.mkdir(path, { recursive: true });
  await Deno.writeTextFile(
    `${path}/readme.md`,
    `---\nid: ${id}\nname: ${id}\ndescription: A skill of the sampling tests\n---\n\n# ${id}\n`,
  );
  await Deno.writeTextFile(`${path}/tools.py`, source);
  return path;
}

async function setUp() {
  const skills = await Deno.makeTempDir({ prefix: "agentos-sampling-" });
  const engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "2" },
  });
  const rpc = await engine.client();
  await rpc.call("skills.add", {
    path: await writeSkill(skills, "asker", ASKER),
  });
  return { skills, engine, rpc };
}

/** A session whose client answers sampling with `answer`. */
async function samplingSession(
  home: string,
  answer: (params: Record<string, unknown>) => unknown,
  env: Record<string, string> = {},
) {
  const session = await McpSession.open(home, {
    capabilities: { sampling: {} },
    env,
  });
  const asked: Record<string, unknown>[] = [];
  session.client.setRequestHandler(CreateMessageRequestSchema, (request) => {
    asked.push(request.params as Record<string, unknown>);
    return answer(request.params) as CreateMessageResult;
  });
  return { session, asked };
}

const said = (text: string, model = "client-model") => ({
  role: "assistant",
  model,
  stopReason: "endTurn",
  content: { type: "text", text },
});

Deno.test(
  "sampling: a skill's llm.oneshot is answered by the calling client's model; the alias becomes a hint",
  async () => {
    const { skills, engine } = await setUp();
    await using _engine = engine;
    const { session, asked } = await samplingSession(
      engine.paths.home,
      () => said("I am the client's model"),
    );
    await using _session = session;
    const out = await session.json<{ result: Record<string, unknown> }>(
      "ask_model",
      { question: "Who are you?" },
    );
    assert.deepEqual(out.result, {
      answer: "I am the client's model",
      model: "client-model",
      provider: "mcp-sampling",
    });
    assert.equal(asked.length, 1);
    assert.deepEqual(asked[0]!.messages, [{
      role: "user",
      content: { type: "text", text: "Who are you?" },
    }]);
    assert.equal(asked[0]!.systemPrompt, "Answer in one line.");
    const preferences = asked[0]!.modelPreferences as Record<string, unknown>;
    assert.deepEqual(preferences.hints, [{ name: "haiku" }]);
    assert.equal(preferences.speedPriority, 1);
    await Deno.remove(skills, { recursive: true });
  },
);

Deno.test(
  "sampling refusals: decline, never, wrong schema, tools, and a client without sampling each give the skill a clear error",
  async (t) => {
    const { skills, engine } = await setUp();
    await using _engine = engine;
    const home = engine.paths.home;

    await t.step("declined by the person", async () => {
      const { session } = await samplingSession(home, () => {
        throw new McpError(-1, "User rejected sampling request");
      });
      await using _session = session;
      const result = await session.call("ask_model", {});
      assert.equal(result.isError, true);
      assert.match(result.text, /did not answer.*rejected sampling request/);
    });

    await t.step(
      "never answered: a timeout, and the late answer is dropped",
      async () => {
        const { session, asked } = await samplingSession(
          home,
          () => new Promise((r) => setTimeout(() => r(said("late")), 2000)),
          { AGENTOS_MCP_ASK_TIMEOUT_MS: "800" },
        );
        await using _session = session;
        const result = await session.call("ask_model", {});
        assert.equal(result.isError, true);
        assert.match(result.text, /no answer within 1 s/);
        assert.equal(asked.length, 1);
        await new Promise((r) => setTimeout(r, 1500));
        assert.ok(!session.stderr.includes("Unhandled"));
      },
    );

    await t.step("an answer of the wrong schema", async () => {
      const { session } = await samplingSession(home, () => ({ foo: 1 }));
      await using _session = session;
      const result = await session.call("ask_model", {});
      assert.equal(result.isError, true);
      assert.match(result.text, /did not answer: the client refused or failed/);
    });

    await t.step("llm.agent with tools is refused before asking", async () => {
      const { session, asked } = await samplingSession(home, () => said("x"));
      await using _session = session;
      const result = await session.call("ask_model", { tools: ["web_read"] });
      assert.equal(result.isError, true);
      assert.match(result.text, /without tools only/);
      assert.equal(asked.length, 0);
    });

    await t.step(
      "a client without sampling: only the skill providers",
      async () => {
        await using session = await McpSession.open(home);
        const result = await session.call("ask_model", {});
        assert.equal(result.isError, true);
        // The bundled provider's local endpoint (nothing listens in the test).
        assert.match(
          result.text,
          /provider of "llm" failed: openai-compatible/,
        );
        assert.ok(!session.traffic.join("").includes("sampling/createMessage"));
      },
    );
    await Deno.remove(skills, { recursive: true });
  },
);

Deno.test(
  "sampling preference: an added provider serves until the owner prefers mcp-sampling; CLI calls never reach a client",
  async () => {
    const { skills, engine, rpc } = await setUp();
    await using _engine = engine;
    await rpc.call("skills.add", {
      path: await writeSkill(skills, "fixed-llm", FIXED_LLM),
    });
    const { session, asked } = await samplingSession(
      engine.paths.home,
      () => said("from the client"),
    );
    await using _session = session;
    const answer = async () =>
      (await session.json<{ result: { answer: string } }>("ask_model", {}))
        .result.answer;
    assert.equal(await answer(), "from the fixed skill");
    await rpc.call("prefs.set", {
      key: "capability.llm",
      value: "mcp-sampling",
    });
    assert.equal(await answer(), "from the client");
    // The same preference from a call no MCP client made: the skill serves.
    const cli = await rpc.call<{ result: { answer: string } }>("skills.run", {
      skill: "asker",
      tool: "ask",
    });
    assert.equal(cli.result.answer, "from the fixed skill");
    assert.equal(asked.length, 1);
    await Deno.remove(skills, { recursive: true });
  },
);

Deno.test(
  "hostile: two sessions ask at once and each skill gets its own client's answer, never the other's",
  async () => {
    const { skills, engine } = await setUp();
    await using _engine = engine;
    const slow = (text: string, ms: number) => () =>
      new Promise((r) => setTimeout(() => r(said(text)), ms));
    const a = await samplingSession(
      engine.paths.home,
      slow("secret of A", 600),
    );
    await using _a = a.session;
    const b = await samplingSession(engine.paths.home, slow("answer of B", 50));
    await using _b = b.session;
    const [fromA, fromB] = await Promise.all([
      a.session.json<{ result: { answer: string } }>("ask_model", {}),
      b.session.json<{ result: { answer: string } }>("ask_model", {}),
    ]);
    assert.equal(fromA.result.answer, "secret of A");
    assert.equal(fromB.result.answer, "answer of B");
    assert.equal(a.asked.length, 1);
    assert.equal(b.asked.length, 1);
    assert.ok(!b.session.traffic.join("").includes("secret of A"));
    await Deno.remove(skills, { recursive: true });
  },
);

Deno.test(
  "hostile: another engine connection cannot answer a sampling request; a wrong-schema or late answer is refused",
  async () => {
    const { skills, engine } = await setUp();
    await using _engine = engine;
    const asks: { id: string }[] = [];
    const owner = await engine.client({
      onNotification: (method, params) => {
        if (method === "llm.sample") asks.push(params as { id: string });
      },
    });
    const thief = await engine.client();
    const run = (model = true) =>
      owner.call<{ result: { answer: string } }>("skills.run", {
        skill: "asker",
        tool: "ask",
        clientModel: model,
      });

    const first = run();
    await waitFor("the sampling request", () => asks.length === 1);
    const id = asks[0]!.id;
    const stolen = await thief.call("llm.sample_answer", {
      id,
      result: { text: "forged by another connection", model: "x" },
    }).catch((e) => e);
    assert.ok(stolen instanceof RpcError);
    assert.match(stolen.message, /No sampling request with this id/);
    await owner.call("llm.sample_answer", {
      id,
      result: { text: "the owner's answer", model: "m" },
    });
    assert.equal((await first).result.answer, "the owner's answer");
    // Answered: a second (late) answer finds nothing.
    const late = await owner.call("llm.sample_answer", {
      id,
      result: { text: "late", model: "m" },
    }).catch((e) => e);
    assert.match((late as Error).message, /No sampling request with this id/);

    const second = run().catch((e) => e);
    await waitFor("the second request", () => asks.length === 2);
    const bad = await owner.call("llm.sample_answer", {
      id: asks[1]!.id,
      result: { text: 42 },
    }).catch((e) => e);
    assert.match((bad as Error).message, /"result.text" must be a string/);
    const failed = await second;
    assert.ok(failed instanceof RpcError);
    assert.match(failed.message, /malformed result/);
    await Deno.remove(skills, { recursive: true });
  },
);
