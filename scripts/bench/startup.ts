/**
 * Figures: engine start-up to socket ready and to all services ready,
 * against a bare `deno run` (the first half of `--only process`).
 *
 * @module
 */
import { RpcClient } from "../../engine/rpc/mod.ts";
import { EngineProcess } from "../../tests/_engine_process.ts";
import type { BenchContext } from "./context.ts";
import { pause, run, timed } from "./measure.ts";

/**
 * Starts an engine on `home` and measures spawn → first answered
 * `engine.ping` (the socket serves) and → first answered `engine.status`
 * (every service is in, the sandbox probed), in ms.
 */
async function timedEngineStart(
  home: string,
): Promise<{ socket: number; ready: number }> {
  const start = performance.now();
  const engine = await EngineProcess.start({ home, waitReady: false });
  try {
    while (true) {
      try {
        const client = await RpcClient.connect(engine.paths.socket);
        await client.call("engine.ping");
        const socket = performance.now() - start;
        await client.call("engine.status");
        const ready = performance.now() - start;
        await client.close();
        return { socket, ready };
      } catch {
        await pause(1);
      }
    }
  } finally {
    await engine[Symbol.asyncDispose]();
  }
}

/** Measures 5 (quick) or 15 restarts of an engine on an existing home. */
export async function startupFigures(
  { quick, figures }: BenchContext,
): Promise<void> {
  const runs = quick ? 5 : 15;
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/empty.js`, "");
  const denoRun = [Deno.execPath(), "run", "--quiet", `${dir}/empty.js`];
  await run(denoRun);
  const bare = await timed(() => run(denoRun), runs);
  // A restart on an existing home, as at every login; the first start (which
  // creates the database and the vault key) is left out.
  await timedEngineStart(`${dir}/home`);
  const starts: { socket: number; ready: number }[] = [];
  for (let i = 0; i < runs; i++) {
    starts.push(await timedEngineStart(`${dir}/home`));
  }
  await Deno.remove(dir, { recursive: true });
  const baseline = { name: "bare deno run of an empty script", samples: bare };
  figures.record(
    "engine start to socket ready (engine.ping answered)",
    "ms",
    starts.map((s) => s.socket),
    baseline,
    "≤ 2×",
  );
  figures.record(
    "engine start to all services ready (engine.status answered)",
    "ms",
    starts.map((s) => s.ready),
    baseline,
  );
}
