import type { HomePaths } from "./home.ts";
import { Engine, type EngineOptions } from "./engine.ts";
import { detectSandbox } from "./sandbox/sandbox_kind.ts";
import { openGraph } from "./graph/mod.ts";

/**
 * Opens the engine on a home, wires every service into it, and starts
 * listening. The one place that knows the full set of services.
 *
 * @param paths the home's paths
 * @param options logging and shutdown settings
 * @returns the listening engine
 * @throws {EngineLockedError} when another engine runs on this home
 */
export async function startEngine(
  paths: HomePaths,
  options: EngineOptions = {},
): Promise<Engine> {
  const engine = Engine.open(paths, options);
  try {
    const sandbox = await detectSandbox();
    if (sandbox.kind !== "bubblewrap") {
      engine.log.warn("Skill sandbox", { ...sandbox });
    }
    engine.addService({ status: () => ({ sandbox }) });
    const graph = await openGraph(engine);
    engine.onDisconnect = (connectionId) =>
      graph.feed.unsubscribe(connectionId);
    engine.listen();
  } catch (error) {
    await engine.shutdown(`start-up failed: ${(error as Error).message}`);
    throw error;
  }
  return engine;
}
