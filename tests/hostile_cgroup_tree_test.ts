/**
 * The engine's cgroup tree removed under it (#25, point 8; #29, point 5):
 * on a shared host another engine's start-up sweep (or an administrator)
 * may kill what is in it and remove it. The engine makes it again at the
 * next need, with one warning in its log; no call and no `skills add`
 * fails for it, and nothing is left after shutdown.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { REPO_ROOT } from "./_task_command.ts";
import { fixture } from "./skills_helpers.ts";

type Json = Record<string, unknown>;

/** The engine's tree directories (pids, memory, cpu), or why none. */
async function treeDirs(engine: EngineProcess): Promise<string[] | string> {
  const status = await (await engine.client()).call<Json>("engine.status");
  const containment = (status.sandbox as Json).containment as Json;
  const cgroup = containment.cgroup as { kind: string; detail: string };
  return cgroup.kind === "v1" ? cgroup.detail.split(" ") : cgroup.detail;
}

/** What another engine's sweep does: kill, then remove, every cgroup. */
async function sweepAway(tree: string): Promise<void> {
  // A spare started meanwhile makes a new cgroup: sweep again until gone.
  for (let round = 0; round < 50; round++) {
    const children: string[] = [];
    for await (const entry of Deno.readDir(tree)) {
      if (entry.isDirectory) children.push(`${tree}/${entry.name}`);
    }
    for (const dir of children) {
      const procs = await Deno.readTextFile(`${dir}/cgroup.procs`).catch(
        () => "",
      );
      for (const pid of procs.split("\n").filter(Boolean)) {
        try {
          Deno.kill(Number(pid), "SIGKILL");
        } catch { /* gone */ }
      }
    }
    for (const dir of children) await Deno.remove(dir).catch(() => {});
    if (await Deno.remove(tree).then(() => true, () => false)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`${tree} could not be swept away`);
}

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

const probe = await EngineProcess.start({
  env: { AGENTOS_SPARE_WORKERS: "0" },
});
const hostTree = await treeDirs(probe);
await probe[Symbol.asyncDispose]();
const skip = typeof hostTree === "string" ? hostTree : undefined;

for (const spares of ["0", "2"]) {
  Deno.test({
    name:
      `with ${spares} spares, a cgroup tree removed under the engine is made again: calls and skills add go on, one warning${
        skip ? `: skipped, ${skip}` : ""
      }`,
    ignore: skip !== undefined,
    fn: async () => {
      const engine = await EngineProcess.start({
        env: { AGENTOS_SPARE_WORKERS: spares },
      });
      let dirs: string[] = [];
      try {
        const client = await engine.client();
        await client.call("skills.add", {
          path: `${REPO_ROOT}/bench/skills/noop`,
        });
        const call = () =>
          client.call<{ result: { ok: boolean } }>("skills.run", {
            skill: "bench-noop",
            tool: "noop",
            params: {},
          });
        assert.equal((await call()).result.ok, true);
        dirs = await treeDirs(engine) as string[];
        for (const dir of dirs) await sweepAway(dir);

        for (let i = 0; i < 4; i++) {
          assert.equal((await call()).result.ok, true, `call ${i}`);
        }
        const added = await client.call<{ id: string }>("skills.add", {
          path: fixture("cap-ok"),
        });
        assert.equal(added.id, "cap-ok");
        for (const dir of dirs) {
          assert.ok(await exists(dir), `${dir} made again`);
        }
        const log = await Deno.readTextFile(engine.paths.engineLog);
        const warnings = log.split("\n").filter((l) =>
          /cgroup tree .*made again/i.test(l)
        );
        assert.equal(
          warnings.length,
          1,
          warnings.join("\n") || log.slice(-3000),
        );
      } finally {
        await engine[Symbol.asyncDispose]();
      }
      for (const dir of dirs) {
        assert.equal(await exists(dir), false, `${dir} left after shutdown`);
      }
    },
  });
}
