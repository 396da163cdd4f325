/**
 * The engine daemon's entry point (`deno task engine`). Runs in the
 * foreground until `engine.shutdown`, SIGTERM or SIGINT.
 *
 * Exit codes: 0 after a clean shutdown, 1 on a start-up failure, 3 when
 * another engine holds the lock.
 *
 * @module
 */
import { resolveHome } from "./home.ts";
import { EngineLockedError } from "./engine_lock.ts";
import { startEngine } from "./start_engine.ts";

function fail(message: string, code: number): never {
  // deno-lint-ignore no-console
  console.error(`agentos engine: ${message}`);
  Deno.exit(code);
}

let engine;
try {
  engine = await startEngine(resolveHome(), {
    echoLog: Deno.stderr.isTerminal(),
    logLevel: Deno.env.get("AGENTOS_LOG_LEVEL") as never ?? "info",
  });
} catch (error) {
  if (error instanceof EngineLockedError) fail(error.message, 3);
  fail((error as Error).message, 1);
}
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.addSignalListener(signal, () => engine.shutdown(signal));
}
// deno-lint-ignore no-console
console.error(`agentos engine ${engine.paths.home} ready (pid ${Deno.pid})`);
await engine.stopped;
Deno.exit(0);
