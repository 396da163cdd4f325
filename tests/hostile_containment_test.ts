/**
 * Containment against a skill written to escape it
 * (tests/fixtures/hostile/containment/): every syscall family the seccomp
 * filter refuses, refused from inside a real worker; every writable mount
 * full at its size; the ptrace revival of the sandbox's pid 1 that once
 * let a call outlive its sandbox and hold the engine's shutdown; the
 * call's cgroup and its uid outside. Each attempt fails only its own call,
 * and the next ordinary call succeeds.
 */
import assert from "node:assert/strict";
import { ErrorCode, RpcError } from "../engine/errors.ts";
import type { RpcClient } from "../engine/rpc/mod.ts";
import { readHostFacts } from "../engine/sandbox/mod.ts";
import { EngineProcess } from "./_engine_process.ts";
import { REPO_ROOT } from "./_task_command.ts";
import { within } from "./_wait.ts";
import { fixture, rejectsWith, waitFor } from "./skills_helpers.ts";

type Json = Record<string, unknown>;

const CONTAINMENT = `${REPO_ROOT}tests/fixtures/hostile/containment`;
const EPERM = /\[Errno 1\] .*Operation not permitted/;

async function run(
  client: RpcClient,
  tool: string,
  params: Json = {},
): Promise<unknown> {
  return await client.call("skills.run", {
    skill: "containment",
    tool,
    params,
  });
}

async function ordinaryCall(client: RpcClient): Promise<void> {
  const { result } = await client.call<{ result: Json }>("skills.run", {
    skill: "cap-ok",
    tool: "echo",
    params: { text: "still fine" },
  });
  assert.deepEqual(result, { echo: "still fine", by: "cap-ok" });
}

async function startEngine(
  spares = "1",
): Promise<[EngineProcess, RpcClient]> {
  const engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: spares },
  });
  const client = await engine.client();
  await client.call("skills.add", { path: CONTAINMENT });
  await client.call("skills.add", { path: fixture("cap-ok") });
  return [engine, client];
}

/** Host pids whose name (`/proc/<pid>/comm`) is `name`. */
async function processesNamed(name: string): Promise<number[]> {
  const found: number[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const comm = await Deno.readTextFile(`/proc/${entry.name}/comm`).catch(
      () => "",
    );
    if (comm.trim() === name) found.push(Number(entry.name));
  }
  return found;
}

/** The cgroup v1 directories of the engine's calls, per controller. */
async function callCgroups(
  enginePid: number,
  controller: "pids" | "memory" | "cpu",
): Promise<string[]> {
  const own = (await Deno.readTextFile(`/proc/${enginePid}/cgroup`)).split(
    "\n",
  ).map((line) => line.split(":")).find((f) =>
    (f[1] ?? "").split(",").includes(controller)
  )?.[2];
  assert.ok(own !== undefined, `the engine has no ${controller} cgroup`);
  const parent = `/sys/fs/cgroup/${controller}${own === "/" ? "" : own}`;
  const dirs: string[] = [];
  for await (const tree of Deno.readDir(parent)) {
    if (!new RegExp(`^agentos-[0-9a-f]+-${enginePid}$`).test(tree.name)) {
      continue;
    }
    for await (const entry of Deno.readDir(`${parent}/${tree.name}`)) {
      if (entry.isDirectory) dirs.push(`${parent}/${tree.name}/${entry.name}`);
    }
  }
  return dirs;
}

Deno.test("every syscall family the filter refuses is refused inside a real worker, and only that call fails", async (t) => {
  const [engine, client] = await startEngine();
  await using _engine = engine;
  const families: [string, RegExp][] = [
    ["ptrace", EPERM],
    ["process_vm_readv", EPERM],
    ["process_vm_writev", EPERM],
    ["pidfd_open", EPERM],
    ["pidfd_getfd", EPERM],
    ["pidfd_send_signal", EPERM],
    ["perf_event_open", EPERM],
    ["bpf", EPERM],
    ["userfaultfd", EPERM],
    ["io_uring_setup", EPERM],
    ["keyctl", EPERM],
    ["add_key", EPERM],
    ["request_key", EPERM],
    ["memfd_create", EPERM],
    ["shmget", EPERM],
    ["pdeathsig", EPERM],
    ["unshare", EPERM],
  ];
  for (const [family, message] of families) {
    await t.step(family, async () => {
      await rejectsWith(
        run(client, "attempt", { family }),
        ErrorCode.SkillFailed,
        message,
      );
      await ordinaryCall(client);
    });
  }
  for (
    const [name, family, type] of [
      ["vsock", 40, 1],
      ["netlink", 16, 3],
      ["packet", 17, 3],
      ["inet6", 10, 1],
    ] as const
  ) {
    await t.step(`socket ${name}`, async () => {
      await rejectsWith(
        run(client, "open_socket", { family, type }),
        ErrorCode.SkillFailed,
        /\[Errno 97\] Address family not supported/,
      );
      await ordinaryCall(client);
    });
  }
  await t.step("execve", async () => {
    await rejectsWith(run(client, "run_program"), ErrorCode.SkillFailed, EPERM);
    await ordinaryCall(client);
  });
});

