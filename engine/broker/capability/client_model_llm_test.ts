import assert from "node:assert/strict";
import { ErrorCode, RpcError } from "../../errors.ts";
import {
  askClientModel,
  CLIENT_MODEL_PROVIDER,
  clientModelServes,
  samplingRequest,
} from "./client_model_llm.ts";
import type { ClientModel } from "./client_model.ts";

const user = (text: string) => ({
  role: "user",
  content: { type: "text", text },
});

Deno.test("samplingRequest() turns llm params into sampling/createMessage params", () => {
  const cases: [Record<string, unknown>, Record<string, unknown>][] = [
    [{ prompt: "hi" }, { messages: [user("hi")], maxTokens: 1024 }],
    [
      {
        messages: [
          { role: "system", content: "be brief" },
          { role: "user", content: "q" },
          { role: "assistant", content: "a" },
          { role: "system", content: "and kind" },
        ],
        system: "rules",
        prompt: "ignored when messages are given",
        temperature: 0,
        max_tokens: 200_000,
        tools: [],
      },
      {
        messages: [user("q"), {
          role: "assistant",
          content: { type: "text", text: "a" },
        }],
        maxTokens: 100_000,
        systemPrompt: "rules\n\nbe brief\n\nand kind",
        temperature: 0,
      },
    ],
    [{ prompt: "p", system: "one" }, {
      messages: [user("p")],
      maxTokens: 1024,
      systemPrompt: "one",
    }],
    [{ prompt: "p", system: "", max_tokens: 1 }, {
      messages: [user("p")],
      maxTokens: 1,
    }],
    [{ prompt: "p", max_tokens: 0 }, {
      messages: [user("p")],
      maxTokens: 1024,
    }],
    [{ prompt: "p", max_tokens: 1.5 }, {
      messages: [user("p")],
      maxTokens: 1024,
    }],
    [{ prompt: "p", max_tokens: 100_000, temperature: "hot" }, {
      messages: [user("p")],
      maxTokens: 100_000,
    }],
    [{ prompt: "p", model: "sonnet" }, {
      messages: [user("p")],
      maxTokens: 1024,
      modelPreferences: {
        hints: [{ name: "sonnet" }],
        intelligencePriority: 0.6,
        speedPriority: 0.5,
        costPriority: 0.5,
      },
    }],
    [{ prompt: "p", model: "OPUS" }, {
      messages: [user("p")],
      maxTokens: 1024,
      modelPreferences: {
        hints: [{ name: "OPUS" }],
        intelligencePriority: 1,
        speedPriority: 0.2,
        costPriority: 0.2,
      },
    }],
    [{ prompt: "p", model: "haiku" }, {
      messages: [user("p")],
      maxTokens: 1024,
      modelPreferences: {
        hints: [{ name: "haiku" }],
        intelligencePriority: 0.2,
        speedPriority: 1,
        costPriority: 1,
      },
    }],
    [{ prompt: "p", model: "gpt-4.1:mini/x" }, {
      messages: [user("p")],
      maxTokens: 1024,
      modelPreferences: { hints: [{ name: "gpt-4.1:mini/x" }] },
    }],
    [{ prompt: "p", model: "m".repeat(100) }, {
      messages: [user("p")],
      maxTokens: 1024,
      modelPreferences: { hints: [{ name: "m".repeat(100) }] },
    }],
    [{ prompt: "p", model: "m".repeat(101) }, {
      messages: [user("p")],
      maxTokens: 1024,
    }],
    [{ prompt: "p", model: "a b" }, { messages: [user("p")], maxTokens: 1024 }],
    [{ prompt: "p", model: 3 }, { messages: [user("p")], maxTokens: 1024 }],
  ];
  for (const [params, request] of cases) {
    assert.deepEqual(samplingRequest(params), request, JSON.stringify(params));
  }
});

