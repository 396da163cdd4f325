/**
 * The launcher (`engine/sandbox/launcher.ts`) and the call cgroups
 * (`engine/sandbox/call_cgroup.ts`) on their own, without bubblewrap: the
 * launcher starts a plain program, which reads back from the kernel the
 * limits and the cgroups it was started in. The sweeps run against
 * cgroups of this test's own (a parent cgroup made here, handed to
 * `CgroupTree.open` as the engine's), never against other engines' trees.
 */
import assert from "node:assert/strict";
import {
  CgroupTree,
  launcherCommand,
  readHostFacts,
  type ResourceLimits,
} from "../engine/sandbox/mod.ts";
import { waitFor, within } from "./_wait.ts";
import { realPython } from "./_task_command.ts";

const CONTROLLERS = ["pids", "memory", "cpu"] as const;

/** Where this process's v1 cgroup of each controller is, or why none. */
async function hostCgroups(): Promise<
  { mounts: string; own: Record<string, string>; base: string[] } | string
> {
  const facts = await readHostFacts("/bin/sh");
  if (facts.uid !== 0) return `the engine is not root (uid ${facts.uid})`;
  const own: Record<string, string> = {};
  const base: string[] = [];
  for (const controller of CONTROLLERS) {
    const mount = facts.mounts.split("\n").map((line) => line.split(" "))
      .find((f) =>
        f[2] === "cgroup" && (f[3] ?? "").split(",").includes(controller)
      )?.[1];
    const path = facts.selfCgroup.split("\n").map((line) => line.split(":"))
      .find((f) => (f[1] ?? "").split(",").includes(controller))?.[2];
    if (mount === undefined || path === undefined) {
      return `no cgroup v1 ${controller} hierarchy here${
        facts.mounts.includes(" cgroup2 ") ? " (cgroup v2 only)" : ""
      }`;
    }
    own[controller] = path;
    base.push(`${mount}${path === "/" ? "" : path}`);
  }
  return { mounts: facts.mounts, own, base };
}

const host = await hostCgroups();
const noCgroups = typeof host === "string" ? host : undefined;

/**
 * A parent cgroup of this test's own in each controller, and the
 * `/proc/self/cgroup` text that makes `CgroupTree.open` build (and sweep)
 * under it. Not named `agentos-…`: no engine's sweep ever looks at it.
 */
async function scratchParent(): Promise<
  {
    dirs: string[];
    selfCgroup: string;
    mounts: string;
    remove(): Promise<void>;
  }
> {
  assert.ok(typeof host !== "string");
  const name = `launcher-test-${crypto.randomUUID().slice(0, 8)}`;
  const dirs = host.base.map((base) => `${base}/${name}`);
  for (const dir of dirs) await Deno.mkdir(dir);
  const selfCgroup =
    CONTROLLERS.map((controller, i) =>
      `${i + 1}:${controller}:${
        host.own[controller] === "/" ? "" : host.own[controller]
      }/${name}`
    ).join("\n") + "\n";
  return {
    dirs,
    selfCgroup,
    mounts: host.mounts,
    async remove() {
      // Deepest first; a cgroup is removed with rmdir once it is empty.
      for (const dir of dirs) {
        const all: string[] = [];
        const walk = async (d: string) => {
          for await (const entry of Deno.readDir(d)) {
            if (entry.isDirectory) {
              await walk(`${d}/${entry.name}`);
              all.push(`${d}/${entry.name}`);
            }
          }
        };
        await walk(dir).catch(() => {});
        for (const d of [...all, dir]) {
          await killAll(d);
          await Deno.remove(d).catch(() => {});
        }
      }
    },
  };
}

async function killAll(dir: string): Promise<void> {
  const procs = await Deno.readTextFile(`${dir}/cgroup.procs`).catch(() => "");
  for (const pid of procs.split("\n").filter(Boolean)) {
    try {
      Deno.kill(Number(pid), "SIGKILL");
    } catch { /* gone */ }
  }
}

