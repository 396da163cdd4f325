/**
 * Record and replay on their own: what a recording holds (never a real
 * value, a placeholder or `[secret]`; at most 10,000 exchanges), how a
 * request is keyed (method, URL and the body's SHA-256, credentials as
 * `{secret}`), which recordings replay accepts, and how replay answers (in
 * order, the last answer repeating; a miss is refused and remembered).
 */
import assert from "node:assert/strict";
import { RpcError } from "../../errors.ts";
import { newPlaceholder } from "../credentials/placeholder.ts";
import { HttpTape, type TapeResponse } from "./http_tape.ts";

const SECRET = "sk-real-value-123";
const redact = (text: string) => text.replaceAll(SECRET, "[secret]");

function response(body: string, extra: Partial<TapeResponse> = {}) {
  return {
    status: 200,
    ok: true,
    url: "https://api.example.com/",
    headers: {},
    body,
    ...extra,
  };
}

Deno.test("HttpTape.requestKey(): method, the URL and the body's SHA-256, with real values and placeholders as {secret}", async () => {
  const placeholder = newPlaceholder();
  const url = `https://api.example.com/q?k=${SECRET}&p=${placeholder}`;
  const key = await HttpTape.requestKey({ method: "GET", url }, redact);
  assert.deepEqual(key, {
    method: "GET",
    url: "https://api.example.com/q?k={secret}&p={secret}",
  });
  assert.deepEqual(
    await HttpTape.requestKey({ method: "GET", url: "u", body: "" }),
    { method: "GET", url: "u" },
  );
  // sha256("{secret}") and sha256("abc"), whole and zero-padded.
  const withBody = await HttpTape.requestKey(
    { method: "POST", url: "u", body: `${SECRET}` },
    redact,
  );
  assert.equal(withBody.body_sha256, await sha256("{secret}"));

  assert.equal(
    (await HttpTape.requestKey({ method: "POST", url: "u", body: "abc" }))
      .body_sha256,
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(text),
  );
  return Array.from(
    new Uint8Array(digest),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}

Deno.test("HttpTape.add(): the recording holds {secret} for every real value, placeholder and [secret], in URL, headers and body; a body already redacted loses its placeholders too", () => {
  const tape = HttpTape.record();
  const placeholder = newPlaceholder();
  const request = { method: "GET", url: "https://api.example.com/" };
  tape.add(
    request,
    response(`a ${SECRET} b ${placeholder} c [secret]`, {
      url: `https://api.example.com/?t=${SECRET}`,
      headers: { [`x-${SECRET}`]: `v ${placeholder}` },
    }),
    redact,
  );
  tape.add(request, response(`${SECRET} ${placeholder}`), redact, {
    bodyRedacted: true,
  });
  const recording = tape.recording("s");
  assert.equal(recording.agentos_recording, 1);
  assert.equal(recording.skill, "s");
  assert.ok(!Number.isNaN(Date.parse(recording.recorded_at)));
  const [first, second] = recording.exchanges;
  assert.deepEqual(first!.response, {
    status: 200,
    ok: true,
    url: "https://api.example.com/?t={secret}",
    headers: { "x-{secret}": "v {secret}" },
    body: "a {secret} b {secret} c {secret}",
  });
  // Already redacted (off the thread): redact is not run again on it.
  assert.equal(second!.response.body, `${SECRET} {secret}`);
});

Deno.test("HttpTape.add(): a recording keeps at most 10,000 exchanges", () => {
  const tape = HttpTape.record();
  const request = { method: "GET", url: "u" };
  for (let i = 0; i < 10_000; i++) tape.add(request, response(String(i)));
  assert.equal(tape.recording("s").exchanges.length, 10_000);
  tape.add(request, response("one more"));
  const { exchanges } = tape.recording("s");
  assert.equal(exchanges.length, 10_000);
  assert.equal(exchanges.at(-1)!.response.body, "9999");
});

Deno.test("HttpTape.replay(): only a recording is accepted; exchanges without a method or URL are left out", () => {
  const refused = [
    null,
    [],
    "x",
    { exchanges: [] },
    { agentos_recording: 2, exchanges: [] },
    { agentos_recording: "1", exchanges: [] },
    { agentos_recording: 1 },
    { agentos_recording: 1, exchanges: {} },
  ];
  for (const recording of refused) {
    assert.throws(
      () => HttpTape.replay(recording),
      /"replay" must be a recording written by agentos skills test --record/,
      JSON.stringify(recording),
    );
  }
  const request = { method: "GET", url: "u" };
  const tape = HttpTape.replay({
    agentos_recording: 1,
    exchanges: [
      null,
      { request, response: null },
      { request: { method: 1, url: "u" }, response: response("bad method") },
      { request: { method: "GET", url: 2 }, response: response("bad url") },
      { request: null, response: response("no request") },
      { request, response: response("good") },
    ],
  });
  assert.equal(tape.mode, "replay");
  assert.equal(tape.answer(request).body, "good");
});

Deno.test("HttpTape.answer(): recorded answers in order, the last repeating; a body's hash and method count; a miss is refused and kept", async () => {
  const get = { method: "GET", url: "u" };
  const post = await HttpTape.requestKey({
    method: "POST",
    url: "u",
    body: "b",
  });
  const tape = HttpTape.replay({
    agentos_recording: 1,
    exchanges: [
      { request: get, response: response("1") },
      { request: post, response: response("post") },
      { request: get, response: response("2") },
      { request: get, response: response("3") },
    ],
  });
  assert.deepEqual(
    [1, 2, 3, 4, 5].map(() => tape.answer(get).body),
    ["1", "2", "3", "3", "3"],
  );
  assert.equal(tape.answer(post).body, "post");
  // Answers are copies: a skill changing one does not change the tape.
  tape.answer(post).body = "changed";
  assert.equal(tape.answer(post).body, "post");
  const other = await HttpTape.requestKey({
    method: "POST",
    url: "u",
    body: "c",
  });
  for (const miss of [{ method: "PUT", url: "u" }, other]) {
    assert.throws(
      () => tape.answer(miss),
      (error: unknown) =>
        error instanceof RpcError &&
        error.message ===
          `Replay has no recorded response for ${miss.method} u${
            "body_sha256" in miss ? " with this body" : ""
          }: record the run again with agentos skills test --record`,
    );
  }
  assert.deepEqual(tape.misses, [{ method: "PUT", url: "u" }, other]);
  assert.equal(HttpTape.record().mode, "record");
});
