/**
 * The program rules (program_rules.ts) pinned literally, entry by entry:
 * every subcommand each program may run passes and nothing else does,
 * every refused option is refused in the place the rule names (whole,
 * with `=value`, glued to its value or in a bundle of short options), and
 * the environment every granted program gets is exactly this one. The
 * tables here are written out, not read from the product: an entry
 * dropped or misspelt there fails here. (The same rules are seen refusing
 * real runs in engine/broker/shell/shell_rules_test.ts.)
 */
import assert from "node:assert/strict";
import { PROGRAM_RULE_ENV, refusedArgument } from "./mod.ts";

const GIT_SUBCOMMANDS = [
  "add",
  "am",
  "annotate",
  "archive",
  "bisect",
  "blame",
  "branch",
  "bundle",
  "cat-file",
  "check-attr",
  "check-ignore",
  "check-mailmap",
  "check-ref-format",
  "checkout",
  "checkout-index",
  "cherry",
  "cherry-pick",
  "clean",
  "clone",
  "commit",
  "commit-tree",
  "count-objects",
  "describe",
  "diff",
  "diff-files",
  "diff-index",
  "diff-tree",
  "fetch",
  "for-each-ref",
  "format-patch",
  "fsck",
  "gc",
  "grep",
  "hash-object",
  "init",
  "log",
  "ls-files",
  "ls-remote",
  "ls-tree",
  "merge",
  "merge-base",
  "mktag",
  "mktree",
  "name-rev",
  "notes",
  "pull",
  "push",
  "range-diff",
  "read-tree",
  "rebase",
  "reflog",
  "remote",
  "repack",
  "reset",
  "restore",
  "rev-list",
  "rev-parse",
  "revert",
  "rm",
  "shortlog",
  "show",
  "show-branch",
  "show-ref",
  "stash",
  "status",
  "stripspace",
  "switch",
  "symbolic-ref",
  "tag",
  "update-index",
  "update-ref",
  "var",
  "verify-commit",
  "verify-tag",
  "version",
  "whatchanged",
  "write-tree",
];

/** Subcommands of git that run a script, an editor's tool, a server or a shell (or, `mv`, write inside a `.git`). */
const GIT_REFUSED_SUBCOMMANDS = [
  "mv",
  "apply",
  "submodule",
  "difftool",
  "mergetool",
  "send-email",
  "help",
  "filter-branch",
  "instaweb",
  "daemon",
  "upload-pack",
  "receive-pack",
  "http-backend",
  "shell",
  "credential",
  "web--browse",
  "sh",
  "my-alias",
];

const GH_SUBCOMMANDS = [
  "api",
  "auth",
  "cache",
  "codespace",
  "gist",
  "gpg-key",
  "issue",
  "label",
  "org",
  "pr",
  "project",
  "release",
  "repo",
  "ruleset",
  "run",
  "search",
  "secret",
  "ssh-key",
  "status",
  "variable",
  "version",
  "workflow",
];

const OP_SUBCOMMANDS = [
  "account",
  "connect",
  "document",
  "events-api",
  "group",
  "item",
  "read",
  "service-account",
  "signin",
  "signout",
  "user",
  "vault",
  "whoami",
];

/** The read forms of `git config`, the only ones allowed. */
const GIT_CONFIG_READS = [
  "--get",
  "--get-all",
  "--get-regexp",
  "--get-urlmatch",
  "--list",
  "-l",
  "get",
  "list",
];

/** Options refused after these git subcommands, as `[subcommand, option]`. */
const GIT_REFUSED_OPTIONS: [string, string][] = [
  ["clone", "-c"],
  ["clone", "--config"],
  ["clone", "-u"],
  ["clone", "--template"],
  ["clone", "--separate-git-dir"],
  ["init", "--template"],
  ["init", "--separate-git-dir"],
  ["archive", "--remote"],
  ["archive", "-o"],
  ["rebase", "-x"],
  ["grep", "-O"],
  ["grep", "--open-files-in-pager"],
  ["checkout-index", "--prefix"],
];

