/**
 * Figures: `engine.status` and `engine.ping` round trips against a raw
 * Unix-socket JSON echo (`--only status`).
 *
 * @module
 */
import type { BenchContext } from "./context.ts";
import { timed } from "./measure.ts";
import { rawEchoRoundTrips } from "./raw_echo.ts";

/** Measures the status and ping round trips and both echo baselines. */
export async function statusFigures(
  { quick, figures, client }: BenchContext,
): Promise<void> {
  const runs = quick ? 200 : 2000;
  const echo = await rawEchoRoundTrips(runs, "own process");
  const echoHere = await rawEchoRoundTrips(runs, "this process");
  // Interleaved rounds, so drift (JIT, GC, CPU frequency) hits both alike.
  const status: number[] = [];
  const ping: number[] = [];
  for (let round = 0; round < 4; round++) {
    status.push(...await timed(() => client.call("engine.status"), runs / 4));
    ping.push(...await timed(() => client.call("engine.ping"), runs / 4));
  }
  const statusBytes = JSON.stringify(await client.call("engine.status"))
    .length;
  const baseline = {
    name: "raw unix-socket JSON echo, own process",
    samples: echo,
  };
  figures.record(
    `engine.status round trip (${statusBytes}-byte reply)`,
    "ms",
    status,
    baseline,
    "≤ 2×",
  );
  figures.record(
    "engine.ping round trip (framing and dispatch only)",
    "ms",
    ping,
    baseline,
  );
  figures.record(
    "raw unix-socket JSON echo, server in the client's process",
    "ms",
    echoHere,
    baseline,
  );
}
