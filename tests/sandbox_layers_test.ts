/**
 * The two containment layers of a worker, each with the other one off:
 *
 * - the worker's own (`python/agentos/_limits.py`: rlimits and a seccomp
 *   filter refusing new processes and programs, applied by `worker_main.py`
 *   before it reads any input), in a worker the engine starts with its
 *   sandbox off (`AGENTOS_SANDBOX=none`): a real call over the wire
 *   protocol probes what the skill's code meets;
 * - the engine's (launcher rlimits, cgroup, bubblewrap and the seccomp
 *   filter of `engine/sandbox/seccomp_filter.ts`), around a plain
 *   interpreter that installs nothing of its own (the sandbox's `script`
 *   mode: `python -I -S -c`, no `--limits`, no `--no-fork`).
 *
 * A layer that silently stopped working would otherwise stay hidden
 * behind the other.
 */
import assert from "node:assert/strict";
import {
  readHostFacts,
  type ResourceLimits,
  Sandbox,
} from "../engine/sandbox/mod.ts";
import { PYTHON_SOURCE_DIR } from "../engine/runtime_layout.ts";
import { realPython } from "./_task_command.ts";
import { within } from "./_wait.ts";

const LIMITS: ResourceLimits = {
  cpuSeconds: 47,
  memoryBytes: 900 * 1024 * 1024 + 4096,
  processes: 23,
  fileBytes: 3 * 1024 * 1024 + 512,
  openFiles: 91,
  tmpBytes: 8 * 1024 * 1024,
  shmBytes: 4 * 1024 * 1024,
};

/** Python that reports what the process meets, as a dict (no imports of the SDK). */
const PROBE = `
import errno as _errno, os, resource, sys, threading

def _attempt(action):
    try:
        action()
        return "ok"
    except OSError as error:
        return _errno.errorcode.get(error.errno, str(error.errno))

def _fork():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)

def _spawn():
    pid = os.posix_spawn(sys.executable, [sys.executable, "-c", "pass"], {})
    os.waitpid(pid, 0)

def _thread():
    seen = []
    thread = threading.Thread(target=seen.append, args=(1,))
    thread.start()
    thread.join()
    if seen != [1]:
        raise OSError(0, "the thread did not run")

def _libc_call(name, *args):
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    if getattr(libc, name)(*args) == -1:
        raise OSError(ctypes.get_errno(), name)

def _pdeathsig():
    import ctypes
    signal = ctypes.c_int(-1)
    if ctypes.CDLL(None, use_errno=True).prctl(2, ctypes.byref(signal), 0, 0, 0) == -1:
        raise OSError(ctypes.get_errno(), "prctl")
    return signal.value

def _dumpable():
    import ctypes
    return ctypes.CDLL(None, use_errno=True).prctl(3, 0, 0, 0, 0)  # PR_GET_DUMPABLE

def _socket(family):
    import socket
    socket.socket(family, socket.SOCK_STREAM).close()

def probe():
    status = {}
    with open("/proc/self/status") as file:
        for line in file:
            key, _, value = line.partition(":")
            status[key] = value.strip()
    names = {"cpu": "RLIMIT_CPU", "as": "RLIMIT_AS", "nproc": "RLIMIT_NPROC",
             "fsize": "RLIMIT_FSIZE", "nofile": "RLIMIT_NOFILE"}
    machine = os.uname().machine
    ptrace = {"x86_64": 101, "aarch64": 117}.get(machine)
    return {
        "rlimits": {key: list(resource.getrlimit(getattr(resource, name))) for key, name in names.items()},
        "seccompFilters": int(status.get("Seccomp_filters", "0")),
        "noNewPrivs": status.get("NoNewPrivs") == "1",
        "uid": os.getuid(),
        "gid": os.getgid(),
        "groups": os.getgroups(),
        "ids": {key: status.get(key) for key in ("Uid", "Gid", "Groups")},
        "caps": {key: status.get(key) for key in ("CapInh", "CapPrm", "CapEff", "CapAmb")},
        "pdeathsig": _pdeathsig(),
        "dumpable": _dumpable(),
        "fork": _attempt(_fork),
        "spawn": _attempt(_spawn),
        "thread": _attempt(_thread),
        "exec": _attempt(lambda: os.execv("/nonexistent/agentos-probe", ["x"])),
        "ptrace": _attempt(lambda: _libc_call("syscall", ptrace, 0, 0, 0, 0)),
        "clone3": _attempt(lambda: _libc_call("syscall", 435, 0, 0)),
        "memfd": _attempt(lambda: os.close(os.memfd_create("probe"))),
        "inet": _attempt(lambda: _socket(2)),
        "unix": _attempt(lambda: _socket(1)),
        "pdeathsigTerm": _attempt(lambda: _libc_call("prctl", 1, 15, 0, 0, 0)),
        "pdeathsigKill": _attempt(lambda: _libc_call("prctl", 1, 9, 0, 0, 0)),
    }
`;

