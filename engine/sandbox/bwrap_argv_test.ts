import assert from "node:assert/strict";
import { bwrapArgv, type BwrapArgvOptions } from "./bwrap_argv.ts";
import { identityFlags } from "./sandbox_identity.ts";
import type { PythonRuntime } from "./python_runtime.ts";

const MERGED_USR: PythonRuntime = {
  executable: "/opt/py/bin/python3.11",
  prefixes: ["/opt/py"],
  version: "3.11.7",
  machine: "x86_64",
  layout: {
    "/usr/lib": { kind: "dir" },
    "/usr/lib64": { kind: "dir" },
    "/lib": { kind: "symlink", target: "usr/lib" },
    "/lib64": { kind: "symlink", target: "usr/lib64" },
  },
};

function argv(overrides: Partial<BwrapArgvOptions> = {}): string[] {
  return bwrapArgv({
    runtime: MERGED_USR,
    sdkDir: "/repo/python",
    identity: "userns",
    tmpBytes: 1024,
    shmBytes: 512,
    seccomp: true,
    pythonArgs: ["-I", "-S", "/sdk/worker_main.py"],
    ...overrides,
  });
}

/** The `[flag, ...operands]` groups of an argv, for order-free checks. */
function pairs(args: string[], flag: string, arity: number): string[][] {
  const out: string[][] = [];
  args.forEach((arg, i) => {
    if (arg === flag) out.push(args.slice(i + 1, i + 1 + arity));
  });
  return out;
}

Deno.test("bwrapArgv() unshares every namespace, drops to nobody and clears the environment", () => {
  const args = argv();
  for (
    const flag of [
      "--unshare-ipc",
      "--unshare-pid",
      "--unshare-net",
      "--unshare-uts",
      "--unshare-cgroup",
      "--as-pid-1",
      "--unshare-user",
      "--disable-userns",
      "--die-with-parent",
      "--new-session",
      "--clearenv",
    ]
  ) {
    assert.ok(args.includes(flag), flag);
  }
  assert.deepEqual(pairs(args, "--uid", 1), [["65534"]]);
  assert.deepEqual(pairs(args, "--cap-drop", 1), [["ALL"]]);
  assert.deepEqual(pairs(args, "--setenv", 2).map(([name]) => name), [
    "PATH",
    "LANG",
    "LC_ALL",
    "HOME",
  ]);
  assert.ok(!args.includes("--share-net"));
});

Deno.test("bwrapArgv() binds only the prefix, the library paths and the SDK, read-only", () => {
  const args = argv();
  assert.deepEqual(pairs(args, "--ro-bind", 2), [
    ["/usr/lib", "/usr/lib"],
    ["/usr/lib64", "/usr/lib64"],
    ["/opt/py", "/opt/py"],
    ["/repo/python", "/sdk"],
    ["/proc/sys", "/proc/sys"],
  ]);
  assert.deepEqual(pairs(args, "--ro-bind-try", 2), [
    ["/usr/share/zoneinfo", "/usr/share/zoneinfo"],
    ["/etc/localtime", "/etc/localtime"],
    ["/proc/sysrq-trigger", "/proc/sysrq-trigger"],
  ]);
  assert.deepEqual(pairs(args, "--remount-ro", 1), [["/dev"], ["/"]]);
  assert.deepEqual(pairs(args, "--symlink", 2), [
    ["usr/lib", "/lib"],
    ["usr/lib64", "/lib64"],
  ]);
  assert.deepEqual(pairs(args, "--bind", 2), []);
  // Every writable mount has a size: /tmp and /dev/shm, nothing else.
  assert.deepEqual(pairs(args, "--size", 3), [
    ["1024", "--tmpfs", "/tmp"],
    ["512", "--tmpfs", "/dev/shm"],
  ]);
  assert.deepEqual(pairs(args, "--tmpfs", 1), [["/tmp"], ["/dev/shm"]]);
  assert.deepEqual(pairs(args, "--seccomp", 1), [["3"]]);
  assert.deepEqual(pairs(args, "--chdir", 1), [["/tmp"]]);
  assert.deepEqual(args.slice(args.indexOf("--")), [
    "--",
    "/opt/py/bin/python3.11",
    "-I",
    "-S",
    "/sdk/worker_main.py",
  ]);
});

