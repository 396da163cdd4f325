/**
 * Every program rule (engine/grants/program_rules.ts) with a hostile
 * argument list, refused before anything starts, and a control that runs.
 * The programs are granted at `/usr/bin/echo` (gh, op, security and
 * chromium are not installed here; ssh, scp, sftp and rsync may be): without the rule, echo would run and
 * answer, so each refusal is the rule's doing. Real bubblewrap.
 */
import assert from "node:assert/strict";
import { ErrorCode, RpcError } from "../../errors.ts";
import { PROGRAM_RULES } from "../../grants/mod.ts";
import { grantedCaller, withShellBroker } from "./_test_shell.ts";

/** Per program: argument lists a hostile skill would pass, and one that must run. */
const CASES: Record<string, { hostile: string[][]; control?: string[] }> = {
  git: {
    hostile: [
      ["-c", "alias.x=!sh", "x"],
      ["--config-env=core.pager=HOME", "log"],
      ["--exec-path=/tmp", "version"],
      ["-C", "/tmp", "--git-dir=/tmp/x", "status"],
      ["clone", "--upload-pack=sh -c id", "a", "b"],
      ["clone", "-qu", "sh", "a", "b"],
      ["clone", "--config", "core.fsmonitor=sh", "a", "b"],
      ["clone", "--templ=/tmp/t", "a", "b"],
      ["fetch", "--upl=sh", "origin"],
      ["push", "--receive-pack=sh", "origin"],
      ["push", "--exec=sh", "origin"],
      ["archive", "--remote=.", "--exec=sh", "HEAD"],
      ["rebase", "-x", "sh", "HEAD~1"],
      ["rebase", "-ix", "sh"],
      ["grep", "-Osh", "x"],
      ["bisect", "run", "sh"],
      ["config", "core.hooksPath", "/tmp"],
      ["config", "--get", "x", "--add", "y"],
      // A read form as the value, not the first argument: a write.
      ["config", "--file", "f", "core.fsmonitor", "list"],
      ["config", "core.fsmonitor", "sh", "--get"],
      ["checkout-index", "--prefix=.git/hooks/", "-a"],
      ["diff", "--output=.git/config"],
      // Any command that reads revisions takes the diff options.
      ["reflog", "show", "--format=[core]", "--output=sub/.git/config"],
      ["stash", "list", "--output", "sub/.git/config"],
      ["rev-list", "--outp=x", "HEAD"],
      ["submodule", "foreach", "sh"],
      ["-C", "sub/.git", "apply"],
      ["difftool", "-x", "sh"],
      ["send-email", "--smtp-server=/bin/sh"],
      ["help", "-w", "log"],
      ["log", "--help"],
      ["my-alias"],
    ],
    control: [
      "-C",
      "/tmp",
      "--no-pager",
      "log",
      "-1",
      "--format=%H",
      "--",
      "x",
    ],
  },
  gh: {
    hostile: [
      ["alias", "set", "x", "!sh", "--shell"],
      ["extension", "install", "evil/gh-x"],
      ["ext", "exec", "x"],
      ["x"],
      ["pr", "create", "--editor"],
      ["config", "set", "editor", "sh"],
      ["repo", "clone", "o/r", "d", "--", "--config", "core.fsmonitor=sh"],
      ["repo", "fork", "o/r", "--clone", "--", "-u", "sh"],
      ["gist", "clone", "g", "--", "--config", "core.fsmonitor=sh"],
      ["release", "download", "v1", "-O", "sub/.git/config"],
      ["run", "download", "1", "-D", "sub/.git"],
      ["codespace", "cp", "remote:config", "sub/.git/config"],
    ],
    control: ["issue", "list", "--repo", "o/r"],
  },
  op: {
    hostile: [
      ["run", "--", "sh"],
      ["plugin", "run", "--", "sh"],
      ["inject", "-i", "t", "-o", "/tmp/x"],
      ["--account", "x", "run", "--", "sh"],
    ],
    control: ["item", "list", "--format", "json"],
  },
  security: {
    hostile: [["execute-with-privileges", "/bin/sh"]],
    control: ["find-internet-password", "-s", "example.com"],
  },
  chromium: {
    hostile: [
      ["--headless", "--renderer-cmd-prefix=sh -c id", "about:blank"],
      ["--gpu-launcher=sh", "about:blank"],
      ["--utility-cmd-prefix=sh"],
      ["--browser-subprocess-path=/bin/sh"],
    ],
    control: ["--headless", "--dump-dom", "https://example.com/"],
  },
  ssh: {
    hostile: [
      ["-o", "ProxyCommand=sh -c id", "x"],
      ["-oProxyCommand=sh", "x"],
      ["-vo", "LocalCommand=sh", "x"],
      ["-F", "/tmp/config", "x"],
      ["-I", "/tmp/evil.so", "x"],
      ["-E", "sub/.git/config", "x"],
    ],
    control: ["-p", "22", "host", "uptime"],
  },
  scp: {
    hostile: [
      ["-S", "/bin/sh", "a", "b:"],
      ["-o", "ProxyCommand=sh", "a", "b:"],
      ["-F", "/tmp/config", "a", "b:"],
    ],
    control: ["-P", "22", "a", "b:c"],
  },
  sftp: {
    hostile: [
      ["-S", "/bin/sh", "h"],
      ["-D", "/bin/sh", "h"],
      ["-oProxyCommand=sh", "h"],
    ],
    control: ["-P", "22", "h"],
  },
  rsync: {
    hostile: [
      ["-e", "sh -c id", "a", "h:b"],
      ["-ave", "sh", "a", "h:b"],
      ["--rsh=sh", "a", "h:b"],
      ["--rsync-path=sh -c id", "a", "h:b"],
    ],
    control: ["-a", "--delete", "a", "h:b"],
  },
  find: {
    hostile: [
      [".", "-exec", "sh", "-c", "id", ";"],
      [".", "-name", "x", "-execdir", "sh", "{}", "+"],
      [".", "-ok", "sh", ";"],
      [".", "-okdir", "sh", ";"],
      [".", "-fprintf", "sub/.git/config", "[core]"],
      [".", "-fprint", "x"],
      [".", "-fprint0", "x"],
      [".", "-fls", "x"],
    ],
    control: [".", "-maxdepth", "1", "-name", "*.db", "-print"],
  },
  claude: { hostile: [["-p", "hi"], []] },
  swift: { hostile: [["-e", "print(1)"], []] },
};

