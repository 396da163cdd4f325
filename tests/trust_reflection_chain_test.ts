/**
 * Composed encodings: a server on the credential's own domain reflects the
 * substituted key through a chain of up to three encodings (base64 of the
 * percent-encoded key — a pagination cursor —, hex of UTF-16, JSON escapes
 * of base64url, ...). Nothing of the key reaches the skill or a recording:
 * every chain of the 16 encodings in `_encoding_chains.ts` against the
 * guard, and a seeded random sample through a real engine, a sandboxed
 * hostile skill and `agentos skills test --record`. The seed is logged;
 * set AGENTOS_CHAIN_SEED to replay one.
 */
import assert from "node:assert/strict";
import {
  allChains,
  type Chain,
  encodeChain,
  ENCODINGS,
  leakedPiece,
  randomKey,
  seeded,
  undoChain,
} from "./_encoding_chains.ts";
import { oneSecret } from "./_trust_broker.ts";
import { EngineProcess } from "./_engine_process.ts";
import { runAgentos } from "./_cli.ts";
import { localServer } from "./skills_helpers.ts";
import { REPO_ROOT } from "./_task_command.ts";

const SEED = Number(Deno.env.get("AGENTOS_CHAIN_SEED") ?? Date.now() % 1e9);
// deno-lint-ignore no-console
console.log(`trust_reflection_chain_test: seed ${SEED}`);

/** A body around an encoded value, as an API answers with a cursor. */
const page = (encoded: string) => `{"items":[],"next":"${encoded}","n":1}`;

Deno.test(`reflection chains: every chain of up to three encodings is masked and redacted (seed ${SEED})`, () => {
  const random = seeded(SEED);
  const key = randomKey(random);
  const { credentials } = oneSecret("chain.test", key);
  const leaks: string[] = [];
  for (const chain of allChains(3)) {
    const body = page(encodeChain(key, chain));
    for (
      const [what, text] of [
        ["mask", credentials.mask(body)],
        ["redact", credentials.redact(body)],
      ]
    ) {
      const piece = leakedPiece(undoChain(text!, chain), key);
      if (piece) leaks.push(`${what} ${chain.join(" > ")}: ${piece}`);
    }
  }
  assert.deepEqual(
    leaks.slice(0, 20),
    [],
    `${leaks.length} chains leak the key (seed ${SEED}, key ${key})`,
  );
});

/** `count` chains of one to three encodings, from the seed. */
function sampleChains(random: () => number, count: number): Chain[] {
  const names = Object.keys(ENCODINGS);
  return Array.from({ length: count }, () => {
    const depth = 1 + Math.floor(random() * 3);
    return Array.from(
      { length: depth },
      () => names[Math.floor(random() * names.length)]!,
    );
  });
}

Deno.test(`reflection chains through a real engine: the hostile skill and its recording hold nothing of the key (seed ${SEED})`, async (t) => {
  const random = seeded(SEED + 1);
  const key = randomKey(random);
  const chains = sampleChains(random, 24);
  let received = "";
  await using server = localServer((request, url) => {
    received = request.headers.get("x-api-key") ?? "";
    const index = Number(url.pathname.split("/").at(-1));
    const chain = chains[index] ?? [];
    const encoded = encodeChain(received, chain);
    const cursor = encodeChain(received, chain.slice(0, 2));
    return new Response(
      Uint8Array.from(page(encoded), (c) => c.charCodeAt(0)),
      // A header carries the first two layers, when they make a valid value.
      { headers: /^[\x20-\x7e]*$/.test(cursor) ? { "x-cursor": cursor } : {} },
    );
  });
  await using engine = await EngineProcess.start({
    env: {
      AGENTOS_SPARE_WORKERS: "1",
      AGENTOS_ORIGIN_MAP: JSON.stringify({
        "https://api.chain.test": server.origin,
      }),
    },
  });
  const client = await engine.client();
  // The owner's key, stored for this (masked) skill.
  await client.call("secrets.set", {
    domain: "chain.test",
    value: { key },
    for: "chain-thief",
  });
  await client.call("skills.add", {
    path: `${REPO_ROOT}tests/fixtures/hostile/chain-thief`,
  });
  const check = (pages: { body: string; headers: unknown }[]) => {
    const leaks: string[] = [];
    pages.forEach((p, i) => {
      const texts = [
        ...undoChain(p.body, chains[i]!),
        ...undoChain(JSON.stringify(p.headers), chains[i]!.slice(0, 2)),
      ];
      const piece = leakedPiece(texts, key);
      if (piece) leaks.push(`${chains[i]!.join(" > ")}: ${piece}`);
    });
    return leaks;
  };
  await t.step("the skill reads nothing of the key", async () => {
    const { result } = await client.call<
      { result: { pages: { body: string; headers: unknown }[] } }
    >("skills.run", {
      skill: "chain-thief",
      tool: "collect",
      params: { count: chains.length },
    });
    assert.equal(received, key, "the server got the real key");
    assert.equal(result.pages.length, chains.length);
    assert.deepEqual(check(result.pages), [], `seed ${SEED}, key ${key}`);
  });
  await t.step("a recording of the run holds nothing of the key", async () => {
    const recording = `${engine.paths.home}/chain.recording.json`;
    const run = await runAgentos(engine.paths.home, [
      "skills",
      "test",
      "chain-thief",
      "--record",
      recording,
    ]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const saved = JSON.parse(await Deno.readTextFile(recording));
    const pages = saved.exchanges.map((
      e: { response: { body: string; headers: unknown } },
    ) => e.response);
    assert.equal(pages.length, chains.length);
    assert.deepEqual(check(pages), [], `seed ${SEED}, key ${key}`);
  });
});