function exact(limits: ResourceLimits, nproc: number) {
  const both = (v: number) => [v, v];
  return {
    cpu: both(Math.ceil(limits.cpuSeconds)),
    as: both(limits.memoryBytes),
    nproc: both(nproc),
    fsize: both(limits.fileBytes),
    nofile: both(limits.openFiles),
  };
}

async function readLine(
  reader: ReadableStreamDefaultReader<string>,
  buffer: { text: string },
): Promise<string | undefined> {
  while (!buffer.text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) return undefined;
    buffer.text += value;
  }
  const at = buffer.text.indexOf("\n");
  const line = buffer.text.slice(0, at);
  buffer.text = buffer.text.slice(at + 1);
  return line;
}

/**
 * Starts the sandbox's worker command exactly as the engine does and calls
 * a skill that returns {@linkcode PROBE}'s report over the wire protocol.
 */
async function probeWorker(
  sandbox: Sandbox,
): Promise<Record<string, unknown>> {
  const { program, args, env, cwd, release } = sandbox.command({
    kind: "worker",
  });
  const child = new Deno.Command(program, {
    args,
    env,
    cwd,
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream())
    .getReader();
  const buffer = { text: "" };
  const writer = child.stdin.getWriter();
  let result: Record<string, unknown> | undefined;
  try {
    const ready = await within(
      "the worker's ready",
      readLine(reader, buffer),
    );
    assert.equal(JSON.parse(ready ?? "null")?.__type__, "ready", ready);
    const source =
      `${PROBE}\nfrom agentos import returns\n\n@returns("the layers")\nasync def layers(**params):\n    return probe()\n`;
    await writer.write(
      new TextEncoder().encode(
        JSON.stringify({
          __type__: "call",
          id: "c-1",
          skill: { id: "layers", dir: "/skill" },
          module: "skill",
          function: "layers",
          kwargs: {},
          sources: { "skill.py": source },
        }) + "\n",
      ),
    );
    while (result === undefined) {
      const line = await within(
        "the worker's result",
        readLine(reader, buffer),
      );
      if (line === undefined) {
        assert.fail(`the worker ended without a result: ${await stderr}`);
      }
      const message = JSON.parse(line);
      if (message.__type__ === "result") result = message;
    }
  } finally {
    await writer.close().catch(() => {});
    await reader.cancel().catch(() => {});
    try {
      child.kill("SIGKILL");
    } catch { /* exited */ }
    await within("the worker's exit", child.status);
    await stderr;
    await release();
  }
  assert.equal(result.ok, true, JSON.stringify(result));
  return result.value as Record<string, unknown>;
}

Deno.test("the worker's own layer alone (AGENTOS_SANDBOX=none): hard rlimits and its seccomp filter refuse processes and programs, threads still run", async () => {
  const sandbox = await Sandbox.open({
    python: realPython(),
    sdkDir: PYTHON_SOURCE_DIR,
    limits: LIMITS,
    env: (name) => name === "AGENTOS_SANDBOX" ? "none" : undefined,
  });
  try {
    assert.equal(sandbox.kind, "none", sandbox.detail);
    assert.equal(sandbox.status().processCreation, "refused (seccomp)");
    const seen = await probeWorker(sandbox);
    // Nothing of the engine's: no bubblewrap, no filter but the worker's.
    assert.equal(seen.seccompFilters, 1);
    assert.equal(seen.noNewPrivs, true);
    assert.deepEqual(seen.rlimits, exact(LIMITS, LIMITS.processes));
    assert.equal(seen.fork, "EAGAIN");
    assert.equal(seen.spawn, "EAGAIN");
    assert.equal(seen.exec, "EPERM");
    assert.equal(seen.clone3, "ENOSYS");
    assert.equal(seen.thread, "ok");
  } finally {
    await sandbox.close();
  }
});

const bwrapMissing = await new Deno.Command("bwrap", {
  args: ["--version"],
  stdout: "null",
  stderr: "null",
}).output().then(
  (out) => out.success ? undefined : "bwrap --version fails here",
  () => "bubblewrap is not installed",
);

Deno.test({
  name:
    `the engine's layer alone, around an interpreter that installs nothing: launcher rlimits, one seccomp filter refusing what it names${
      bwrapMissing ? `: skipped, ${bwrapMissing}` : ""
    }`,
  ignore: bwrapMissing !== undefined,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const sandbox = await Sandbox.open({
      python: realPython(),
      sdkDir: PYTHON_SOURCE_DIR,
      limits: LIMITS,
      env: () => undefined,
      filterPath: `${dir}/seccomp.bpf`,
    });
    try {
      assert.equal(sandbox.kind, "bubblewrap", sandbox.detail);
      // After the report, the interpreter replaces itself: the engine's
      // filter lets execve through (the worker's own refuses it).
      const source = `${PROBE}
import json
sys.stdout.write(json.dumps(probe()) + "\\n")
sys.stdout.flush()
os.execv(sys.executable, [sys.executable, "-I", "-S", "-c", "print('executed')"])
`;
      const { program, args, env, cwd, release } = sandbox.command({
        kind: "script",
        source,
        files: [],
      });
      assert.ok(!args.includes("--no-fork") && !args.includes("--limits"));
      const output = await within(
        "the confined interpreter",
        new Deno.Command(program, {
          args,
          env,
          cwd,
          clearEnv: true,
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }).output(),
      ).finally(release);
      const stderr = new TextDecoder().decode(output.stderr);
      assert.ok(output.success, stderr);
      const [report = "", executed] = new TextDecoder().decode(output.stdout)
        .split("\n");
      assert.equal(executed, "executed", stderr);
      const seen = JSON.parse(report);
      // Exactly one filter: the engine's, installed by bubblewrap.
      assert.equal(seen.seccompFilters, 1);
      assert.equal(seen.noNewPrivs, true);
      assert.equal(seen.uid, 65534);
      // Who the process is, as /proc/self/status says it: nobody's group,
      // no supplementary group, and no capability in any set (a root
      // engine's sandbox starts with CAP_SETUID and CAP_SETGID, which
      // setpriv must shed, the inheritable set included).
      assert.equal(seen.gid, 65534);
      assert.deepEqual(seen.groups, []);
      const nobody = "65534\t65534\t65534\t65534";
      assert.deepEqual(seen.ids, { Uid: nobody, Gid: nobody, Groups: "" });
      assert.equal(seen.pdeathsig, 9);
      const none = "0000000000000000";
      assert.deepEqual(seen.caps, {
        CapInh: none,
        CapPrm: none,
        CapEff: none,
        CapAmb: none,
      });
      // A root engine's workers share uid 65534 outside: RLIMIT_NPROC is a
      // host-wide ceiling there, and pids.max is the per-call cap.
      const root = (await readHostFacts("/bin/sh")).uid === 0;
      assert.deepEqual(
        seen.rlimits,
        exact(LIMITS, root ? 4096 : LIMITS.processes),
      );
      assert.deepEqual(
        {
          fork: seen.fork,
          spawn: seen.spawn,
          thread: seen.thread,
          exec: seen.exec,
          ptrace: seen.ptrace,
          clone3: seen.clone3,
          memfd: seen.memfd,
          inet: seen.inet,
          unix: seen.unix,
          pdeathsigTerm: seen.pdeathsigTerm,
          pdeathsigKill: seen.pdeathsigKill,
        },
        {
          fork: "EAGAIN",
          spawn: "EAGAIN",
          thread: "ok",
          exec: "ENOENT", // allowed: the path does not exist
          ptrace: "EPERM",
          clone3: "ENOSYS",
          memfd: "EPERM",
          inet: "EAFNOSUPPORT",
          unix: "ok",
          pdeathsigTerm: "EPERM",
          pdeathsigKill: "ok",
        },
      );
    } finally {
      await sandbox.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    `both layers, a worker started as the engine starts it: nobody with no group and no capability, killed with its parent, both filters, the launcher's rlimits${
      bwrapMissing ? `: skipped, ${bwrapMissing}` : ""
    }`,
  ignore: bwrapMissing !== undefined,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const sandbox = await Sandbox.open({
      python: realPython(),
      sdkDir: PYTHON_SOURCE_DIR,
      limits: LIMITS,
      env: () => undefined,
      filterPath: `${dir}/seccomp.bpf`,
    });
    try {
      assert.equal(sandbox.kind, "bubblewrap", sandbox.detail);
      const root = (await readHostFacts("/bin/sh")).uid === 0;
      if (root) {
        // A root engine's worker becomes nobody itself, first thing:
        // no setpriv in its sandbox (one program start less per call).
        const { args, release } = sandbox.command({ kind: "worker" });
        await release();
        assert.ok(!args.some((arg) => arg.includes("setpriv")), `${args}`);
        const at = args.indexOf("--become");
        assert.deepEqual(args.slice(at, at + 2), ["--become", "65534"]);
      }
      const seen = await probeWorker(sandbox);
      // Real, effective, saved and filesystem ids alike, as the kernel
      // keeps them; no supplementary group; no capability in any set
      // (a root engine's interpreter starts with CAP_SETUID and
      // CAP_SETGID in each, the inheritable and ambient sets included).
      const nobody = "65534\t65534\t65534\t65534";
      assert.deepEqual(seen.ids, { Uid: nobody, Gid: nobody, Groups: "" });
      assert.equal(seen.uid, 65534);
      assert.equal(seen.gid, 65534);
      assert.deepEqual(seen.groups, []);
      const none = "0000000000000000";
      assert.deepEqual(seen.caps, {
        CapInh: none,
        CapPrm: none,
        CapEff: none,
        CapAmb: none,
      });
      // The change of uid clears the parent-death signal: set again.
      assert.equal(seen.pdeathsig, 9);
      // A root engine's worker changed its uid itself, which leaves it not
      // dumpable by its user (0, or 2 where fs.suid_dumpable is 2; never
      // 1): no other process of uid 65534 may ptrace it or read its
      // memory (that takes CAP_SYS_PTRACE), whatever Yama allows.
      if (root) assert.notEqual(seen.dumpable, 1);
      // The engine's filter and the worker's own.
      assert.equal(seen.seccompFilters, 2);
      assert.equal(seen.noNewPrivs, true);
      assert.deepEqual(
        seen.rlimits,
        exact(LIMITS, root ? 4096 : LIMITS.processes),
      );
      assert.deepEqual(
        { fork: seen.fork, exec: seen.exec, thread: seen.thread },
        { fork: "EAGAIN", exec: "EPERM", thread: "ok" },
      );
    } finally {
      await sandbox.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
