/**
 * shellArgv()'s `--net` preconditions: a program granted the network
 * starts behind the forwarder, which needs both the call's proxy socket
 * and the engine's interpreter; lacking either, no command line is made
 * (rather than one that binds nothing, or runs the program with the
 * proxy variables pointing nowhere). Without `--net` it needs neither.
 */
import assert from "node:assert/strict";
import { PROGRAM_ENV, shellArgv, type ShellArgvOptions } from "./shell_argv.ts";

const PYTHON = { executable: "/usr/bin/python3", dirs: ["/usr"] };

function options(extra: Partial<ShellArgvOptions>): ShellArgvOptions {
  return {
    program: "/usr/bin/curl",
    args: ["https://example.com/"],
    cwd: "/tmp",
    config: [],
    net: false,
    confinement: { identity: "setpriv", seccomp: false },
    tmpBytes: 1024 * 1024,
    ...extra,
  };
}

/** Runs `script` under /bin/sh in bubblewrap with shellArgv()'s arguments alone. */
async function runInside(script: string) {
  const argv = shellArgv(options({
    program: "/bin/sh",
    args: ["-c", script],
    confinement: {
      identity: Deno.uid() === 0 ? "setpriv" : "userns",
      seccomp: false,
    },
  }));
  const out = await new Deno.Command("bwrap", {
    args: argv,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("shellArgv(): a --net program needs the proxy socket and the interpreter, each of them", () => {
  const cases: [string, Partial<ShellArgvOptions>][] = [
    ["neither", { net: true }],
    ["no socket", {
      net: true,
      confinement: { identity: "setpriv", seccomp: false, python: PYTHON },
    }],
    ["no interpreter", { net: true, netSocket: "/run/agentos/net.sock" }],
  ];
  for (const [name, extra] of cases) {
    assert.throws(
      () => shellArgv(options(extra)),
      (error: Error) =>
        error instanceof TypeError &&
        /needs the proxy socket and Python/.test(error.message),
      name,
    );
  }
  const both = shellArgv(options({
    net: true,
    netSocket: "/run/agentos/net.sock",
    confinement: { identity: "setpriv", seccomp: false, python: PYTHON },
  }));
  const at = both.indexOf("/run/agentos/net.sock");
  assert.ok(at > 0 && both[at - 1] === "--ro-bind", both.join(" "));
  assert.ok(both.includes("/usr/bin/python3"), "the forwarder runs first");
  // Without --net: no socket, no interpreter, no forwarder.
  const plain = shellArgv(options({}));
  assert.ok(!plain.includes("/usr/bin/python3"));
  assert.equal(plain.at(-2), "/usr/bin/curl");
});

/** The system directories a program sees where the host has them. */
const SYSTEM_DIRS = [
  "/usr",
  "/bin",
  "/sbin",
  "/lib",
  "/lib32",
  "/lib64",
  "/etc",
  "/opt",
];

Deno.test("shellArgv(): every system directory the host has is there inside, read-only; nothing else of the host's root is", async () => {
  const onHost: string[] = [];
  for (const dir of SYSTEM_DIRS) {
    if (await Deno.stat(dir).then(() => true, () => false)) onHost.push(dir);
  }
  const probe = [...SYSTEM_DIRS, "/root", "/home", "/srv", "/var"]
    .map((dir) => `[ -e ${dir} ] && echo ${dir}`).join("; ");
  const out = await runInside(
    `${probe}; touch /usr/agentos-probe 2>/dev/null && echo wrote; true`,
  );
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(out.stdout.trim().split("\n"), onHost, out.stderr);
});

Deno.test("shellArgv(): an engine home under any system directory is covered by an empty tmpfs (the vault key lives there)", () => {
  for (const dir of SYSTEM_DIRS) {
    const home = `${dir}/agentos-home`;
    const argv = shellArgv(options({ engineHome: home }));
    const at = argv.indexOf(home);
    assert.ok(
      at > 0 && argv[at - 1] === "--tmpfs",
      `${home}: ${argv.join(" ")}`,
    );
  }
  // Elsewhere the home is simply not bound.
  const elsewhere = shellArgv(options({ engineHome: "/var/lib/agentos" }));
  assert.ok(!elsewhere.includes("/var/lib/agentos"));
});

// (It can fail only where the host has a shadow file with content.)
Deno.test("shellArgv(): the host's shadow files are empty inside (other users' password hashes)", async () => {
  const masked = [
    "/etc/shadow",
    "/etc/gshadow",
    "/etc/shadow-",
    "/etc/gshadow-",
  ];
  // `-s`: exists with a size; a stat needs no read permission.
  const probe = masked.map((f) => `[ -s ${f} ] && echo ${f}`).join("; ");
  const out = await runInside(`${probe}; echo end`);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stdout, "end\n");
});

Deno.test("shellArgv(): a program's environment is the fixed one (UTF-8 C locale, a system PATH, a dumb terminal), nothing of the engine's", async () => {
  const out = await runInside("exec /usr/bin/env");
  assert.equal(out.code, 0, out.stderr);
  const env = Object.fromEntries(
    out.stdout.trim().split("\n").map((line) => {
      const eq = line.indexOf("=");
      return [line.slice(0, eq), line.slice(eq + 1)];
    }),
  );
  delete env.PWD; // the shell's own
  assert.deepEqual(
    {
      PATH: env.PATH,
      LANG: env.LANG,
      LC_ALL: env.LC_ALL,
      TERM: env.TERM,
      HOME: env.HOME,
    },
    {
      PATH: "/usr/local/bin:/usr/bin:/bin",
      LANG: "C.UTF-8",
      LC_ALL: "C.UTF-8",
      TERM: "dumb",
      HOME: "/tmp",
    },
  );
  // The rest is git's fixed configuration; nothing of the engine's.
  assert.deepEqual(env, { ...PROGRAM_ENV, HOME: "/tmp" });
});

Deno.test("shellArgv(): a program runs as nobody, with namespaces of its own: IPC, PID, UTS (named agentos-shell), cgroup and network", async () => {
  const kinds = ["ipc", "pid", "uts", "cgroup", "net"];
  const host: Record<string, string> = {};
  for (const kind of kinds) {
    host[kind] = await Deno.readLink(`/proc/self/ns/${kind}`);
  }
  const out = await runInside(
    kinds.map((k) => `echo ${k} $(readlink /proc/self/ns/${k})`).join("; ") +
      "; echo hostname $(cat /proc/sys/kernel/hostname); echo uid $(id -u)",
  );
  assert.equal(out.code, 0, out.stderr);
  const inside = Object.fromEntries(
    out.stdout.trim().split("\n").map((line) => line.split(" ")),
  );
  for (const kind of kinds) {
    assert.match(inside[kind] ?? "", new RegExp(`^${kind}:\\[\\d+\\]$`));
    assert.notEqual(inside[kind], host[kind], `${kind} is the host's`);
  }
  // Never root: nobody (a root engine's setpriv) or nobody-mapped (userns).
  assert.equal(inside.uid, "65534");
  // Its own host name, not the machine's.
  assert.equal(inside.hostname, "agentos-shell");
});

Deno.test("shellArgv(): a program's /tmp is private, sized, and writable by it with the sticky bit", async () => {
  const marker = await Deno.makeTempFile({
    dir: "/tmp",
    prefix: "agentos-host-",
  });
  try {
    const name = marker.slice("/tmp/".length);
    const out = await runInside(
      `stat -c %a /tmp; df -k /tmp | tail -1 | awk '{print $2}'; ` +
        `[ -e /tmp/${name} ] && echo host-tmp; echo x > /tmp/mine && echo wrote`,
    );
    assert.equal(out.code, 0, out.stderr);
    // 1 MiB asked: df counts 1024 KiB blocks.
    assert.equal(out.stdout, "1777\n1024\nwrote\n");
  } finally {
    await Deno.remove(marker);
  }
});

Deno.test("shellArgv(): a program has its own /proc and a minimal /dev", async () => {
  const out = await runInside(
    "echo $(cat /proc/self/stat | cut -d' ' -f1); " +
      "[ -c /dev/null ] && [ -c /dev/urandom ] && echo dev; " +
      "[ -e /dev/sda ] || [ -e /dev/mem ] || echo minimal",
  );
  assert.equal(out.code, 0, out.stderr);
  const [pid, ...rest] = out.stdout.trim().split("\n");
  // A pid of its own namespace (the program is 1; cat one of the next).
  assert.ok(Number(pid) > 0 && Number(pid) < 10, out.stdout);
  assert.deepEqual(rest, ["dev", "minimal"]);
});

Deno.test("shellArgv(): a --net program's interpreter under a system directory is not bound again over an engine home hidden there", () => {
  const home = "/usr/local/agentos-home";
  const argv = shellArgv(options({
    net: true,
    netSocket: "/run/agentos/net.sock",
    engineHome: home,
    confinement: {
      identity: "setpriv",
      seccomp: false,
      python: { executable: "/usr/bin/python3", dirs: ["/usr", "/srv/py"] },
    },
  }));
  const hidden = argv.lastIndexOf(home);
  assert.equal(argv[hidden - 1], "--tmpfs");
  // A later bind whose destination holds the home would show it again.
  for (let i = hidden + 1; i < argv.length - 1; i++) {
    if (!/^--(ro-)?bind(-try)?$/.test(argv[i]!)) continue;
    const dest = argv[i + 2]!;
    assert.ok(
      !(home === dest || home.startsWith(`${dest}/`)),
      `${argv[i]} ${argv[i + 1]} ${dest} after the home's tmpfs`,
    );
  }
  // The interpreter's directory outside the system ones is bound.
  const at = argv.indexOf("/srv/py");
  assert.ok(at > 0 && argv[at - 1] === "--ro-bind", argv.join(" "));
});
