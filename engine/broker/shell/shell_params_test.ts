/**
 * What `shell.run` reads from a dispatch, each bound at itself and one
 * past it: the program's name (or its path in the program directories),
 * the argv list (256 arguments, 1 MiB in all), a text's length and NUL,
 * the timeout (30 s by default, at most 300 s), the working directory
 * inside the grant, a credential placeholder in any case, and the program
 * rules looked up by the file a grant resolved to.
 */
import assert from "node:assert/strict";
import { ErrorCode, RpcError } from "../../errors.ts";
import type { RunGrant } from "../../grants/mod.ts";
import { grantedCaller, withShellBroker } from "./_test_shell.ts";
import {
  argList,
  programName,
  refuseByRule,
  refuseCredentials,
  seconds,
  text,
  workingDirectory,
} from "./shell_params.ts";

const MIB = 1024 * 1024;

function refused(fn: () => unknown, code = ErrorCode.InvalidParams): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof RpcError, String(error));
    assert.equal(error.code, code, error.message);
    return true;
  });
}

Deno.test("programName(): a name as given (cut to 100), or a path in /usr/local/bin, /usr/bin or /bin", () => {
  assert.equal(programName("git"), "git");
  assert.equal(programName("g".repeat(150)), "g".repeat(100));
  for (const dir of ["/usr/local/bin", "/usr/bin", "/bin"]) {
    assert.equal(programName(`${dir}/security`), "security", dir);
  }
  for (
    const value of [
      "",
      5,
      undefined,
      "/tmp/git",
      "/usr/bin/x/git",
      "usr/bin/git",
    ]
  ) {
    refused(() => programName(value), ErrorCode.InvalidParams);
  }
});

Deno.test("argList(): at most 256 arguments and 1 MiB of them in all, strings only", () => {
  assert.deepEqual(argList(undefined), []);
  assert.deepEqual(argList(null), []);
  assert.equal(argList(Array(256).fill("a")).length, 256);
  refused(() => argList(Array(257).fill("a")));
  refused(() => argList("a b"));
  refused(() => argList([1]));
  assert.equal(argList(["a".repeat(MIB)])[0]!.length, MIB);
  assert.equal(argList(["a".repeat(MIB - 1), "b"]).length, 2);
  refused(() => argList(["a".repeat(MIB), "b"]));
  refused(() => argList(["a".repeat(MIB + 1)]));
});

Deno.test("text(): a string of at most max characters, without NUL", () => {
  assert.equal(text("abc", "input", 3), "abc");
  refused(() => text("abcd", "input", 3));
  refused(() => text("a\0b", "input", 3));
  refused(() => text(3, "input", 3));
});

Deno.test("seconds(): 30 by default, any positive number, at most 300", () => {
  assert.equal(seconds(undefined), 30);
  assert.equal(seconds(null), 30);
  assert.equal(seconds(0.5), 0.5);
  assert.equal(seconds(300), 300);
  assert.equal(seconds(301), 300);
  for (const value of [0, -1, Number.NaN, "5", true]) {
    refused(() => seconds(value));
  }
});

Deno.test("workingDirectory(): inside the granted directory only, ~ the owner's home", () => {
  const grant: RunGrant = {
    path: "/usr/bin/git",
    config: [],
    net: false,
    cwd: "/work/repo",
    home: "/home/o",
  };
  const inside: [unknown, string][] = [
    [undefined, "/work/repo"],
    [null, "/work/repo"],
    ["", "/work/repo"],
    ["/work/repo", "/work/repo"],
    ["/work/repo/", "/work/repo"],
    ["/work/repo/sub", "/work/repo/sub"],
    ["sub/dir", "/work/repo/sub/dir"],
    [`/work/repo/${"d".repeat(4085)}`, `/work/repo/${"d".repeat(4085)}`],
  ];
  for (const [requested, path] of inside) {
    assert.equal(
      workingDirectory("s", "git", grant, requested),
      path,
      String(requested),
    );
  }
  for (
    const requested of [
      "/work/repo2",
      "/work",
      "/",
      "../x",
      "/work/repo/../x",
      "~/x",
      `/work/repo/${"d".repeat(4086)}`,
    ]
  ) {
    refused(
      () => workingDirectory("s", "git", grant, requested),
      requested.length > 4096 ? ErrorCode.InvalidParams : ErrorCode.Forbidden,
    );
  }
  assert.throws(
    () => workingDirectory("s", "git", grant, "/".repeat(4097)),
    /^RpcError: shell\.run "cwd" is longer than 4096 characters$/,
  );
  // A directory granted as `/`: `/` itself, trailing slashes and all.
  const root = { ...grant, cwd: "/" };
  assert.equal(workingDirectory("s", "git", root, "/"), "/");
  assert.equal(workingDirectory("s", "git", root, "//"), "/");
  const home = { ...grant, cwd: "/home/o/code" };
  assert.equal(
    workingDirectory("s", "git", home, "~/code/x"),
    "/home/o/code/x",
  );
  // Without a granted directory: its private /tmp, nowhere else.
  const none: RunGrant = { path: "/usr/bin/git", config: [], net: false };
  assert.equal(workingDirectory("s", "git", none, undefined), "/tmp");
  for (const requested of ["/tmp", "sub"]) {
    assert.throws(
      () => workingDirectory("s", "git", none, requested),
      (error: RpcError) =>
        error.code === ErrorCode.Forbidden &&
        error.message.includes("only in its private /tmp") &&
        error.message.endsWith(
          "the owner can grant a directory: agentos skills allow s --run git --cwd DIR",
        ),
    );
  }
  assert.throws(
    () => workingDirectory("s", "git", grant, "/etc"),
    (error: RpcError) =>
      error.message ===
        'Skill "s" may run "git" only in /work/repo, not in "/etc"',
  );
});

Deno.test("refuseCredentials(): a placeholder in any argument, in any case, is refused", () => {
  const placeholder = `agentos-secret-${"ab".repeat(16)}`;
  refuseCredentials("s", "git", ["log", "-1"]);
  for (const part of [placeholder, `x=${placeholder.toUpperCase()}`]) {
    refused(
      () => refuseCredentials("s", "git", ["log", part]),
      ErrorCode.Forbidden,
    );
  }
});

Deno.test("refuseByRule(): the rule of the file a grant resolved to applies under any name", () => {
  const grant: RunGrant = { path: "/usr/bin/git", config: [], net: false };
  refuseByRule("s", "mygit", grant, ["status"]);
  assert.throws(
    () => refuseByRule("s", "mygit", grant, ["-c", "alias.x=!sh", "x"]),
    (error: RpcError) =>
      error.code === ErrorCode.Forbidden &&
      error.message.startsWith('Skill "s" may not run git with "-c": '),
  );
});

Deno.test("shell.run: the input is at most 4 MiB, refused past it before anything runs", () =>
  withShellBroker(async (broker) => {
    const caller = grantedCaller("wc", "/usr/bin/wc");
    const max = 4 * MIB;
    const { value } = await broker.run(caller, {
      binary: "wc",
      args: ["-c"],
      input: "a".repeat(max),
    });
    assert.equal(value.stdout.trim(), String(max));
    await assert.rejects(
      broker.run(caller, {
        binary: "wc",
        args: ["-c"],
        input: "a".repeat(max + 1),
      }),
      /shell\.run "input" is longer than 4194304 characters/,
    );
  }));
