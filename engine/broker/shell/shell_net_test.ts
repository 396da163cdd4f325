/**
 * `shell.run --net` seen from inside a real confined program (a real
 * Sandbox, real bubblewrap, the host's real curl) talking to real servers
 * on 127.0.0.1: a granted program gets its own network namespace whose
 * only way out is the engine's proxy, which applies the skill's egress
 * set, the owner's host grants, the address guard (connecting to the
 * address it checked) and writes an audit line per connection; the
 * host's abstract Unix sockets are out of reach; without `--net` there is
 * no network at all.
 */
import assert from "node:assert/strict";
import { realPython } from "../../../tests/_task_command.ts";
import { CallCredentials } from "../credentials/mod.ts";
import type { AuditEntry } from "../../audit/mod.ts";
import type { EgressSubject } from "../../grants/mod.ts";
import { ShellBroker, type ShellResult } from "./mod.ts";
import { openTestSandbox } from "../../../tests/_sandbox.ts";

interface NetRun {
  /** Runs curl with these arguments, granted `--net` unless `net` is false. */
  curl(
    args: string[],
    egress: Partial<EgressSubject["egress"]>,
    hosts: string[],
    net?: boolean,
  ): Promise<ShellResult>;
  /** Runs /usr/bin/<program> (or `path`) with these arguments, nothing granted but `net`. */
  run(
    program: string,
    args: string[],
    net: boolean,
    path?: string,
  ): Promise<ShellResult>;
  audit: AuditEntry[];
}

/** Names the test resolver knows (nothing here asks a real DNS server). */
const NAMES: Record<string, string[]> = {
  "pinned.test": ["127.0.0.1"],
};

