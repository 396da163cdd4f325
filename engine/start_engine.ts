import type { HomePaths } from "./home.ts";
import { Engine, type EngineOptions } from "./engine.ts";
import { join } from "node:path";
import { Sandbox } from "./sandbox/mod.ts";
import { openGraph } from "./graph/mod.ts";
import { openSkills } from "./skills/mod.ts";
import { openVault } from "./vault/mod.ts";
import { launchBridgeIfWanted } from "./bridge_launcher.ts";
import { AuditLog } from "./audit/mod.ts";
import { pythonDir } from "./runtime_layout.ts";

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
    const python = Deno.env.get("AGENTOS_PYTHON") || "python3";
    // python/ holds the SDK, the worker and the bundled skills.
    const sdkDir = await pythonDir(paths, { python });
    // The sandbox probe mostly waits on two interpreter starts: open the
    // graph (shape parsing, migrations) on this thread meanwhile.
    const opening = Sandbox.open({ python, sdkDir });
    opening.catch(() => {}); // awaited below; only openGraph may throw first
    const graph = await openGraph(engine);
    const sandbox = await opening;
    if (sandbox.kind !== "bubblewrap") {
      engine.log.warn("Skill sandbox", sandbox.status());
    }
    engine.addService({ status: () => ({ sandbox: sandbox.status() }) });
    engine.onDisconnect = (connectionId) =>
      graph.feed.unsubscribe(connectionId);
    const vault = await openVault(engine, graph.store.db);
    const audit = await AuditLog.open(paths.ioLog);
    engine.addService({ close: () => audit.close() });
    openSkills(engine, graph, sandbox, {
      bundledDir: join(sdkDir, "skills"),
      vault,
      audit,
      python,
    });
    engine.listen();
    launchBridgeIfWanted(engine, graph.store.db);
  } catch (error) {
    await engine.shutdown(`start-up failed: ${(error as Error).message}`);
    throw error;
  }
  return engine;
}