/** Options of `git config` refused even with a read form. */
const GIT_CONFIG_REFUSED = [
  "--add",
  "--unset",
  "--unset-all",
  "--replace-all",
  "--rename-section",
  "--remove-section",
  "--edit",
  "-e",
];

/** Options refused anywhere in git's arguments. */
const GIT_REFUSED_ANYWHERE = [
  "--help",
  "--exec",
  "--upload-pack",
  "--receive-pack",
  "--output",
];

/** Options refused before git's subcommand. */
const GIT_REFUSED_GLOBALS = [
  "-c",
  "--config-env",
  "--exec-path",
  "--git-dir",
  "--work-tree",
  "--super-prefix",
];

/** Global options of git whose value is the next argument (and allowed). */
const GIT_GLOBALS_WITH_VALUE = ["-C", "--namespace", "--attr-source"];

const CHROMIUM_REFUSED = [
  "--renderer-cmd-prefix",
  "--gpu-launcher",
  "--utility-cmd-prefix",
  "--browser-subprocess-path",
  "--ppapi-plugin-launcher",
  "--no-sandbox",
];

const WHY = {
  git:
    "git runs programs through its aliases, -c config, --upload-pack and the like, and could leave config or hooks behind for the owner's own git",
  gh:
    "gh runs programs through its aliases and extensions and sets its own config",
  op:
    "op run, op plugin and op inject start programs or write files with secrets",
  security: "security execute-with-privileges runs a program as root",
  chromium:
    "chromium starts any program as its renderer, GPU or utility process launcher",
  claude: "claude is an agent that runs shell commands and edits files itself",
  swift: "swift runs Swift source as a script interpreter",
};

function passes(program: string, args: string[]): void {
  assert.equal(
    refusedArgument([program], args),
    undefined,
    `${program} ${JSON.stringify(args)} should pass`,
  );
}

function refuses(program: string, args: string[], argument: string): void {
  assert.deepEqual(
    refusedArgument([program], args),
    { program, argument, why: WHY[program as keyof typeof WHY] },
    `${program} ${JSON.stringify(args)} should be refused`,
  );
}

Deno.test("program rules: every git subcommand of the list passes, and only those", () => {
  for (const subcommand of GIT_SUBCOMMANDS) passes("git", [subcommand]);
  passes("git", ["config", "--list"]);
  for (const subcommand of GIT_REFUSED_SUBCOMMANDS) {
    refuses("git", [subcommand], subcommand);
  }
  // Misspelt or cut short, a subcommand is an alias: refused.
  refuses("git", ["stat"], "stat");
});

Deno.test("program rules: git's global options, refused or skipped with their value", () => {
  for (const option of GIT_REFUSED_GLOBALS) {
    refuses("git", [option, "x", "status"], option);
    if (option.startsWith("--")) {
      refuses("git", [`${option}=x`, "status"], `${option}=x`);
    }
  }
  refuses("git", ["-calias.x=!sh", "x"], "-calias.x=!sh");
  // Taken by its value, the option's argument is not the subcommand.
  for (const option of GIT_GLOBALS_WITH_VALUE) {
    passes("git", [option, "somewhere", "status"]);
    refuses("git", [option, "somewhere", "sh"], "sh");
  }
  passes("git", ["--no-pager", "-C", "/tmp", "log"]);
});

Deno.test("program rules: git options refused anywhere and after their subcommand", () => {
  for (const option of GIT_REFUSED_ANYWHERE) {
    refuses("git", ["status", option], option);
    refuses("git", ["fetch", `${option}=sh`], `${option}=sh`);
  }
  refuses("git", ["--help"], "--help");
  for (const [subcommand, option] of GIT_REFUSED_OPTIONS) {
    refuses("git", [subcommand, option, "v"], option);
    if (option.startsWith("--")) {
      refuses("git", [subcommand, `${option}=v`], `${option}=v`);
    } else {
      refuses("git", [subcommand, `-q${option[1]}v`], `-q${option[1]}v`);
    }
    // The option is the subcommand's own: elsewhere it passes.
    passes("git", ["status", "-s", option]);
  }
  refuses("git", ["bisect", "run", "sh"], "bisect run");
  passes("git", ["bisect", "start"]);
});

