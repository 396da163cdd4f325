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
import { Engine } from "./engine.ts";
import { EngineLockedError } from "./engine_lock.ts";

function fail(message: string, code: number): never {
  // deno-lint-ignore no-console
  console.error(`agentos engine: ${message}`);
  Deno.exit(code);
}

let engine: Engine;
try {
  engine = Engine.open(resolveHome(), {
    echoLog: Deno.stderr.isTerminal(),
    logLevel: Deno.env.get("AGENTOS_LOG_LEVEL") as never ?? "info",
  });
} catch (error) {
  if (error instanceof EngineLockedError) fail(error.message, 3);
  fail((error as Error).message, 1);
}
// Listen at once: loading and wiring the services is most of the start-up
// time, and a client that connects meanwhile just waits for its answer.
// engine.ping answers right away (liveness); everything else, engine.status
// included, once the services are in.
const services = import("./start_engine.ts").then((module) =>
  module.openServices(engine)
);
engine.dispatcher.hold(
  services.catch((error) => {
    throw new Error(`Engine failed to start: ${(error as Error).message}`);
  }),
  ["engine.ping"],
);
engine.listen();
try {
  await services;
} catch (error) {
  await engine.shutdown(`start-up failed: ${(error as Error).message}`);
  fail((error as Error).message, 1);
}
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.addSignalListener(signal, () => engine.shutdown(signal));
}
// deno-lint-ignore no-console
console.error(`agentos engine ${engine.paths.home} ready (pid ${Deno.pid})`);
await engine.stopped;
// deno-lint-ignore no-console
console.error(`agentos engine ${engine.paths.home} stopped (pid ${Deno.pid})`);
Deno.exit(0);
