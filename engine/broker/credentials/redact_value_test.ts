/**
 * A whole value redacted in packed guard jobs: with a real worker pool,
 * the same as {@linkcode CallCredentials.redactValue} on the main thread,
 * each distinct string scrubbed once; a pack whose separators do not come
 * back is split down to one string per job; past the call's budget the
 * redaction fails with the budget's error.
 */
import assert from "node:assert/strict";
import { CallCredentials, GuardPool, INLINE_GUARD_CHARS } from "./mod.ts";
import { RpcError } from "../../errors.ts";
import {
  PACK_CHARS,
  scrubPacked,
  valueTexts,
  withTexts,
} from "./redact_value.ts";

const VALUE = "sk-result/KEY+77=a1b2&c";

function holding(): CallCredentials {
  const credentials = new CallCredentials(true);
  credentials.add({
    domain: "example.com",
    value: VALUE,
    scope: { domain: "example.com" },
  });
  return credentials;
}

/** A value whose strings are large together, with the key in keys and values. */
function largeValue(): Record<string, unknown> {
  const crafted = "%252525&amp;\u4e00".repeat(20_000);
  return {
    [`key ${VALUE}`]: crafted + VALUE + crafted,
    items: Array.from({ length: 300 }, (_, n) => ({
      name: `item ${n} ${n % 7 === 0 ? btoa(VALUE) : "plain"}`,
      long: n % 50 === 0 ? "y".repeat(INLINE_GUARD_CHARS) + VALUE : n,
    })),
    same: [crafted + VALUE + crafted, null, true, 3.5],
  };
}

Deno.test("CallCredentials.redactValuesOffThread() redacts a large value as redactValue() does", async () => {
  const pool = new GuardPool(2);
  try {
    const credentials = holding();
    const value = largeValue();
    const [off, items] = await credentials.redactValuesOffThread(
      [value, value.items],
      { pool, budgetMs: 600_000 },
    );
    assert.deepEqual(off, credentials.redactValue(value));
    assert.deepEqual(items, credentials.redactValue(value.items));
    assert.ok(!JSON.stringify(off).includes(VALUE));
    assert.ok(!JSON.stringify(off).includes(btoa(VALUE)));
  } finally {
    pool.close();
  }
});

Deno.test("CallCredentials.redactValuesOffThread() redacts a small value inline, packed, as redactValue() does", async () => {
  const pool = new GuardPool(1);
  try {
    const credentials = holding();
    // A catalog call's result: records whose strings carry the value in
    // several forms, in keys too, and halves of it in adjacent strings
    // (long runs of it: each redacted alone, as by redactValue()).
    const half = VALUE.length >> 1;
    const value = Array.from({ length: 20 }, (_, n) => ({
      name: `task ${n}`,
      url: n % 5 === 0 ? `https://x.test/?k=${encodeURIComponent(VALUE)}` : "",
      text: n % 7 === 0 ? `token ${btoa(VALUE)} end` : `body ${n}`,
      [n === 3 ? `key ${VALUE}` : "plain"]: n,
      head: VALUE.slice(0, half),
      tail: VALUE.slice(half),
    }));
    const [out] = await credentials.redactValuesOffThread([value], {
      pool,
      budgetMs: 0, // inline: no guard worker, whatever the budget
    });
    assert.deepEqual(out, credentials.redactValue(value));
    const text = JSON.stringify(out);
    for (const form of [VALUE, encodeURIComponent(VALUE), btoa(VALUE)]) {
      assert.ok(!text.includes(form), form);
    }
    const records = out as Record<string, unknown>[];
    assert.equal(records[1]!.name, "task 1");
    assert.equal(records[3]!["key [secret]"], 3);
    assert.equal(records[5]!.url, "https://x.test/?k=[secret]");
  } finally {
    pool.close();
  }
});

Deno.test("CallCredentials.redactValuesOffThread() fails past the call's guard budget", async () => {
  const pool = new GuardPool(1);
  try {
    await assert.rejects(
      holding().redactValuesOffThread([largeValue()], { pool, budgetMs: 1 }),
      (error: unknown) =>
        error instanceof RpcError &&
        /spent this call's budget of 1 ms on its responses and its result; the tool's result is withheld/
          .test(error.message),
    );
  } finally {
    pool.close();
  }
});

/** The packs' separator: 16 control characters (`redact_value.ts`). */
// deno-lint-ignore no-control-regex
const SEPARATOR = /[\u0001-\u001f]{16}/;

