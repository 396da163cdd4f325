/**
 * shellArgv()'s `--net` preconditions: a program granted the network
 * starts behind the forwarder, which needs both the call's proxy socket
 * and the engine's interpreter; lacking either, no command line is made
 * (rather than one that binds nothing, or runs the program with the
 * proxy variables pointing nowhere). Without `--net` it needs neither.
 */
import assert from "node:assert/strict";
import { shellArgv, type ShellArgvOptions } from "./shell_argv.ts";

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
  const argv = shellArgv(options({
    program: "/bin/sh",
    args: [
      "-c",
      `${probe}; touch /usr/agentos-probe 2>/dev/null && echo wrote; true`,
    ],
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
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  assert.deepEqual(
    new TextDecoder().decode(out.stdout).trim().split("\n"),
    onHost,
    stderr,
  );
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
