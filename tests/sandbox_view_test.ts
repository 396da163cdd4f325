/**
 * What a skill's worker sees, read back from inside a real sandbox (the
 * bubblewrap arguments of engine/sandbox/bwrap_argv.ts, as the engine
 * builds them): its own namespaces, hostname, session and pid 1; exactly
 * the worker's environment, `HOME` and the working directory in the
 * private `/tmp`; `/`, `/dev`, `/proc/sys` and the SDK read-only; `/tmp`
 * and `/dev/shm` size-capped tmpfs, sticky and writable by anyone; no
 * capability, no new privileges, the seccomp filter on.
 */
import assert from "node:assert/strict";
import { within } from "./_wait.ts";
import { openTestSandbox } from "./_sandbox.ts";
import { SDK_MOUNT } from "../engine/sandbox/mod.ts";

const PROBE = String.raw`
import json, os, socket, stat

mounts = {}
with open("/proc/self/mountinfo") as file:
    for line in file:
        fields = line.split()
        sep = fields.index("-")
        mounts[fields[4]] = {
            "options": fields[5].split(","),
            "type": fields[sep + 1],
            "super": fields[sep + 3].split(","),
        }
status = {}
with open("/proc/self/status") as file:
    for line in file:
        name, _, value = line.partition(":")
        status[name] = value.strip()

def mode(path):
    try:
        return oct(stat.S_IMODE(os.stat(path).st_mode))
    except OSError as error:
        return error.strerror

json.dump({
    "hostname": socket.gethostname(),
    "env": dict(os.environ),
    "cwd": os.getcwd(),
    "pid": os.getpid(),
    "sid": os.getsid(0),
    "ns": {n: os.readlink("/proc/self/ns/" + n) for n in ["ipc", "pid", "net", "uts", "cgroup"]},
    "modes": {p: mode(p) for p in ["/tmp", "/dev/shm"]},
    "mounts": mounts,
    "status": {k: status.get(k) for k in ["NoNewPrivs", "Seccomp", "CapEff", "CapPrm", "CapBnd"]},
}, __import__("sys").stdout)
`;

interface Mount {
  options: string[];
  type: string;
  super: string[];
}

interface View {
  hostname: string;
  env: Record<string, string>;
  cwd: string;
  pid: number;
  sid: number;
  ns: Record<string, string>;
  modes: Record<string, string>;
  mounts: Record<string, Mount>;
  status: Record<string, string>;
}

async function probe(): Promise<View> {
  const dir = await Deno.makeTempDir({ prefix: "agentos-view-" });
  const sandbox = await openTestSandbox(dir);
  try {
    assert.equal(sandbox.kind, "bubblewrap", sandbox.detail);
    const command = sandbox.command({
      kind: "script",
      source: PROBE,
      files: [],
    });
    const output = await within(
      "the confined probe",
      new Deno.Command(command.program, {
        args: command.args,
        env: command.env,
        cwd: command.cwd,
        clearEnv: true,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output(),
    ).finally(command.release);
    const stderr = new TextDecoder().decode(output.stderr);
    assert.ok(output.success, stderr);
    return JSON.parse(new TextDecoder().decode(output.stdout));
  } finally {
    await sandbox.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** Whether the host has a path (the `--ro-bind-try` binds). */
async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

Deno.test("a worker's own namespaces, hostname, session and pid 1, and exactly the worker's environment", async () => {
  const view = await probe();
  assert.equal(view.hostname, "agentos-skill");
  assert.deepEqual(view.env, {
    PATH: "/usr/bin:/bin",
    LANG: "C.UTF-8",
    LC_ALL: "C.UTF-8",
    HOME: "/tmp",
    PWD: "/tmp",
  });
  assert.equal(view.cwd, "/tmp");
  // --as-pid-1 and --new-session: the interpreter is pid 1 and leads its
  // own session (a session outside the pid namespace would read as 0).
  assert.equal(view.pid, 1);
  assert.equal(view.sid, 1);
  for (const ns of ["ipc", "pid", "net", "uts", "cgroup"]) {
    const host = await Deno.readLink(`/proc/self/ns/${ns}`);
    assert.notEqual(view.ns[ns], host, `${ns} namespace shared with the host`);
  }
  assert.deepEqual(view.status, {
    NoNewPrivs: "1",
    Seccomp: "2",
    CapEff: "0000000000000000",
    CapPrm: "0000000000000000",
    CapBnd: view.status.CapBnd,
  });
});

Deno.test("a worker's mounts: / and /dev read-only, /proc/sys covered, /tmp and /dev/shm capped and sticky", async () => {
  const view = await probe();
  const mount = (path: string) => {
    const found = view.mounts[path];
    assert.ok(found, `${path} is not a mount point inside`);
    return found;
  };
  for (const path of ["/", "/dev", "/proc/sys", SDK_MOUNT]) {
    assert.ok(mount(path).options.includes("ro"), `${path} is writable`);
  }
  assert.equal(mount("/").type, "tmpfs");
  for (const path of ["/proc/sysrq-trigger", "/usr/share/zoneinfo"]) {
    if (await exists(path)) {
      assert.ok(mount(path).options.includes("ro"), `${path} is writable`);
    } else assert.equal(view.mounts[path], undefined, path);
  }
  const tmpfs: [string, string][] = [
    ["/tmp", "size=65536k"],
    ["/dev/shm", "size=16384k"],
  ];
  for (const [path, size] of tmpfs) {
    const found = mount(path);
    assert.equal(found.type, "tmpfs", path);
    assert.ok(found.options.includes("rw"), path);
    assert.ok(found.super.includes(size), `${path}: ${found.super}`);
    assert.equal(view.modes[path], "0o1777", path);
  }
});