Deno.test("program rules: every rule has hostile cases here", () => {
  assert.deepEqual(
    Object.keys(CASES).sort(),
    Object.keys(PROGRAM_RULES).sort(),
  );
});

Deno.test("program rules: hostile arguments are refused before anything runs; controls run", async () => {
  await withShellBroker(async (broker) => {
    for (const [program, { hostile, control }] of Object.entries(CASES)) {
      const caller = grantedCaller(program, "/usr/bin/echo");
      for (const args of hostile) {
        const error = await broker.run(caller, { binary: program, args })
          .then(
            (r) => `ran: ${JSON.stringify(r.value.stdout)}`,
            (e: unknown) => e,
          );
        assert.ok(
          error instanceof RpcError && error.code === ErrorCode.Forbidden,
          `${program} ${JSON.stringify(args)}: ${error}`,
        );
        assert.match(error.message, new RegExp(`may not run ${program} with`));
        assert.equal(
          (error.data as { check?: string } | undefined)?.check,
          "program rule",
        );
      }
      if (control) {
        const { value } = await broker.run(caller, {
          binary: program,
          args: control,
        });
        assert.equal(value.exit_code, 0, `${program} ${value.stderr}`);
        assert.equal(value.stdout, `${control.join(" ")}\n`);
      }
    }
  });
});

Deno.test("program rules: a rule follows the file the grant resolved to, whatever the granted name", async () => {
  await withShellBroker(async (broker) => {
    const caller = grantedCaller("mygit", "/usr/bin/git");
    await assert.rejects(
      broker.run(caller, {
        binary: "mygit",
        args: ["-c", "alias.x=!sh", "x"],
      }),
      /may not run git with "-c"/,
    );
  });
});