Deno.test("every writable mount is sized: /tmp and /dev/shm fill up with ENOSPC, / and /dev are read-only", async (t) => {
  const [engine, client] = await startEngine();
  await using _engine = engine;
  for (const path of ["/tmp/fill", "/dev/shm/fill"]) {
    await t.step(path, async () => {
      await rejectsWith(
        run(client, "fill", { path }),
        ErrorCode.SkillFailed,
        /\[Errno 28\] No space left on device/,
      );
      await ordinaryCall(client);
    });
  }
  for (const path of ["/dev/fill", "/fill"]) {
    await t.step(path, async () => {
      await rejectsWith(
        run(client, "fill", { path }),
        ErrorCode.SkillFailed,
        /\[Errno 30\] Read-only file system/,
      );
    });
  }
  const status = await client.call<Json>("engine.status");
  const containment = (status.sandbox as Json).containment as Json;
  assert.deepEqual(containment.tmpfs, {
    "/tmp": 64 * 1024 * 1024,
    "/dev/shm": 16 * 1024 * 1024,
  });
});

Deno.test("reviving the sandbox's pid 1 with ptrace fails its own call at once, nothing of it outlives the call, and shutdown is not held", async () => {
  const [engine, client] = await startEngine();
  await using _engine = engine;
  const marker = `agentos-rv${Deno.pid % 10000}`;
  try {
    // The attack that once worked: ptrace bubblewrap's reaper (pid 1),
    // clear its parent-death signal, and keep the call's processes (and the
    // worker's pipes) alive past the call. Now pid 1 is the filtered
    // interpreter itself and ptrace is refused.
    await within(
      "the revival attempt to fail",
      rejectsWith(
        run(client, "revive_pid1", { marker }),
        ErrorCode.SkillFailed,
        EPERM,
      ),
      { timeoutMs: 15_000 },
    );
    // The worker answered; it is reaped in the background.
    await waitFor(
      "the failed call's process to be gone",
      async () => (await processesNamed(marker)).length === 0,
      { timeoutMs: 5_000 },
    );
    await ordinaryCall(client);
    // A hostile call is running when the engine is told to stop: the
    // engine stops within its grace (30 s) and leaves nothing behind.
    const running = run(client, "linger", { marker }).catch((e) => e);
    await waitFor(
      "the lingering call to run",
      async () => (await processesNamed(marker)).length > 0,
      { timeoutMs: 15_000 },
    );
    const stopping = await client.call<Json>("engine.shutdown");
    assert.equal(stopping.ok, true);
    const started = Date.now();
    assert.equal(await engine.exitCode(), 0);
    assert.ok(Date.now() - started < 30_000, "shutdown took its whole grace");
    const outcome = await running;
    assert.ok(outcome instanceof Error, `the lingering call ended: ${outcome}`);
    await waitFor(
      "the call's processes to be gone",
      async () => (await processesNamed(marker)).length === 0,
      { timeoutMs: 5_000 },
    );
  } finally {
    for (const pid of await processesNamed(marker)) {
      Deno.kill(pid, "SIGKILL");
    }
  }
});

/**
 * What this host offers the engine's calls: cgroup v1 `pids`, `memory` and
 * `cpu` hierarchies holding the engine, cgroup v2 only, or neither.
 */
const HOST_CGROUPS = await (async () => {
  const { mounts, selfCgroup } = await readHostFacts("/bin/sh");
  const v1 = ["pids", "memory", "cpu"].every((controller) =>
    mounts.split("\n").some((line) => {
      const f = line.split(" ");
      return f[2] === "cgroup" && (f[3] ?? "").split(",").includes(controller);
    }) &&
    selfCgroup.split("\n").some((line) =>
      (line.split(":")[1] ?? "").split(",").includes(controller)
    )
  );
  if (v1) return "v1";
  return mounts.includes(" cgroup2 ") ? "v2" : "none";
})();

Deno.test({
  name:
    `each call runs in its own cgroup with pids, memory and CPU caps, as nobody outside; the cgroup is gone after the call${
      HOST_CGROUPS === "v1"
        ? ""
        : `: skipped, the host has ${
          HOST_CGROUPS === "v2" ? "cgroup v2 only" : "no cgroups"
        }`
    }`,
  ignore: HOST_CGROUPS !== "v1",
  fn: () => callsInCgroupsV1(),
});

Deno.test({
  name:
    `a cold call started from a launcher parked ahead runs in its own cgroup with the same caps, as nobody outside${
      HOST_CGROUPS === "v1" ? "" : ": skipped, the host has no cgroup v1"
    }`,
  ignore: HOST_CGROUPS !== "v1",
  fn: () => callsInCgroupsV1({ parked: true }),
});