async function withNet(fn: (run: NetRun) => Promise<void>): Promise<void> {
  const dir = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "agentos-shell-net-" }),
  );
  const sandbox = await openTestSandbox(dir);
  try {
    assert.equal(sandbox.kind, "bubblewrap", sandbox.detail);
    const broker = new ShellBroker({
      sandbox,
      socketDir: `${dir}/run`,
      resolve: (host) => Promise.resolve(NAMES[host] ?? []),
    });
    const audit: AuditEntry[] = [];
    const curl = async (
      args: string[],
      egress: Partial<EgressSubject["egress"]>,
      hosts: string[],
      net = true,
    ) =>
      (await broker.run({
        skillId: "s",
        declared: ["curl"],
        grants: { curl: { path: "/usr/bin/curl", config: [], net } },
        credentials: new CallCredentials(true),
        egress: {
          skillId: "s",
          egress: { hosts: [], domains: [], openWeb: false, ...egress },
          grants: { hosts, openWeb: false },
        },
        audit: (entry) => audit.push(entry),
      }, {
        binary: "curl",
        args: ["-sS", "--max-time", "10", ...args],
      })).value;
    const run = async (
      program: string,
      args: string[],
      net: boolean,
      path = `/usr/bin/${program}`,
    ) =>
      (await broker.run({
        skillId: "s",
        declared: [program],
        grants: { [program]: { path, config: [], net } },
        credentials: new CallCredentials(true),
        audit: (entry) => audit.push(entry),
      }, { binary: program, args })).value;
    await fn({ curl, run, audit });
  } finally {
    await sandbox.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** A real HTTP server on 127.0.0.1 that answers with the path it got and counts requests. */
function recordingServer() {
  const seen: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) => {
      const url = new URL(request.url);
      seen.push(url.pathname);
      return new Response(`served ${url.pathname}`);
    },
  );
  return {
    port: server.addr.port,
    seen,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

Deno.test("shell.run --net: a granted curl reaches the 127.0.0.1 server the owner granted, through the engine's proxy, plain and tunnelled, each connection audited", () =>
  withNet(async ({ curl, audit }) => {
    await using server = recordingServer();
    const grant = [`127.0.0.1:${server.port}`];
    const url = `http://127.0.0.1:${server.port}`;
    const plain = await curl([`${url}/plain`], {}, grant);
    assert.equal(plain.exit_code, 0, plain.stderr);
    assert.equal(plain.stdout, "served /plain");
    // --proxytunnel: the CONNECT path https clients (git, gh) take.
    const tunnelled = await curl(["--proxytunnel", `${url}/tunnel`], {}, grant);
    assert.equal(tunnelled.exit_code, 0, tunnelled.stderr);
    assert.equal(tunnelled.stdout, "served /tunnel");
    assert.deepEqual(server.seen, ["/plain", "/tunnel"]);
    const lines = audit.filter((e) => e.op === "shell.connect");
    assert.equal(lines.length, 2, JSON.stringify(audit));
    for (const line of lines) {
      assert.equal(line.status, "ok");
      assert.equal(line.target, `127.0.0.1:${server.port}`);
      assert.equal(line.checks?.egress, "owner grant");
      assert.equal(line.checks?.address, "loopback 127.0.0.1");
      assert.equal(line.checks?.program, "curl");
      assert.ok((line.bytesIn ?? 0) > 0, JSON.stringify(line));
    }
  }));

Deno.test("shell.run --net: a host outside the skill's egress set is refused with a clear error and an audit line; nothing reaches it", () =>
  withNet(async ({ curl, audit }) => {
    await using allowed = recordingServer();
    await using other = recordingServer();
    for (const tunnel of [[], ["--proxytunnel"]]) {
      const out = await curl(
        ["--fail", ...tunnel, `http://localhost:${other.port}/steal`],
        {},
        [`127.0.0.1:${allowed.port}`],
      );
      assert.notEqual(out.exit_code, 0, out.stdout);
      assert.equal(out.refused?.length, 1, JSON.stringify(out));
      assert.match(
        out.refused![0]!,
        /may not reach host "localhost": it is not in the skill's egress set/,
      );
    }
    assert.deepEqual(other.seen, []);
    const refused = audit.filter((e) =>
      e.op === "shell.connect" && e.status === "refused"
    );
    assert.equal(refused.length, 2, JSON.stringify(audit));
    assert.equal(refused[0]!.target, `localhost:${other.port}`);
    assert.equal(refused[0]!.checks?.egress, "refused");
    assert.match(refused[0]!.reason ?? "", /not in the skill's egress set/);
  }));

Deno.test("shell.run --net: a declared host that is a loopback address is refused by the address guard without the owner's host:port grant", () =>
  withNet(async ({ curl, audit }) => {
    await using server = recordingServer();
    // Declared (a connection's base_url), so egress passes; only the
    // address guard stands between the program and the host's loopback.
    const out = await curl(
      ["--fail", `http://127.0.0.1:${server.port}/declared`],
      { hosts: ["127.0.0.1"] },
      [],
    );
    assert.notEqual(out.exit_code, 0);
    assert.match(out.refused?.[0] ?? "", /resolves to loopback address/);
    assert.deepEqual(server.seen, []);
    const line = audit.find((e) => e.op === "shell.connect")!;
    assert.equal(line.status, "refused");
    assert.equal(line.checks?.egress, "declared host");
    assert.equal(line.checks?.address, "refused");
  }));

Deno.test("shell.run --net: the proxy connects to the address it checked, never to a fresh lookup of the name", () =>
  withNet(async ({ curl, audit }) => {
    await using server = recordingServer();
    const out = await curl(
      [`http://pinned.test:${server.port}/pinned`],
      {},
      [`pinned.test:${server.port}`],
    );
    assert.equal(out.exit_code, 0, out.stderr);
    assert.equal(out.stdout, "served /pinned");
    const line = audit.find((e) => e.op === "shell.connect")!;
    assert.equal(line.checks?.address, "loopback 127.0.0.1");
  }));

/**
 * A host process listening on an abstract Unix socket (as X11, D-Bus and
 * container runtimes do); resolves with whether anything connected.
 */
async function abstractListener(name: string) {
  const child = new Deno.Command(realPython(), {
    args: [
      "-c",
      `import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind("\\0" + sys.argv[1])
s.listen()
print("ready", flush=True)
s.accept()
print("reached", flush=True)`,
      name,
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("ready")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the abstract listener did not start");
    text += value;
  }
  return {
    async reached(): Promise<boolean> {
      child.kill("SIGKILL");
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
      await child.status;
      return text.includes("reached");
    },
  };
}

Deno.test("shell.run: a host abstract Unix socket is out of reach, with --net and without", () =>
  withNet(async ({ curl }) => {
    for (const net of [true, false]) {
      const name = `agentos-test-${crypto.randomUUID()}`;
      const listener = await abstractListener(name);
      const out = await curl(
        ["--abstract-unix-socket", name, "http://x/"],
        {},
        [],
        net,
      );
      assert.equal(await listener.reached(), false, `net ${net}`);
      assert.notEqual(out.exit_code, 0);
    }
  }));

Deno.test("shell.run without --net: no network at all, not even to a host the skill may reach", () =>
  withNet(async ({ curl, audit }) => {
    await using server = recordingServer();
    const grant = [`127.0.0.1:${server.port}`];
    const url = `http://127.0.0.1:${server.port}/none`;
    const direct = await curl([url], {}, grant, false);
    assert.equal(direct.exit_code, 7, direct.stderr);
    // Naming a proxy does not help: there is none and no route anywhere.
    const proxied = await curl(
      ["--proxy", "http://127.0.0.1:8080", url],
      {},
      grant,
      false,
    );
    assert.notEqual(proxied.exit_code, 0);
    assert.deepEqual(server.seen, []);
    assert.deepEqual(audit, []);
  }));

Deno.test("shell.run: without --net the filter refuses IPv4 and IPv6 sockets outright; with it they open (inside the private namespace)", () =>
  withNet(async ({ run }) => {
    // The namespace, empty as well, is tested alone in shell_broker_test.ts.
    const probe = [
      "-I",
      "-c",
      `import socket
for family in (socket.AF_INET, socket.AF_INET6):
    try:
        socket.socket(family).close()
        print("open")
    except OSError as error:
        print(error.strerror)`,
    ];
    const without = await run("python3", probe, false);
    assert.equal(
      without.stdout,
      "Address family not supported by protocol\n".repeat(2),
      without.stderr,
    );
    const granted = await run("python3", probe, true);
    assert.equal(granted.stdout, "open\nopen\n", granted.stderr);
  }));

Deno.test("shell.run --net: a program that ignores the proxy variables reaches nothing: its namespace is private, only the proxy leads out", () =>
  withNet(async ({ curl, audit }) => {
    await using server = recordingServer();
    const out = await curl(
      ["-v", "--noproxy", "*", `http://127.0.0.1:${server.port}/direct`],
      {},
      [`127.0.0.1:${server.port}`],
    );
    // The filter allows IPv4 here: only the private namespace answers.
    assert.equal(out.exit_code, 7, out.stderr);
    assert.match(out.stderr, /Connection refused/);
    assert.deepEqual(server.seen, []);
    assert.deepEqual(audit, []);
  }));

Deno.test("shell.run --net: the forwarder's interpreter sees its own library, not whatever Python the host has under /usr", () =>
  withNet(async ({ run }) => {
    // A `--net` program starts behind the forwarder, which runs on the
    // engine's interpreter with its directories bound read-only; the
    // same interpreter run as the program shows what it found. Where the
    // interpreter lives outside the system directories (pyenv, a built
    // Python), a missing bind shows as a prefix that falls back to /usr
    // (a same-version system Python hid that here) or as no start at all.
    const python = await Deno.realPath(realPython());
    const probe = ["-I", "-S", "-c", "import sys; print(sys.prefix)"];
    const host = new TextDecoder().decode(
      (await new Deno.Command(python, { args: probe }).output()).stdout,
    );
    const inside = await run("python", probe, true, python);
    assert.equal(inside.exit_code, 0, inside.stderr);
    assert.equal(inside.stdout, host);
  }));
