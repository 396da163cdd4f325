import { join } from "./paths.ts";
import type { Engine } from "./engine.ts";
import { Sandbox } from "./sandbox/mod.ts";
import { openGraph } from "./graph/mod.ts";
import {
  credentialLinkMethods,
  openSkills,
  usableDomains,
} from "./skills_api/mod.ts";
import { CredentialLinks, openVault } from "./vault/mod.ts";
import { ensureBridge, launchBridgeIfWanted } from "./bridge_launcher.ts";
import { registerTable } from "./rpc/mod.ts";
import { AuditHeadStore, AuditLog } from "./audit/mod.ts";
import { pythonDir } from "./runtime_layout.ts";

/**
 * Wires every service into an open engine: the one place that knows the
 * full set. `engine/main.ts` loads this module only after the engine
 * listens, because loading it is most of the start-up time.
 *
 * @param engine the open engine (listening or not)
 */
export async function openServices(engine: Engine): Promise<void> {
  const { paths } = engine;
  const python = Deno.env.get("AGENTOS_PYTHON") || "python3";
  // python/ holds the SDK, the worker and the bundled skills.
  const sdkDir = await pythonDir(paths, { python });
  // The sandbox probe mostly waits on two interpreter starts: open the
  // graph (shape parsing, migrations) on this thread meanwhile.
  const opening = Sandbox.open({
    python,
    sdkDir,
    filterPath: join(paths.dataDir, "seccomp.bpf"),
    warn: (message, fields) => engine.log.warn(message, fields),
  });
  opening.catch(() => {}); // awaited below; only openGraph may throw first
  const graph = await openGraph(engine);
  const sandbox = await opening;
  if (sandbox.kind !== "bubblewrap") {
    engine.log.warn("Skill sandbox", sandbox.status());
  }
  // Closed after the skills service (services close in reverse): kills
  // whatever is left in any cgroup of a call, then removes the cgroups.
  engine.addService({
    status: () => ({ sandbox: sandbox.status() }),
    close: () => sandbox.close(),
  });
  engine.onDisconnect = (connectionId) => graph.feed.unsubscribe(connectionId);
  const vault = await openVault(engine, graph.store.db);
  const audit = await AuditLog.open(paths.ioLog, {
    head: new AuditHeadStore(graph.store.db),
  });
  engine.addService({ close: () => audit.close() });
  const skills = openSkills(engine, graph, sandbox, {
    bundledDir: join(sdkDir, "skills"),
    vault,
    audit,
    python,
  });
  registerTable(
    engine.dispatcher,
    credentialLinkMethods({
      registry: skills.registry,
      loaded: skills.loaded,
      links: new CredentialLinks(async (link, identifier, value) => {
        if (link.forSkill) {
          await vault.setForSkill(link.skill, identifier, value, "owner");
          return;
        }
        // Asked by a call: the skill that asked may use it.
        const asking = [link.skill];
        await vault.set(link.domain, identifier, value, undefined, {
          fresh: asking,
          add: asking,
        });
      }),
      vaultDomains: () => vault.domains(),
      usableDomains: (skillId) => usableDomains(vault.list(), skillId),
      ownKey: (skillId) => vault.skillRows(skillId).length > 0,
      bridgeUrl: () => ensureBridge(engine, graph.store.db),
      audit,
    }),
  );
  launchBridgeIfWanted(engine, graph.store.db);
}
