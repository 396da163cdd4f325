/**
 * What a granted program may be asked to do: the ways each program the
 * catalog runs has of running other code (git's aliases, hooks and
 * `--upload-pack`, gh's extensions, op's `run`), closed by data kept here
 * in one place. A program inside its sandbox may still start other
 * programs there; these rules keep a grant of `git` from being a grant of
 * a shell, and keep code from being left behind for the owner's own git.
 *
 * @module
 */

/** Options refused for one program, and which subcommands it may run. */
export interface ProgramRule {
  /** Why the rule exists, shown in the refusal. */
  why: string;
  /** Refused outright: the program itself runs code (an agent, a script host). */
  never?: boolean;
  /** Options taking their value in the next argument, before the subcommand. */
  globalsWithValue?: readonly string[];
  /** Options refused before the subcommand (long ones also as `--name=…` and abbreviated). */
  refusedGlobals?: readonly string[];
  /** The subcommands it may run; any other (an alias, an extension) is refused. */
  subcommands?: readonly string[];
  /** Subcommands refused when no list of allowed ones is given. */
  refusedSubcommands?: readonly string[];
  /** Options refused after a subcommand, by subcommand (`*`: anywhere). */
  refusedOptions?: Readonly<Record<string, readonly string[]>>;
  /** Second words refused after a subcommand (`bisect run`). */
  refusedActions?: Readonly<Record<string, readonly string[]>>;
  /** Subcommands allowed only when their first argument is one of these (`config --get`). */
  onlyWith?: Readonly<Record<string, readonly string[]>>;
}

/** Options of git that run a program, read config from elsewhere, or move its directories. */
const GIT_REFUSED_GLOBALS = [
  "-c",
  "--config-env",
  "--exec-path",
  "--git-dir",
  "--work-tree",
  "--super-prefix",
  "--help",
];

/**
 * Subcommands of git a skill may run: built-ins only, none that runs a
 * script, an editor's tool or a server. Not `mv`: it renames on the disk
 * before it refuses a destination inside a `.git` (a crafted file becomes
 * `sub/.git/commondir`), and follows links to get there. Not `apply`: it
 * needs no repository and writes paths relative to where it runs, so run
 * inside a git directory (`-C sub/.git`) a patch's `config` is that
 * repository's config.
 */
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
  "config",
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

/**
 * Options refused after any subcommand. `--output` is a diff option, and
 * every command that reads revisions takes the diff options (`reflog
 * show`, `stash list`, `shortlog`, `rev-list`, not only `diff` and `log`):
 * it writes the command's output, any text `--format` makes, at a path of
 * the caller's choosing, such as the config of a repository the skill
 * cloned deeper, which the owner's `git status` then runs.
 */
const GIT_REFUSED_ANYWHERE = [
  "--help",
  "--exec",
  "--upload-pack",
  "--receive-pack",
  "--output",
];

/**
 * The rules, by the program's name (the granted name and the name of the
 * file it resolved to are both looked up).
 */