Deno.test("program rules: git config runs in its read forms only, and never writes", () => {
  for (const form of GIT_CONFIG_READS) passes("git", ["config", form, "x"]);
  refuses("git", ["config", "core.hooksPath", "/tmp"], "config");
  refuses("git", ["config", "set", "x", "y"], "config");
  for (const option of GIT_CONFIG_REFUSED) {
    refuses("git", ["config", "--get", "x", option], option);
  }
});

Deno.test("program rules: gh and op run their listed subcommands only", () => {
  for (const subcommand of GH_SUBCOMMANDS) passes("gh", [subcommand]);
  for (const subcommand of ["alias", "extension", "ext", "config", "x"]) {
    refuses("gh", [subcommand], subcommand);
  }
  refuses("gh", ["pr", "create", "--editor"], "--editor");
  refuses("gh", ["pr", "create", "-e"], "-e");
  // git clone's own flags through gh: a config for the owner's git.
  refuses(
    "gh",
    ["repo", "clone", "o/r", "d", "--", "--config", "core.fsmonitor=sh"],
    "--",
  );
  passes("gh", ["repo", "clone", "o/r", "d"]);
  refuses("gh", ["gist", "clone", "g", "d", "--", "-u", "sh"], "--");
  // Downloads to a path of the caller's choosing.
  for (
    const [args, argument] of [
      [["release", "download", "v1", "-O", "sub/.git/config"], "-O"],
      [["release", "download", "v1", "--output=x"], "--output=x"],
      [["release", "download", "v1", "--dir", "sub/.git"], "--dir"],
      [["run", "download", "1", "-D", "sub/.git"], "-D"],
      [["codespace", "cp", "remote:x", "y"], "codespace cp"],
    ] as const
  ) refuses("gh", [...args], argument);
  passes("gh", ["release", "list"]);
  passes("gh", ["run", "view", "1"]);
  for (const subcommand of OP_SUBCOMMANDS) passes("op", [subcommand]);
  for (const subcommand of ["run", "plugin", "inject", "x"]) {
    refuses("op", [subcommand], subcommand);
  }
});

Deno.test("program rules: security, chromium, claude and swift", () => {
  refuses(
    "security",
    ["execute-with-privileges", "/bin/sh"],
    "execute-with-privileges",
  );
  passes("security", ["find-internet-password", "-s", "example.com"]);
  for (const option of CHROMIUM_REFUSED) {
    refuses("chromium", ["--headless", `${option}=x`], `${option}=x`);
  }
  passes("chromium", ["--headless", "--dump-dom", "about:blank"]);
  refuses("claude", [], "(any use)");
  refuses("swift", ["-e", "print(1)"], "(any use)");
  // A program without a rule passes whatever its arguments.
  passes("ls", ["-c", "--help"]);
});

Deno.test("program rules: the environment of every granted program closes git's ways to run code", () => {
  assert.deepEqual({ ...PROGRAM_RULE_ENV }, {
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_SYSTEM: "/dev/null",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_COUNT: "3",
    GIT_CONFIG_KEY_0: "core.hooksPath",
    GIT_CONFIG_VALUE_0: "/dev/null",
    GIT_CONFIG_KEY_1: "core.fsmonitor",
    GIT_CONFIG_VALUE_1: "false",
    GIT_CONFIG_KEY_2: "safe.bareRepository",
    GIT_CONFIG_VALUE_2: "explicit",
    GIT_ALLOW_PROTOCOL: "file:git:http:https:ssh",
    GIT_EDITOR: ":",
    GIT_SEQUENCE_EDITOR: ":",
    GIT_PAGER: "cat",
    GIT_TERMINAL_PROMPT: "0",
  });
});