/** Whether a pid is a live (not zombie) process. */
async function alive(pid: number): Promise<boolean> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`).catch(() => "");
  return stat !== "" && !stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
}

// Odd values, none a default, each distinct from the others: a limit set
// from the wrong variable, in the wrong unit or rounded shows.
const LIMITS: ResourceLimits = {
  cpuSeconds: 7.2, // ceil → 8
  memoryBytes: 700 * 1024 * 1024 + 3 * 4096, // whole KiB and whole pages
  processes: 21, // pids.max
  fileBytes: 5 * 1024 * 1024 + 3 * 512, // whole 512-byte blocks
  openFiles: 77,
  tmpBytes: 1 << 20,
  shmBytes: 1 << 20,
};
const NPROC = 33; // RLIMIT_NPROC, apart from pids.max

/** `/proc/<pid>/limits` as name → [soft, hard]. */
function parseLimits(text: string): Record<string, [string, string]> {
  const out: Record<string, [string, string]> = {};
  for (const line of text.split("\n").slice(1)) {
    const m = line.match(/^(.+?)\s{2,}(\S+)\s+(\S+)/);
    if (m) out[m[1]!] = [m[2]!, m[3]!];
  }
  return out;
}

async function launch(
  argv: string[],
  cgroupDirs: string[],
  filterPath = "/dev/null",
): Promise<Deno.CommandOutput> {
  const { program, args, env } = launcherCommand({
    filterPath,
    limits: LIMITS,
    processes: NPROC,
    cgroupDirs,
    argv,
  });
  return await within(
    "the launched program",
    new Deno.Command(program, {
      args,
      env,
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output(),
  );
}

Deno.test("the launcher's rlimits, read back from the kernel by the program it starts: soft = hard, exact values", async () => {
  const filter = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(filter, "the filter bytes");
    const output = await launch(
      ["/bin/sh", "-c", "cat /proc/$$/limits; echo @@; cat <&3"],
      [],
      filter,
    );
    const stdout = new TextDecoder().decode(output.stdout);
    assert.ok(output.success, new TextDecoder().decode(output.stderr));
    const [limitsText = "", fd3 = ""] = stdout.split("@@\n");
    const limits = parseLimits(limitsText);
    const both = (v: number | string) => [String(v), String(v)];
    assert.deepEqual(limits["Max cpu time"], both(8));
    assert.deepEqual(limits["Max address space"], both(LIMITS.memoryBytes));
    assert.deepEqual(limits["Max file size"], both(LIMITS.fileBytes));
    assert.deepEqual(limits["Max open files"], both(LIMITS.openFiles));
    assert.deepEqual(limits["Max processes"], both(NPROC));
    // The seccomp filter is on fd 3, where bubblewrap's --seccomp 3 reads it.
    assert.equal(fd3, "the filter bytes");
  } finally {
    await Deno.remove(filter);
  }
});

Deno.test({
  name:
    `the launcher makes the call's cgroups with their limits and starts the program inside them${
      noCgroups ? `: skipped, ${noCgroups}` : ""
    }`,
  ignore: noCgroups !== undefined,
  fn: async () => {
    const parent = await scratchParent();
    const tree = await CgroupTree.open({ ...parent, python: realPython() });
    try {
      assert.equal(tree.kind, "v1", tree.detail);
      const cgroup = tree.create()!;
      const [pids, memory, cpu] = cgroup.dirs;
      const output = await launch([
        "/bin/sh",
        "-c",
        `cat /proc/$$/cgroup; echo @@
