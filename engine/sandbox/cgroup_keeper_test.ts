/**
 * The cgroup keeper's line protocol against real cgroup v1 hierarchies:
 * `make` answers the names it made (in all three hierarchies), or fails
 * with mkdir's reason; `release` kills what is left in each
 * cgroup, answers how many processes were left per name and removes the
 * cgroups; a tree that cannot be made is refused at start with the reason;
 * after `close` commands fail. Skipped, naming why,
 * where the engine may not write cgroups.
 */
import assert from "node:assert/strict";
import { CgroupKeeper } from "./cgroup_keeper.ts";
import { CgroupTree } from "./call_cgroup.ts";
import { readHostFacts } from "./sandbox_kind.ts";
import { realPython } from "../../tests/_task_command.ts";

const facts = await readHostFacts("/bin/sh");
const probe = await CgroupTree.open({ ...facts, python: realPython() });
await probe.close();
const skip = probe.kind === "none" ? probe.detail : undefined;

/** A fresh tree beside the probe's (its pid: no other engine sweeps it). */
function treeDirs(): string[] {
  const tag = `agentos-${crypto.randomUUID().slice(0, 8)}-${Deno.pid}`;
  return probe.detail.split(" ").map((dir) =>
    `${dir.slice(0, dir.lastIndexOf("/"))}/${tag}`
  );
}

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

Deno.test({
  name: `cgroup keeper: make, release with the count left, close${
    skip ? `: skipped, ${skip}` : ""
  }`,
  ignore: skip !== undefined,
  fn: async () => {
    const dirs = treeDirs();
    const keeper = await CgroupKeeper.start(dirs, realPython());
    assert.ok(typeof keeper !== "string", String(keeper));
    let sleeper: Deno.ChildProcess | undefined;
    try {
      assert.deepEqual(await keeper.send("make", ["c1", "c2"]), {
        kind: "made",
        names: ["c1", "c2"],
      });
      for (const dir of dirs) {
        assert.ok(await exists(`${dir}/c1`), dir);
        assert.ok(await exists(`${dir}/c2`), dir);
      }
      sleeper = new Deno.Command("sleep", {
        args: ["300"],
        stdout: "null",
        stderr: "null",
      }).spawn();
      await Deno.writeTextFile(
        `${dirs[0]}/c1/cgroup.procs`,
        String(sleeper.pid),
      );
      const released = await keeper.send("release", ["c1", "c2"]);
      assert.equal(released.kind, "released");
      assert.deepEqual(
        released.kind === "released" ? [...released.left] : [],
        [["c1", 1], ["c2", 0]],
      );
      assert.equal((await sleeper.status).signal, "SIGKILL");
      sleeper = undefined;
      for (const dir of dirs) {
        assert.equal(await exists(`${dir}/c1`), false, dir);
        assert.equal(await exists(`${dir}/c2`), false, dir);
      }
      assert.deepEqual(await keeper.send("make", ["c4"]), {
        kind: "made",
        names: ["c4"],
      });
      // A name that is there already: failed, with mkdir's reason.
      const again = await keeper.send("make", ["c4"]);
      assert.equal(again.kind, "failed");
      assert.match(again.kind === "failed" ? again.why : "", /c4.*exists/);
      // One line per answer: the next command gets its own answer.
      assert.deepEqual(await keeper.send("release", ["c4"]), {
        kind: "released",
        left: new Map([["c4", 0]]),
      });
    } finally {
      sleeper?.kill("SIGKILL");
      await sleeper?.status;
      await keeper.close();
    }
    // Closed: the keeper left and removed its tree. (It once stayed: a
    // failed make printed one line per directory, the engine read the
    // extra lines as later answers, and the keeper died of SIGPIPE at
    // close before its rmdir.)
    for (const dir of dirs) assert.equal(await exists(dir), false, dir);
    assert.deepEqual(await keeper.send("make", ["c5"]), {
      kind: "failed",
      why: "the keeper has ended",
    });
  },
});

Deno.test({
  name:
    `cgroup keeper: a tree it cannot make is refused at start, with the reason${
      skip ? `: skipped, ${skip}` : ""
    }`,
  ignore: skip !== undefined,
  fn: async () => {
    const [pids, memory, cpu] = treeDirs();
    const refused = await CgroupKeeper.start([
      pids!,
      memory!,
      "/proc/agentos-no-such-place/x",
    ], realPython());
    assert.equal(typeof refused, "string");
    assert.match(String(refused), /^mkdir: .*agentos-no-such-place/);
    // Nothing left behind of what it could make.
    assert.equal(await exists(`${cpu}`), false);
    for (const dir of [pids!, memory!]) {
      await Deno.remove(`${dir}/keeper`).catch(() => {});
      await Deno.remove(dir).catch(() => {});
    }
  },
});
