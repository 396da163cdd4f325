import assert from "node:assert/strict";
import { ErrorCode, RpcError } from "../../errors.ts";
import { type CallConnection, ClientModelDesk } from "./client_model.ts";

/** A connection that records what the engine sends it. */
function connection(connectionId: number) {
  const sent: { method: string; params: { id: string; request: unknown } }[] =
    [];
  const closed = new AbortController();
  const conn: CallConnection = {
    connectionId,
    notify: (method, params) =>
      sent.push({ method, params: params as { id: string; request: unknown } }),
    signal: closed.signal,
  };
  return { conn, sent, close: () => closed.abort() };
}

/** What the asking call gets: its answer, or its error's code and message. */
async function outcome(promise: Promise<unknown>) {
  try {
    return { answer: await promise };
  } catch (error) {
    assert.ok(error instanceof RpcError);
    assert.deepEqual(error.data, { provider: "mcp-sampling" });
    return { code: error.code, message: error.message };
  }
}

Deno.test("ClientModelDesk: a malformed result fails the request and the answer, each with its own message", async () => {
  const MIB = 1024 * 1024;
  const malformed: [unknown, string][] = [
    [undefined, `"result" must be an object`],
    ["text", `"result" must be an object`],
    [{ model: "m" }, `"result.text" must be a string`],
    [{ text: 1, model: "m" }, `"result.text" must be a string`],
    [
      { text: "x".repeat(MIB + 1), model: "m" },
      `"result.text" is longer than 1048576 characters`,
    ],
    [
      { text: "t" },
      `"result.model" must be a string of at most 200 characters`,
    ],
    [
      { text: "t", model: "m".repeat(201) },
      `"result.model" must be a string of at most 200 characters`,
    ],
    [
      { text: "t", model: "m", stopReason: 1 },
      `"result.stopReason" must be a short string`,
    ],
    [
      { text: "t", model: "m", stopReason: "s".repeat(101) },
      `"result.stopReason" must be a short string`,
    ],
  ];
  const desk = new ClientModelDesk({ timeoutMs: 10_000 });
  const { conn, sent } = connection(1);
  for (const [result, problem] of malformed) {
    const asked = outcome(desk.channel(conn)({ messages: [] }));
    const { id } = sent.at(-1)!.params;
    assert.throws(() => desk.answer(1, { id, result }), (error: unknown) => {
      assert.ok(error instanceof RpcError);
      assert.equal(error.code, ErrorCode.InvalidParams);
      assert.equal(error.message, problem);
      return true;
    });
    assert.deepEqual(await asked, {
      code: ErrorCode.SkillFailed,
      message: `The MCP client answered with a malformed result: ${problem}`,
    });
  }
  assert.equal(desk.waiting, 0);
});

Deno.test("ClientModelDesk: an answer at every limit is accepted as it came", async () => {
  const desk = new ClientModelDesk({ timeoutMs: 10_000 });
  const { conn, sent } = connection(1);
  for (
    const result of [
      { text: "x".repeat(1024 * 1024), model: "m".repeat(200) },
      { text: "", model: "", stopReason: "s".repeat(100) },
      { text: "t", model: "m", stopReason: "endTurn" },
    ]
  ) {
    const asked = outcome(desk.channel(conn)({ n: 1 }));
    const { id } = sent.at(-1)!.params;
    desk.answer(1, { id, result });
    assert.deepEqual(await asked, { answer: result });
  }
  assert.equal(desk.waiting, 0);
});

Deno.test("ClientModelDesk: asks with llm.sample on the call's own connection, and only that connection answers", async () => {
  const desk = new ClientModelDesk({ timeoutMs: 10_000 });
  const mine = connection(1);
  const request = { messages: [{ role: "user" }] };
  const asked = outcome(desk.channel(mine.conn)(request));
  assert.equal(desk.waiting, 1);
  assert.equal(mine.sent.length, 1);
  assert.equal(mine.sent[0]!.method, "llm.sample");
  assert.deepEqual(mine.sent[0]!.params.request, request);
  const { id } = mine.sent[0]!.params;
  const notFound = (error: unknown) => {
    assert.ok(error instanceof RpcError);
    assert.equal(error.code, ErrorCode.NotFound);
    assert.equal(
      error.message,
      "No sampling request with this id waits for an answer on this connection",
    );
    return true;
  };
  const result = { text: "t", model: "m" };
  assert.throws(() => desk.answer(2, { id, result }), notFound);
  assert.throws(() => desk.answer(1, { id: "other", result }), notFound);
  assert.throws(() => desk.answer(1, { id: 1, result }), notFound);
  assert.equal(desk.waiting, 1);
  desk.answer(1, { id, result });
  assert.deepEqual(await asked, { answer: result });
  // Answered: the id is gone.
  assert.throws(() => desk.answer(1, { id, result }), notFound);
});

Deno.test("ClientModelDesk: a client's error, a closed session, a cancelled call and a timeout each fail the request", async () => {
  const desk = new ClientModelDesk({ timeoutMs: 10_000 });
  const a = connection(1);
  const refusedByClient = outcome(desk.channel(a.conn)({}));
  desk.answer(1, {
    id: a.sent[0]!.params.id,
    error: `declined ${"e".repeat(600)}`,
    result: { text: "t", model: "m" },
  });
  assert.deepEqual(await refusedByClient, {
    code: ErrorCode.SkillFailed,
    message: `The MCP client's model did not answer: declined ${
      "e".repeat(491)
    }`,
  });
  const gone = "The MCP session that asked went away before its model answered";
  const b = connection(2);
  const closed = outcome(desk.channel(b.conn)({}));
  b.close();
  assert.deepEqual(await closed, {
    code: ErrorCode.SkillFailed,
    message: gone,
  });
  const cancel = new AbortController();
  const cancelled = outcome(
    desk.channel(connection(3).conn)({}, cancel.signal),
  );
  cancel.abort();
  assert.deepEqual(await cancelled, {
    code: ErrorCode.SkillFailed,
    message: gone,
  });
  // 1.5 s is named as 2 s (rounded to the nearest second).
  const quick = new ClientModelDesk({ timeoutMs: 1_500 });
  assert.deepEqual(await outcome(quick.channel(connection(4).conn)({})), {
    code: ErrorCode.Timeout,
    message: "The MCP client's model gave no answer within 2 s",
  });
  assert.equal(desk.waiting, 0);
  assert.equal(quick.waiting, 0);
});

Deno.test("ClientModelDesk: by default a client has minutes to answer, not an instant", async () => {
  const desk = new ClientModelDesk();
  const { conn, sent } = connection(1);
  const asked = outcome(desk.channel(conn)({}));
  await new Promise((resolve) => setTimeout(resolve, 100));
  const result = { text: "t", model: "m" };
  desk.answer(1, { id: sent[0]!.params.id, result });
  assert.deepEqual(await asked, { answer: result });
});