cat "${pids}/pids.max" "${memory}/memory.limit_in_bytes" "${cpu}/cpu.cfs_quota_us"
if [ -e "${memory}/memory.memsw.limit_in_bytes" ]; then cat "${memory}/memory.memsw.limit_in_bytes"; else echo no-swap-accounting; fi`,
      ], cgroup.dirs);
      assert.ok(output.success, new TextDecoder().decode(output.stderr));
      const [membership = "", values = ""] = new TextDecoder().decode(
        output.stdout,
      ).split("@@\n");
      // The program is a member of each of the call's cgroups.
      for (const [i, controller] of CONTROLLERS.entries()) {
        const line = membership.split("\n").map((l) => l.split(":")).find((
          f,
        ) => (f[1] ?? "").split(",").includes(controller));
        assert.ok(line, `${controller} in ${membership}`);
        assert.ok(
          cgroup.dirs[i]!.endsWith(line[2]!),
          `${controller}: ${line[2]} is not ${cgroup.dirs[i]}`,
        );
      }
      const [pidsMax, memoryMax, quota, swapMax] = values.trim().split("\n");
      assert.equal(pidsMax, String(LIMITS.processes));
      assert.equal(memoryMax, String(LIMITS.memoryBytes));
      assert.equal(quota, "100000");
      if (swapMax !== "no-swap-accounting") {
        // Memory plus swap at the same value: no escape into swap.
        assert.equal(swapMax, String(LIMITS.memoryBytes));
      }
      assert.equal(await cgroup.release(), 0);
    } finally {
      await tree.close();
      await parent.remove();
    }
  },
});

Deno.test({
  name:
    `release refuses new processes (pids.max 0) before it kills what is left${
      noCgroups ? `: skipped, ${noCgroups}` : ""
    }`,
  ignore: noCgroups !== undefined,
  fn: async () => {
    const parent = await scratchParent();
    const tree = await CgroupTree.open({ ...parent, python: realPython() });
    let hold: string | undefined;
    try {
      assert.equal(tree.kind, "v1", tree.detail);
      const cgroup = tree.create()!;
      const pids = cgroup.dirs[0]!;
      const output = await launch([
        "/bin/sh",
        "-c",
        "setsid sleep 300 </dev/null >/dev/null 2>&1 & echo $!",
      ], cgroup.dirs);
      assert.ok(output.success, new TextDecoder().decode(output.stderr));
      const sleeper = Number(new TextDecoder().decode(output.stdout).trim());
      assert.ok(await alive(sleeper));
      // A child cgroup keeps the call's pids cgroup from being removed, so
      // the release stays where this test can look at it after its sweep.
      hold = `${pids}/hold`;
      await Deno.mkdir(hold);
      const released = cgroup.release();
      await waitFor(
        "the sweep to kill the call's process",
        async () => !(await alive(sleeper)),
      );
      assert.equal(
        (await Deno.readTextFile(`${pids}/pids.max`)).trim(),
        "0",
        "new processes are not refused during the sweep",
      );
      // A process that joins the cgroup now cannot fork (dash gives up).
      const late = await within(
        "a late process",
        new Deno.Command("/bin/sh", {
          args: [
            "-c",
            `echo $$ >"${hold}/cgroup.procs" && /bin/true && echo forked`,
          ],
          stdout: "piped",
          stderr: "piped",
        }).output(),
      );
      assert.equal(new TextDecoder().decode(late.stdout), "");
      assert.match(new TextDecoder().decode(late.stderr), /fork/i);
      await Deno.remove(hold);
      hold = undefined;
      assert.equal(await within("the release", released), 1);
      for (const dir of cgroup.dirs) {
        assert.equal(await Deno.stat(dir).then(() => true, () => false), false);
      }
    } finally {
      if (hold) {
        await killAll(hold);
        await Deno.remove(hold).catch(() => {});
      }
      await tree.close();
      await parent.remove();
    }
  },
});

Deno.test({
  name:
    `the start-up sweep empties and removes a dead engine's cgroups and leaves a live engine's calls running${
      noCgroups ? `: skipped, ${noCgroups}` : ""
    }`,
  ignore: noCgroups !== undefined,
  fn: async () => {
    const parent = await scratchParent();
    const children: Deno.ChildProcess[] = [];
    let tree: CgroupTree | undefined;
    try {
      // A pid no process has: one that has just exited and been reaped.
      const gone = new Deno.Command("/bin/true").spawn();
      await gone.status;
      const deadPid = gone.pid;
      assert.equal(await alive(deadPid), false);
      // A live engine: this process (its pid names the tree).
      const liveTree = (dir: string) => `${dir}/agentos-0a1b2c3d-${Deno.pid}`;
      const deadTree = (dir: string) => `${dir}/agentos-4e5f6a7b-${deadPid}`;
      const start = async (pidsDir: string) => {
        await Deno.mkdir(pidsDir, { recursive: true });
        const child = new Deno.Command("/bin/sh", {
          args: ["-c", `echo $$ >"${pidsDir}/cgroup.procs" && exec sleep 300`],
          stdin: "null",
          stdout: "null",
          stderr: "null",
        }).spawn();
        children.push(child);
        await waitFor(
          "the process to join its cgroup",
          async () =>
            (await Deno.readTextFile(`${pidsDir}/cgroup.procs`)).trim() ===
              String(child.pid),
        );
        return child;
      };
      const [pidsParent, ...otherParents] = parent.dirs as [
        string,
        ...string[],
      ];
      const live = await start(`${liveTree(pidsParent)}/c1`);
      const dead = await start(`${deadTree(pidsParent)}/c1`);
      for (const dir of otherParents) {
        await Deno.mkdir(`${liveTree(dir)}/c1`, { recursive: true });
        await Deno.mkdir(`${deadTree(dir)}/c1`, { recursive: true });
      }

      tree = await CgroupTree.open({ ...parent, python: realPython() });
      assert.equal(tree.kind, "v1", tree.detail);

      // The dead engine's call is killed and its cgroups removed.
      const status = await within("the dead engine's call", dead.status);
      assert.equal(status.signal, "SIGKILL");
      for (const dir of parent.dirs) {
        assert.equal(
          await Deno.stat(deadTree(dir)).then(() => true, () => false),
          false,
          `${deadTree(dir)} is left`,
        );
      }
      // The live engine's call runs on, in its cgroup.
      assert.ok(await alive(live.pid), "the live engine's call was killed");
      assert.equal(
        (await Deno.readTextFile(`${liveTree(pidsParent)}/c1/cgroup.procs`))
          .trim(),
        String(live.pid),
      );
      for (const dir of parent.dirs) {
        assert.ok((await Deno.stat(`${liveTree(dir)}/c1`)).isDirectory);
      }
      // This engine's own tree is named for its pid, so other engines'
      // sweeps leave it alone while it lives.
      for (const dir of tree.detail.split(" ")) {
        assert.match(dir, new RegExp(`/agentos-[0-9a-f]{8}-${Deno.pid}$`));
      }
    } finally {
      for (const child of children) {
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
        await child.status;
      }
      await tree?.close();
      await parent.remove();
    }
  },
});

Deno.test({
  name:
    `the start-up sweep leaves a tree whose keeper lives, even when its pid names no process here (an engine in another pid namespace)${
      noCgroups ? `: skipped, ${noCgroups}` : ""
    }`,
  ignore: noCgroups !== undefined,
  fn: async () => {
    const parent = await scratchParent();
    const children: Deno.ChildProcess[] = [];
    let tree: CgroupTree | undefined;
    try {
      const gone = new Deno.Command("/bin/true").spawn();
      await gone.status;
      // Another engine's tree: its pid is not one of ours, its keeper and
      // one of its calls run.
      const other = (dir: string) => `${dir}/agentos-9c8d7e6f-${gone.pid}`;
      const [pidsParent, ...otherParents] = parent.dirs as [
        string,
        ...string[],
      ];
      const join = async (pidsDir: string) => {
        await Deno.mkdir(pidsDir, { recursive: true });
        const child = new Deno.Command("/bin/sh", {
          args: ["-c", `echo $$ >"${pidsDir}/cgroup.procs" && exec sleep 300`],
          stdin: "null",
          stdout: "null",
          stderr: "null",
        }).spawn();
        children.push(child);
        await waitFor(
          "the process to join its cgroup",
          async () =>
            (await Deno.readTextFile(`${pidsDir}/cgroup.procs`)).trim() ===
              String(child.pid),
        );
        return child;
      };
      const keeper = await join(`${other(pidsParent)}/keeper`);
      const call = await join(`${other(pidsParent)}/c1`);
      for (const dir of otherParents) {
        await Deno.mkdir(`${other(dir)}/c1`, { recursive: true });
      }

      tree = await CgroupTree.open({ ...parent, python: realPython() });
      assert.equal(tree.kind, "v1", tree.detail);
      assert.ok(await alive(call.pid), "the other engine's call was killed");
      assert.ok(
        await alive(keeper.pid),
        "the other engine's keeper was killed",
      );
      for (const dir of parent.dirs) {
        assert.ok((await Deno.stat(`${other(dir)}/c1`)).isDirectory);
      }
    } finally {
      for (const child of children) {
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
        await child.status;
      }
      await tree?.close();
      await parent.remove();
    }
  },
});

/** A parked launcher of `argv` in `cgroupDirs`, its stdin and stdout piped. */
function park(argv: string[], cgroupDirs: string[]): Deno.ChildProcess {
  const { program, args, env } = launcherCommand({
    filterPath: "/dev/null",
    limits: LIMITS,
    processes: NPROC,
    cgroupDirs,
    argv,
    parked: true,
  });
  return new Deno.Command(program, {
    args,
    env,
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Ends a parked launcher's wait with `word` (none: end of input); its output. */
async function unpark(
  child: Deno.ChildProcess,
  word: string | undefined,
): Promise<{ code: number; stdout: string }> {
  const writer = child.stdin.getWriter();
  if (word !== undefined) await writer.write(new TextEncoder().encode(word));
  await writer.close();
  const output = await within("the parked launcher", child.output());
  return {
    code: output.code,
    stdout: new TextDecoder().decode(output.stdout),
  };
}

Deno.test({
  name:
    `a parked launcher waits in its cgroups with its limits set, and starts the program on "go" only${
      noCgroups ? `: skipped, ${noCgroups}` : ""
    }`,
  ignore: noCgroups !== undefined,
  fn: async () => {
    const parent = await scratchParent();
    const tree = await CgroupTree.open({ ...parent, python: realPython() });
    try {
      assert.equal(tree.kind, "v1", tree.detail);
      for (const word of ["go\n", undefined, "stop\n", "gone\n"]) {
        const cgroup = tree.create()!;
        const child = park(["/bin/sh", "-c", "echo started"], cgroup.dirs);
        // Before any word: joined and limited already, nothing started.
        await waitFor(
          "the parked launcher to join its pids cgroup",
          async () =>
            (await Deno.readTextFile(`${cgroup.dirs[0]}/cgroup.procs`))
              .trim() === String(child.pid),
        );
        await waitFor(
          "the parked launcher's limits",
          async () =>
            parseLimits(
              await Deno.readTextFile(`/proc/${child.pid}/limits`),
            )["Max open files"]?.[0] === String(LIMITS.openFiles),
        );
        const { code, stdout } = await unpark(child, word);
        assert.equal(code, 0, `after ${JSON.stringify(word)}`);
        assert.equal(
          stdout,
          word === "go\n" ? "started\n" : "",
          `after ${JSON.stringify(word)}`,
        );
        assert.equal(await cgroup.release(), 0);
      }
    } finally {
      await tree.close();
      await parent.remove();
    }
  },
});