Deno.test({
  name:
    `on a cgroup-v2-only host the engine says why calls get no cgroup, and calls still run as nobody outside under the seccomp filter${
      HOST_CGROUPS === "v2" ? "" : `: skipped, the host has cgroup v1`
    }`,
  ignore: HOST_CGROUPS !== "v2",
  fn: async () => {
    const [engine, client] = await startEngine();
    await using _engine = engine;
    const status = await client.call<Json>("engine.status");
    const containment = (status.sandbox as Json).containment as Json;
    const cgroup = containment.cgroup as Json;
    // Either the engine uses v2, or it reports that it does not (yet).
    assert.ok(
      cgroup.kind === "v2" ||
        (cgroup.kind === "none" && /cgroup v2/.test(String(cgroup.detail))),
      JSON.stringify(cgroup),
    );
    assert.equal(containment.seccompOnPid1, true);
    assert.equal(containment.uidOutside, 65534);
    await ordinaryCall(client);
  },
});

/** Counts of the spare pool, from `engine.status`. */
async function poolCounts(client: RpcClient): Promise<Record<string, number>> {
  const status = await client.call<{ counts: Record<string, number> }>(
    "engine.status",
  );
  return status.counts;
}

/**
 * A lingering call's cgroups, caps and uids; `parked`: no spares, and the
 * call is served from a launcher parked ahead in its cgroup.
 */
async function callsInCgroupsV1({ parked = false } = {}) {
  const [engine, client] = await startEngine(parked ? "0" : "1");
  await using _engine = engine;
  if (parked) {
    await waitFor(
      "two launchers parked",
      async () => (await poolCounts(client)).launchersParked === 2,
      { timeoutMs: 15_000 },
    );
  }
  const status = await client.call<Json>("engine.status");
  const containment = (status.sandbox as Json).containment as Json;
  assert.equal((containment.cgroup as Json).kind, "v1");
  assert.equal(containment.seccompOnPid1, true);
  assert.equal(containment.uidOutside, 65534);
  const enginePid = engine.child.pid;
  // One marker per test: a worker of the test before, still being reaped,
  // must not be taken for this one (15 characters at most, a comm's size).
  const marker = `agentos-c${parked ? "p" : "s"}${Deno.pid % 10000}`;
  const running = run(client, "linger", { marker, seconds: 60 }).catch((e) =>
    e
  );
  const [worker] = await waitFor(
    "the lingering call to run",
    async () => {
      const found = await processesNamed(marker);
      return found.length > 0 ? found : undefined;
    },
    { timeoutMs: 15_000 },
  );
  // The cgroup holding the worker, in each hierarchy.
  const holding = async (controller: "pids" | "memory" | "cpu") => {
    for (const dir of await callCgroups(enginePid, controller)) {
      const procs = await Deno.readTextFile(`${dir}/cgroup.procs`);
      if (procs.split("\n").includes(String(worker))) return dir;
    }
    assert.fail(`the worker ${worker} is in no ${controller} cgroup of a call`);
  };
  const pids = await holding("pids");
  const memory = await holding("memory");
  const cpu = await holding("cpu");
  assert.equal((await Deno.readTextFile(`${pids}/pids.max`)).trim(), "64");
  assert.equal(
    (await Deno.readTextFile(`${memory}/memory.limit_in_bytes`)).trim(),
    String(1024 * 1024 * 1024),
  );
  assert.equal(
    (await Deno.readTextFile(`${cpu}/cpu.cfs_quota_us`)).trim(),
    "100000",
  );
  // Every process of the call that runs skill code is nobody outside; only
  // bubblewrap's monitor, outside every namespace, keeps the engine's uid.
  for (
    const pid of (await Deno.readTextFile(`${pids}/cgroup.procs`)).split("\n")
      .filter(Boolean)
  ) {
    const procStatus = await Deno.readTextFile(`/proc/${pid}/status`);
    const name = procStatus.match(/^Name:\s+(\S+)/m)?.[1];
    const uids = procStatus.match(/^Uid:\s+(.+)$/m)?.[1]?.split(/\s+/);
    if (name === "bwrap") continue;
    assert.deepEqual(uids, ["65534", "65534", "65534", "65534"], `${name}`);
  }
  // linger's @timeout(6) ends it.
  const outcome = await within("the lingering call to end", running, {
    timeoutMs: 30_000,
  });
  assert.ok(outcome instanceof RpcError, `${outcome}`);
  assert.equal(outcome.code, ErrorCode.Timeout);
  if (parked) assert.equal((await poolCounts(client)).callsServedParked, 1);
  await waitFor(
    "the call's cgroups to be removed",
    async () => {
      for (const dir of [pids, memory, cpu]) {
        if (await Deno.stat(dir).then(() => true, () => false)) return false;
      }
      return true;
    },
    { timeoutMs: 10_000 },
  );
  await ordinaryCall(client);
}