Deno.test("scrubPacked() scrubs each distinct string once, and alone when a find spans two", async () => {
  const value = ["aX", "Yb", "aX", { aX: "c" }];
  const { texts } = valueTexts([value]);
  assert.deepEqual(texts, ["aX", "Yb", "c"]);
  const jobs: string[] = [];
  // A find that spans the end of one string and the start of the next.
  const scrub = (text: string) => {
    jobs.push(text);
    return Promise.resolve(
      text.replace(new RegExp(`X${SEPARATOR.source}Y`, "g"), "[secret]")
        .replaceAll("c", "C"),
    );
  };
  const redacted = await scrubPacked(texts, scrub);
  assert.deepEqual(withTexts(value, redacted), ["aX", "Yb", "aX", { aX: "C" }]);
  // One packed job of three; its separators did not all come back, so
  // its halves: "aX" alone, "Yb" and "c" packed again.
  assert.equal(jobs.length, 3);
  assert.equal(jobs[0]!.split(SEPARATOR).length, 3);
  assert.equal(jobs[1], "aX");
  assert.equal(jobs[2]!.split(SEPARATOR).length, 2);
});

/**
 * The jobs scrubPacked() gives `scrub` (which returns each job unchanged),
 * each as the list of its strings' lengths; the separators seen.
 */
async function packedJobs(
  texts: string[],
): Promise<{ jobs: number[][]; separators: string[] }> {
  const jobs: number[][] = [];
  const separators = new Set<string>();
  const scrub = (text: string) => {
    // An empty job would be a pack of nothing: scrubbed forever.
    if (text === "") throw new Error("an empty guard job");
    // deno-lint-ignore no-control-regex
    for (const found of text.matchAll(/[\u0000-\u001f]+/g)) {
      separators.add(found[0]);
    }
    // deno-lint-ignore no-control-regex
    jobs.push(text.split(/[\u0000-\u001f]+/).map((part) => part.length));
    return Promise.resolve(text);
  };
  const out = await scrubPacked(texts, scrub);
  assert.deepEqual([...out.keys()].sort(), [...texts].sort());
  for (const text of texts) assert.equal(out.get(text), text);
  return { jobs, separators: [...separators] };
}

Deno.test("scrubPacked() packs strings into jobs of at most PACK_CHARS characters, separators counted, a longer string alone", async () => {
  const MIB = 1024 * 1024;
  assert.equal(PACK_CHARS, MIB);
  const SEP = 16;
  const text = (char: string, length: number) => char.repeat(length);
  // Two strings and one separator filling a job exactly (n) stay together;
  // one character more (n + 1) and the second starts a job of its own.
  const cases: { name: string; lengths: number[]; jobs: number[][] }[] = [
    { name: "none", lengths: [], jobs: [] },
    { name: "one short", lengths: [5], jobs: [[5]] },
    { name: "three short", lengths: [5, 6, 7], jobs: [[5, 6, 7]] },
    {
      name: "exactly full",
      lengths: [1000, MIB - 1000 - SEP],
      jobs: [[1000, MIB - 1000 - SEP]],
    },
    {
      name: "one over",
      lengths: [1000, MIB - 1000 - SEP + 1],
      jobs: [[1000], [MIB - 1000 - SEP + 1]],
    },
    { name: "one string of PACK_CHARS", lengths: [MIB], jobs: [[MIB]] },
    { name: "a longer one alone", lengths: [MIB + 1], jobs: [[MIB + 1]] },
    {
      name: "a short one, then a longer one",
      lengths: [3, MIB + 1, 4],
      jobs: [[3], [MIB + 1], [4]],
    },
    {
      name: "a full job, then an exactly full one",
      lengths: [MIB, 2000, MIB - 2000 - SEP],
      jobs: [[MIB], [2000, MIB - 2000 - SEP]],
    },
    {
      name: "a full job, then one over",
      lengths: [MIB, 2000, MIB - 2000 - SEP + 1],
      jobs: [[MIB], [2000], [MIB - 2000 - SEP + 1]],
    },
  ];
  for (const { name, lengths, jobs: expected } of cases) {
    // Distinct strings: each of its own letter.
    const texts = lengths.map((n, i) => text("abcdefgh"[i]!, n));
    const { jobs } = await packedJobs(texts);
    assert.deepEqual(jobs, expected, name);
  }
});

Deno.test("scrubPacked()'s separator is 16 control characters none of \\0, \\t, \\n, \\v, \\f, \\r, fresh for each call", async () => {
  const seen = new Set<string>();
  for (let i = 0; i < 40; i++) {
    const { separators } = await packedJobs(["a", "b", "c"]);
    assert.equal(separators.length, 1);
    // deno-lint-ignore no-control-regex
    assert.match(separators[0]!, /^[\u0001-\u0008\u000e-\u001f]{16}$/);
    seen.add(separators[0]!);
  }
  assert.equal(seen.size, 40);
});
