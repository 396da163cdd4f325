import assert from "node:assert/strict";
import { CgroupTree } from "./call_cgroup.ts";
import { launcherCommand } from "./launcher.ts";
import { DEFAULT_LIMITS } from "./resource_limits.ts";
import { readHostFacts } from "./sandbox_kind.ts";
import { realPython } from "../../tests/_task_command.ts";

// Whether this host gives calls cgroups (v1 pids, memory and cpu
// hierarchies the engine may write): where not (a cgroup-v2-only host, an
// unprivileged engine), the test is skipped, naming why.
const noCgroups = await (async () => {
  const probe = await CgroupTree.open({
    ...await readHostFacts("/bin/sh"),
    python: realPython(),
  });
  await probe.close();
  return probe.kind === "none" ? probe.detail : undefined;
})();

Deno.test({
  name:
    `releasing a call's cgroup kills what the call left behind (a daemonised grandchild) and removes the cgroup${
      noCgroups ? `: skipped, ${noCgroups}` : ""
    }`,
  ignore: noCgroups !== undefined,
  fn: releaseKillsLeftovers,
});

async function releaseKillsLeftovers() {
  const tree = await CgroupTree.open({
    ...await readHostFacts("/bin/sh"),
    python: realPython(),
  });
  assert.equal(tree.kind, "v1", tree.detail);
  try {
    const cgroup = tree.create()!;
    // The first process starts a grandchild in its own session and exits:
    // nothing but the cgroup still knows it belongs to the call.
    const { program, args, env } = launcherCommand({
      filterPath: "/dev/null",
      limits: DEFAULT_LIMITS,
      processes: DEFAULT_LIMITS.processes,
      cgroupDirs: cgroup.dirs,
      argv: [
        "/bin/sh",
        "-c",
        "setsid sleep 300 </dev/null >/dev/null 2>&1 & echo $!",
      ],
    });
    const output = await new Deno.Command(program, {
      args,
      env,
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(output.success, new TextDecoder().decode(output.stderr));
    const grandchild = Number(new TextDecoder().decode(output.stdout).trim());
    const procs = await Deno.readTextFile(`${cgroup.dirs[0]}/cgroup.procs`);
    assert.deepEqual(procs.trim().split("\n"), [String(grandchild)]);
    assert.equal(
      (await Deno.readTextFile(`${cgroup.dirs[0]}/pids.max`)).trim(),
      String(DEFAULT_LIMITS.processes),
    );
    assert.equal(await cgroup.release(), 1);
    const alive = await Deno.readTextFile(`/proc/${grandchild}/stat`).then(
      (stat) => !stat.split(") ")[1]?.startsWith("Z"),
      () => false,
    );
    assert.equal(alive, false, `the grandchild ${grandchild} survived`);
    for (const dir of cgroup.dirs) {
      assert.equal(await Deno.stat(dir).then(() => true, () => false), false);
    }
  } finally {
    await tree.close();
  }
}

Deno.test({
  name:
    `the stock of call cgroups is topped up several at a time, not one process a call${
      noCgroups ? `: skipped, ${noCgroups}` : ""
    }`,
  ignore: noCgroups !== undefined,
  fn: restockInBatches,
});

async function restockInBatches() {
  const tree = await CgroupTree.open({
    ...await readHostFacts("/bin/sh"),
    python: realPython(),
  });
  assert.equal(tree.kind, "v1", tree.detail);
  const taken = [];
  try {
    // The first stock is c1…c8. Three calls leave five: no cgroup is made.
    for (let i = 0; i < 3; i++) taken.push(tree.create()!);
    const pids = taken[0]!.dirs[0]!.replace(/\/c1$/, "");
    const exists = (name: string) =>
      Deno.stat(`${pids}/${name}`).then(() => true, () => false);
    assert.ok(await exists("c8"), "the first stock was not made");
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(await exists("c9"), false, "a cgroup was made for one call");
    // The fourth leaves four: one batch tops the stock up to eight.
    taken.push(tree.create()!);
    const deadline = Date.now() + 10_000;
    while (!await exists("c12") && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const name of ["c9", "c10", "c11", "c12"]) {
      assert.ok(await exists(name), `${name} was not made with the batch`);
    }
  } finally {
    await Promise.all(taken.map((cgroup) => cgroup.release()));
    await tree.close();
  }
}

Deno.test({
  name:
    `a release nobody waits for (a worker's after its answer) still goes, and a waited-for one takes it along in its batch${
      noCgroups ? `: skipped, ${noCgroups}` : ""
    }`,
  ignore: noCgroups !== undefined,
  fn: lazyReleases,
});

async function lazyReleases() {
  const tree = await CgroupTree.open({
    ...await readHostFacts("/bin/sh"),
    python: realPython(),
  });
  assert.equal(tree.kind, "v1", tree.detail);
  const gone = (dirs: string[]) =>
    Promise.all(dirs.map((dir) => Deno.stat(dir).then(() => false, () => true)))
      .then((all) => all.every(Boolean));
  try {
    const alone = tree.create()!;
    assert.equal(await alone.release(true), 0);
    assert.ok(await gone(alone.dirs), "a lazy release left its cgroup");
    // A lazy release, then one that is waited for: one batch, so when the
    // second has resolved the first cgroup is gone too.
    const lazy = tree.create()!;
    const waited = tree.create()!;
    const lazyDone = lazy.release(true);
    assert.equal(await waited.release(), 0);
    assert.ok(await gone(waited.dirs));
    assert.ok(await gone(lazy.dirs), "the lazy release was left behind");
    assert.equal(await lazyDone, 0);
  } finally {
    await tree.close();
  }
}
