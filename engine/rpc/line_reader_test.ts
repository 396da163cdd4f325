import assert from "node:assert/strict";
import { type Line, readLines } from "./line_reader.ts";

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return ReadableStream.from(chunks.map((chunk) => encoder.encode(chunk)));
}

async function collect(chunks: string[], maxBytes: number): Promise<Line[]> {
  return await Array.fromAsync(readLines(streamOf(chunks), { maxBytes }));
}

Deno.test("readLines() joins lines split across chunks and splits chunks holding several lines", async () => {
  assert.deepEqual(
    await collect(['{"a":', '1}\n{"b"', ":2}\n\n", "tail"], 100),
    [
      { kind: "line", text: '{"a":1}' },
      { kind: "line", text: '{"b":2}' },
      { kind: "line", text: "" },
      { kind: "line", text: "tail" },
    ],
  );
});

Deno.test("readLines() reports an oversized line once and resumes at the next line", async () => {
  assert.deepEqual(
    await collect(["short\n", "x".repeat(8), "y".repeat(8), "z\nok\n"], 10),
    [
      { kind: "line", text: "short" },
      { kind: "oversized", bytes: 17 },
      { kind: "line", text: "ok" },
    ],
  );
});

Deno.test("readLines() keeps multi-byte characters split across chunks intact", async () => {
  const bytes = new TextEncoder().encode("héllo→\n");
  const stream = ReadableStream.from([
    bytes.subarray(0, 2),
    bytes.subarray(2, 7),
    bytes.subarray(7),
  ]);
  assert.deepEqual(
    await Array.fromAsync(readLines(stream, { maxBytes: 100 })),
    [
      { kind: "line", text: "héllo→" },
    ],
  );
});

Deno.test("readLines() accepts a line of exactly maxBytes and refuses one byte more, whole or split across chunks", async () => {
  const cap = 16;
  const exact = "x".repeat(cap);
  const over = "y".repeat(cap + 1);
  // Whole lines inside one chunk take the no-copy path.
  assert.deepEqual(await collect([`${exact}\n${over}\nok\n`], cap), [
    { kind: "line", text: exact },
    { kind: "oversized", bytes: cap + 1 },
    { kind: "line", text: "ok" },
  ]);
  // Lines split across chunks are assembled from parts.
  assert.deepEqual(
    await collect(
      [
        exact.slice(0, 5),
        `${exact.slice(5)}\n`,
        over.slice(0, 9),
        `${over.slice(9)}\n`,
        "ok\n",
      ],
      cap,
    ),
    [
      { kind: "line", text: exact },
      { kind: "oversized", bytes: cap + 1 },
      { kind: "line", text: "ok" },
    ],
  );
  // A last line without its newline obeys the same cap.
  assert.deepEqual(await collect([exact], cap), [
    { kind: "line", text: exact },
  ]);
  assert.deepEqual(await collect([over.slice(0, 3), over.slice(3)], cap), [
    { kind: "oversized", bytes: cap + 1 },
  ]);
});

Deno.test("readLines() gives a line of largeBytes or more undecoded, in blocks of its own, whole or split, and decodes the rest", async () => {
  const large = "L".repeat(70 * 1024) + "é";
  const encoder = new TextEncoder();
  const chunks = [
    "small\n",
    large.slice(0, 30_000),
    large.slice(30_000) + "\nafter\n",
    large + "\n",
  ];
  const lines = await Array.fromAsync(
    readLines(ReadableStream.from(chunks.map((c) => encoder.encode(c))), {
      maxBytes: 1024 * 1024,
      largeBytes: 64 * 1024,
    }),
  );
  assert.deepEqual(lines.map((line) => line.kind), [
    "line",
    "bytes",
    "line",
    "bytes",
  ]);
  for (const line of [lines[1]!, lines[3]!]) {
    assert.equal(line.kind, "bytes");
    if (line.kind !== "bytes") continue;
    const buffers = new Set(line.parts.map((part) => part.buffer));
    assert.equal(buffers.size, line.parts.length, "two parts share a buffer");
    const whole = new Uint8Array(line.size);
    let offset = 0;
    for (const part of line.parts) {
      whole.set(part, offset);
      offset += part.length;
    }
    assert.equal(new TextDecoder().decode(whole), large);
  }
  assert.deepEqual(lines[2], { kind: "line", text: "after" });
});