Deno.test("bwrapArgv() skips library paths inside a bound prefix and nested prefixes", () => {
  const args = argv({
    runtime: {
      ...MERGED_USR,
      executable: "/usr/bin/python3.11",
      prefixes: ["/usr", "/usr/local/venv"],
      layout: { "/usr/lib": { kind: "dir" }, "/lib64": { kind: "missing" } },
    },
  });
  assert.deepEqual(pairs(args, "--ro-bind", 2), [
    ["/usr", "/usr"],
    ["/repo/python", "/sdk"],
    ["/proc/sys", "/proc/sys"],
  ]);
});

Deno.test("bwrapArgv() binds the interpreter's directory when it lies outside every prefix", () => {
  const args = argv({
    runtime: { ...MERGED_USR, executable: "/elsewhere/bin/python3" },
  });
  assert.ok(
    pairs(args, "--ro-bind", 2).some(([from]) => from === "/elsewhere/bin"),
  );
});

Deno.test("bwrapArgv() binds a skill directory at /skill only when asked, and can do without a user namespace", () => {
  assert.ok(!argv().includes("/skill"));
  const args = argv({ skillDir: "/home/me/my-skill", identity: "plain" });
  assert.deepEqual(pairs(args, "--ro-bind", 2).at(-2), [
    "/home/me/my-skill",
    "/skill",
  ]);
  assert.ok(!args.includes("--unshare-user"));
  assert.ok(!args.includes("--uid"));
});

Deno.test("bwrapArgv() for a root engine: no user namespace, setpriv to nobody before the interpreter, only SETUID/SETGID kept for it", () => {
  const args = argv({ identity: "setpriv", setpriv: "/usr/bin/setpriv" });
  assert.ok(!args.includes("--unshare-user"));
  assert.ok(!args.includes("--uid"));
  assert.deepEqual(pairs(args, "--cap-add", 1), [["CAP_SETUID"], [
    "CAP_SETGID",
  ]]);
  assert.ok(
    pairs(args, "--ro-bind", 2).some(([from, to]) =>
      from === "/usr/bin/setpriv" && to === "/.agentos/setpriv"
    ),
  );
  assert.deepEqual(args.slice(args.indexOf("--") + 1, args.indexOf("--") + 9), [
    "/.agentos/setpriv",
    "--reuid=65534",
    "--regid=65534",
    "--clear-groups",
    "--inh-caps=-all",
    "--pdeathsig=SIGKILL",
    "--",
    "/opt/py/bin/python3.11",
  ]);
  // The parents bubblewrap would make 0700 for root are made 0755.
  assert.deepEqual(pairs(args, "--dir", 1), [
    ["/usr"],
    ["/opt"],
    ["/.agentos"],
    ["/usr/share"],
    ["/etc"],
  ]);
});

Deno.test("bwrapArgv(): HOME is the private /tmp; the zone database is read-only; TZ only when given", () => {
  const plain = argv();
  assert.deepEqual(pairs(plain, "--setenv", 2).at(-1), ["HOME", "/tmp"]);
  assert.ok(!pairs(plain, "--setenv", 2).some(([name]) => name === "TZ"));
  assert.ok(
    !pairs(plain, "--bind", 2).some((pair) => pair[1]?.includes("zoneinfo")),
  );
  const zoned = argv({ timeZone: "America/Chicago" });
  assert.deepEqual(pairs(zoned, "--setenv", 2).at(-1), [
    "TZ",
    "America/Chicago",
  ]);
});

Deno.test("identityFlags() drops every capability, whichever way the sandbox gets its identity", () => {
  assert.deepEqual(identityFlags("plain"), ["--cap-drop", "ALL"]);
  // setpriv needs exactly the two it uses to become nobody, nothing more.
  assert.deepEqual(identityFlags("setpriv"), [
    "--cap-drop",
    "ALL",
    "--cap-add",
    "CAP_SETUID",
    "--cap-add",
    "CAP_SETGID",
  ]);
  const userns = identityFlags("userns");
  assert.deepEqual(userns.slice(-2), ["--cap-drop", "ALL"]);
  assert.ok(userns.includes("--disable-userns"));
});