export const PROGRAM_RULES: Readonly<Record<string, ProgramRule>> = {
  git: {
    why:
      "git runs programs through its aliases, -c config, --upload-pack and the like, and could leave config or hooks behind for the owner's own git",
    globalsWithValue: [
      "-C",
      "-c",
      "--git-dir",
      "--work-tree",
      "--namespace",
      "--config-env",
      "--super-prefix",
      "--attr-source",
    ],
    refusedGlobals: GIT_REFUSED_GLOBALS,
    subcommands: GIT_SUBCOMMANDS,
    refusedOptions: {
      "*": GIT_REFUSED_ANYWHERE,
      clone: [
        "-c",
        "--config",
        "-u",
        "--template",
        "--separate-git-dir",
      ],
      init: ["--template", "--separate-git-dir"],
      archive: ["--remote", "-o"],
      rebase: ["-x"],
      grep: ["-O", "--open-files-in-pager"],
      "checkout-index": ["--prefix"],
      config: [
        "--add",
        "--unset",
        "--unset-all",
        "--replace-all",
        "--rename-section",
        "--remove-section",
        "--edit",
        "-e",
      ],
    },
    refusedActions: { bisect: ["run"] },
    // Read forms only: a config write could leave code for the owner's git.
    // `.git/config` is also read-only inside the sandbox (shell_argv).
    onlyWith: {
      config: [
        "--get",
        "--get-all",
        "--get-regexp",
        "--get-urlmatch",
        "--list",
        "-l",
        "get",
        "list",
      ],
    },
  },
  gh: {
    why:
      "gh runs programs through its aliases and extensions and sets its own config",
    subcommands: [
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
    ],
    // `gh repo clone <repo> [<dir>] -- <gitflags>` (and `gist clone`)
    // hands git clone its flags: `--config core.fsmonitor=…` would be
    // written into the new repository's config for the owner's git, `-u`
    // run a program. A download to a path or folder of the caller's
    // choosing (a release asset, a run's artifact, a codespace's file)
    // writes any content there, a nested repository's `.git/config` too.
    refusedOptions: {
      "*": ["--editor", "-e"],
      repo: ["--"],
      gist: ["--"],
      release: ["--output", "-O", "--dir", "-D"],
      run: ["--dir", "-D"],
    },
    refusedActions: { codespace: ["cp"] },
  },
  op: {
    why:
      "op run, op plugin and op inject start programs or write files with secrets",
    subcommands: [
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
    ],
  },
  security: {
    why: "security execute-with-privileges runs a program as root",
    refusedSubcommands: ["execute-with-privileges"],
  },
  chromium: {
    why:
      "chromium starts any program as its renderer, GPU or utility process launcher",
    refusedOptions: {
      "*": [
        "--renderer-cmd-prefix",
        "--gpu-launcher",
        "--utility-cmd-prefix",
        "--browser-subprocess-path",
        "--ppapi-plugin-launcher",
        "--no-sandbox",
      ],
    },
  },
  // ssh runs its ProxyCommand, LocalCommand and KnownHostsCommand through
  // /bin/sh and loads a PKCS#11 or security-key library of the caller's
  // choosing; a config file (-F) sets all of them. Its own config is the
  // owner's (`--config`).
  ssh: {
    why:
      "ssh runs a ProxyCommand or LocalCommand through the shell and loads a PKCS#11 library it is given",
    refusedOptions: { "*": ["-o", "-F", "-I", "-E"] },
  },
  // scp and sftp also take the program they run as ssh (-S), sftp the
  // server it starts (-D).
  scp: {
    why: "scp runs any program as its ssh (-S) and passes ssh its options",
    refusedOptions: { "*": ["-o", "-F", "-S"] },
  },
  sftp: {
    why:
      "sftp runs any program as its ssh (-S) or server (-D) and passes ssh its options",
    refusedOptions: { "*": ["-o", "-F", "-S", "-D"] },
  },
  rsync: {
    why: "rsync runs any program as its remote shell (-e) or remote rsync",
    refusedOptions: { "*": ["-e", "--rsh", "--rsync-path"] },
  },
  // find's actions run any program, or write what it prints (any text,
  // with -fprintf) at a path of the caller's choosing.
  find: {
    why:
      "find runs any program with -exec or -ok and writes files with -fprint",
    refusedOptions: {
      "*": [
        "-exec",
        "-execdir",
        "-ok",
        "-okdir",
        "-fprint",
        "-fprint0",
        "-fprintf",
        "-fls",
      ],
    },
  },
  claude: {
    why: "claude is an agent that runs shell commands and edits files itself",
    never: true,
  },
  swift: {
    why: "swift runs Swift source as a script interpreter",
    never: true,
  },
};

/**
 * The environment of every granted program, over its own: any program may
 * start git (gh does), so git reads no system or global config, uses no
 * bare repository it merely finds, runs no
 * hook or fsmonitor whatever a repository's config says (config given
 * through the environment outranks the repository's, and a skill can set
 * none), speaks no `ext::` or `fd::` transport, and opens no editor, pager
 * or prompt.
 */
export const PROGRAM_RULE_ENV: Readonly<Record<string, string>> = Object
  .freeze({
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_SYSTEM: "/dev/null",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_COUNT: "3",
    GIT_CONFIG_KEY_0: "core.hooksPath",
    GIT_CONFIG_VALUE_0: "/dev/null",
    GIT_CONFIG_KEY_1: "core.fsmonitor",
    GIT_CONFIG_VALUE_1: "false",
    // A folder that looks like a bare repository (committed into the
    // repository, or checked out) is found before the repository above
    // it, and its config runs commands (core.sshCommand, diff.external):
    // bare repositories only when named, and --git-dir is refused.
    GIT_CONFIG_KEY_2: "safe.bareRepository",
    GIT_CONFIG_VALUE_2: "explicit",
    GIT_ALLOW_PROTOCOL: "file:git:http:https:ssh",
    GIT_EDITOR: ":",
    GIT_SEQUENCE_EDITOR: ":",
    GIT_PAGER: "cat",
    GIT_TERMINAL_PROMPT: "0",
  });