Deno.test("samplingRequest() refuses what it cannot send, each with its message", () => {
  const MIB = 1024 * 1024;
  // The JSON of one user message, less its text.
  const around = JSON.stringify([user("")]).length;
  assert.equal(
    samplingRequest({ prompt: "x".repeat(MIB - around) }).maxTokens,
    1024,
  );
  const refused: [Record<string, unknown>, string][] = [
    [
      { prompt: "p", tools: [{ name: "t" }] },
      "The MCP client's model (mcp-sampling) answers llm.oneshot and llm.agent without tools only; give no tools, or prefer a skill that provides llm",
    ],
    [
      { prompt: "x".repeat(MIB - around + 1) },
      `The prompt is ${
        MIB + 1
      } characters, more than the 1048576 sent to an MCP client`,
    ],
    [
      { prompt: "x", system: "s".repeat(MIB) },
      `The prompt is ${
        MIB + around + 1
      } characters, more than the 1048576 sent to an MCP client`,
    ],
    [{}, "llm needs a prompt or messages"],
    [{ prompt: 7 }, "llm needs a prompt or messages"],
    [{ messages: [] }, "llm needs a prompt or messages"],
    [
      { messages: [{ role: "system", content: "s" }] },
      "llm needs a prompt or messages",
    ],
    [
      { messages: ["hi"] },
      `Each message must be {"role", "content"} with text content`,
    ],
    [
      { messages: [{ role: "user", content: 1 }] },
      `Each message must be {"role", "content"} with text content`,
    ],
    [
      { messages: [{ role: "tool", content: "x" }] },
      `A message's role must be "user", "assistant" or "system", got "tool"`,
    ],
    [
      { messages: [{ role: "r".repeat(60), content: "x" }] },
      `A message's role must be "user", "assistant" or "system", got "${
        "r".repeat(39)
      }`,
    ],
  ];
  for (const [params, message] of refused) {
    assert.throws(() => samplingRequest(params), (error: unknown) => {
      assert.ok(error instanceof RpcError);
      assert.equal(error.code, ErrorCode.InvalidParams);
      assert.equal(error.message, message);
      return true;
    }, JSON.stringify(params).slice(0, 80));
  }
});

Deno.test("clientModelServes(): only llm, only with a client model, when preferred or when nothing else is configured", () => {
  const model: ClientModel = () => Promise.reject(new Error("not asked"));
  const cases: [string, ClientModel | undefined, unknown, number, boolean][] = [
    ["llm", model, "mcp-sampling", 3, true],
    ["llm", model, undefined, 0, true],
    ["llm", model, null, 0, true],
    ["llm", model, undefined, 1, false],
    ["llm", model, "anthropic", 0, false],
    ["llm", undefined, "mcp-sampling", 0, false],
    ["web_read", model, "mcp-sampling", 0, false],
  ];
  for (const [name, m, preferred, configured, serves] of cases) {
    assert.equal(
      clientModelServes(name, m, preferred, () => configured),
      serves,
      `${name} ${preferred} ${configured}`,
    );
  }
  assert.equal(CLIENT_MODEL_PROVIDER, "mcp-sampling");
});

Deno.test("askClientModel() answers as an llm provider does", async () => {
  const asked: unknown[] = [];
  const model: ClientModel = (request) => {
    asked.push(request);
    return Promise.resolve({
      text: "hello",
      model: "m-1",
      stopReason: "endTurn",
    });
  };
  assert.deepEqual(await askClientModel(model, { prompt: "hi" }), {
    content: "hello",
    model: "m-1",
    stop_reason: "endTurn",
    usage: {},
    provider: "mcp-sampling",
  });
  assert.deepEqual(asked, [{ messages: [user("hi")], maxTokens: 1024 }]);
  const bare: ClientModel = () => Promise.resolve({ text: "", model: "m" });
  assert.equal(
    (await askClientModel(bare, { prompt: "hi" })).stop_reason,
    null,
  );
});
