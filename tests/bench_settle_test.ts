/**
 * The bench's fairness helpers (`scripts/bench/`): samples taken in turn,
 * and the wait for a quiet host before each group of figures, which must
 * say when the host did not settle instead of timing on it as if it had.
 */
import assert from "node:assert/strict";
import { interleaved } from "../scripts/bench/interleaved.ts";
import { settleHost } from "../scripts/bench/host_settle.ts";
import { medianDifferenceInterval } from "../scripts/bench/confinement_cost.ts";

Deno.test("interleaved() times two tasks in turn, the order flipped every other round", async () => {
  const order: string[] = [];
  const [a, b] = await interleaved(4, [
    () => Promise.resolve(order.push("a")),
    () => Promise.resolve(order.push("b")),
  ]);
  assert.deepEqual(order.join(""), "abbaabba");
  assert.equal(a.length, 4);
  assert.equal(b.length, 4);
  assert.ok([...a, ...b].every((ms) => ms >= 0 && ms < 1000));
});

Deno.test("medianDifferenceInterval() holds the true difference, and is wider with fewer or noisier samples", () => {
  // Deterministic jitter: a spread of ±3 ms around 10 and around 11.
  const noisy = (n: number, centre: number, spread: number) =>
    Array.from({ length: n }, (_, i) => centre + spread * Math.sin(i * 2.3));
  const [low, high] = medianDifferenceInterval(
    noisy(200, 11, 3),
    noisy(200, 10, 3),
  );
  assert.ok(low < 1 && 1 < high, `[${low}, ${high}] holds 1`);
  assert.ok(high - low < 2, `[${low}, ${high}] is narrower than 2 ms`);
  const [fewLow, fewHigh] = medianDifferenceInterval(
    noisy(20, 11, 3),
    noisy(20, 10, 3),
  );
  assert.ok(fewHigh - fewLow > high - low, "fewer samples, wider interval");
  const [sameLow, sameHigh] = medianDifferenceInterval(
    noisy(200, 10, 0),
    noisy(200, 10, 0),
  );
  assert.deepEqual([sameLow, sameHigh], [0, 0]);
});

Deno.test("settleHost() says a host kept busy did not settle, within its deadline", async () => {
  // Two threads spinning: the processors stay busy past the threshold.
  const spin =
    `const end = Date.now() + 4000; while (Date.now() < end) {} close();`;
  const url = `data:text/javascript,${encodeURIComponent(spin)}`;
  const workers = [0, 1].map(() => new Worker(url, { type: "module" }));
  try {
    const started = performance.now();
    const host = await settleHost({ deadlineMs: 2000, lookMs: 500 });
    assert.equal(host.settled, false);
    assert.ok(host.busy > 0.3, `busy ${host.busy}`);
    assert.ok(performance.now() - started < 2000 + 1000);
  } finally {
    for (const worker of workers) worker.terminate();
  }
});

Deno.test("settleHost() settles after two quiet looks in a row when the thresholds allow it", async () => {
  // The test runner's own children (other files' engines) come and go:
  // a steady count stands for "the same processes".
  const host = await settleHost({
    deadlineMs: 10_000,
    lookMs: 200,
    maxBusy: 1,
    maxLoad1: Infinity,
    processes: () => 3,
  });
  assert.equal(host.settled, true);
  assert.ok(host.waitedMs >= 400 && host.waitedMs < 2000, `${host.waitedMs}`);
  assert.ok(host.load1 >= 0 && host.busy >= 0 && host.busy <= 1);
});

Deno.test("settleHost() does not settle while the processes under the bench change", async () => {
  let count = 0;
  const host = await settleHost({
    deadlineMs: 1000,
    lookMs: 100,
    maxBusy: 1,
    maxLoad1: Infinity,
    processes: () => count++,
  });
  assert.equal(host.settled, false);
});
