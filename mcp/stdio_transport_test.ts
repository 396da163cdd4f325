import assert from "node:assert/strict";
import type { JSONRPCMessage } from "./_sdk.ts";
import { StdioTransport } from "./stdio_transport.ts";

/** A transport over in-memory streams: what the client writes, and what it reads back. */
function pair(maxMessageBytes?: number) {
  const input = new TransformStream<Uint8Array, Uint8Array>();
  const output = new TransformStream<Uint8Array, Uint8Array>();
  const refused: string[] = [];
  const transport = new StdioTransport({
    readable: input.readable,
    writable: output.writable,
    maxMessageBytes,
    onRefused: (reason) => refused.push(reason),
  });
  const received: JSONRPCMessage[] = [];
  transport.onmessage = (message) => received.push(message);
  const closed = new Promise<void>((resolve) => transport.onclose = resolve);
  const writer = input.writable.getWriter();
  const replies = new Response(output.readable).text();
  return {
    transport,
    received,
    refused,
    closed,
    write: (text: string) => writer.write(new TextEncoder().encode(text)),
    end: () => writer.close(),
    replies: async () =>
      (await replies).split("\n").filter((l) => l !== "").map((l) =>
        JSON.parse(l)
      ),
  };
}

Deno.test("StdioTransport delivers messages and answers a malformed line with an error", async () => {
  const t = pair();
  await t.transport.start();
  await t.write('{"jsonrpc":"2.0","id":1,"method":"ping"}\nnot json\n');
  await t.write('{"jsonrpc":"2.0","id":7,"method":42}\n\n');
  await t.write('{"jsonrpc":"2.0","method":"notifications/initialized"}');
  await t.end();
  await t.closed;
  const replies = await t.replies();
  assert.deepEqual(t.received.map((m) => (m as { method: string }).method), [
    "ping",
    "notifications/initialized",
  ]);
  assert.deepEqual(replies.map((r) => [r.id, r.error.code]), [
    [null, -32700],
    [7, -32600],
  ]);
  assert.equal(t.refused.length, 2);
});

Deno.test("StdioTransport skips an oversized line and keeps reading", async () => {
  const t = pair(64);
  await t.transport.start();
  await t.write(`{"jsonrpc":"2.0","id":1,"method":"${"x".repeat(200)}"}\n`);
  await t.write('{"jsonrpc":"2.0","id":2,"method":"ping"}\n');
  await t.end();
  await t.closed;
  const replies = await t.replies();
  assert.equal(replies.length, 1);
  assert.equal(replies[0].id, null);
  assert.match(replies[0].error.message, /exceeds the limit of 64 bytes/);
  assert.deepEqual(t.received.map((m) => (m as { id: number }).id), [2]);
});

Deno.test("StdioTransport.send() writes one line per message, in order", async () => {
  const t = pair();
  await t.transport.start();
  for (const id of [1, 2, 3]) {
    t.transport.send({ jsonrpc: "2.0", id, result: {} });
  }
  await t.transport.close();
  assert.deepEqual((await t.replies()).map((r) => r.id), [1, 2, 3]);
});
