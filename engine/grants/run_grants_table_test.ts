/**
 * The `--run` grant's rules, pinned literally: every name of the
 * never-runnable list refused (and with a version, `bash5`), ordinary
 * programs not; the program directories; clean absolute paths at their
 * bounds; `~` expanded only as the home; the write limit from 1 MiB to
 * 4 GiB; a pin only as `device:inode`; and grants taken back one by one.
 * The tables are written out here, not read from the product.
 */
import assert from "node:assert/strict";
import { openDatabase, SettingsStore } from "../graph/mod.ts";
import {
  declaredPrograms,
  expandHome,
  isCleanAbsolute,
  isInterpreter,
  MAX_GRANT_WRITE_BYTES,
  programInDirs,
  type RunGrant,
  RunGrantStore,
} from "./mod.ts";

const NEVER = [
  "sh",
  "bash",
  "dash",
  "zsh",
  "fish",
  "ksh",
  "mksh",
  "csh",
  "tcsh",
  "busybox",
  "env",
  "xargs",
  "nohup",
  "timeout",
  "nice",
  "sudo",
  "su",
  "doas",
  "pkexec",
  "setsid",
  "script",
  "stdbuf",
  "flock",
  "taskset",
  "ionice",
  "chrt",
  "prlimit",
  "setpriv",
  "unshare",
  "nsenter",
  "chroot",
  "runuser",
  "sg",
  "fakeroot",
  "systemd-run",
  "watch",
  "time",
  "strace",
  "ltrace",
  "gdb",
  "valgrind",
  "python",
  "perl",
  "ruby",
  "node",
  "deno",
  "bun",
  "php",
  "lua",
  "tclsh",
  "awk",
  "gawk",
  "mawk",
  "osascript",
  "bwrap",
  // And the rules' `never` programs.
  "claude",
  "swift",
];

const RUNNABLE = ["git", "gh", "op", "ls", "cat", "curl", "jq", "wc", "ssh"];

async function withStore(
  fn: (store: RunGrantStore, settings: SettingsStore) => void,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  const db = openDatabase(`${dir}/agentos.db`);
  try {
    const settings = new SettingsStore(db);
    fn(new RunGrantStore(settings), settings);
  } finally {
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("isInterpreter(): every never-runnable name, in any case and with a version; ordinary programs not", () => {
  for (const name of NEVER) {
    assert.equal(isInterpreter(name), true, name);
    assert.equal(isInterpreter(name.toUpperCase()), true, name);
    assert.equal(isInterpreter(`${name}5`), true, `${name}5`);
    assert.equal(isInterpreter(`${name}3.11`), true, `${name}3.11`);
  }
  for (const name of RUNNABLE) assert.equal(isInterpreter(name), false, name);
});

Deno.test("programInDirs(): a name directly in /usr/local/bin, /usr/bin or /bin; no other path", () => {
  for (const dir of ["/usr/local/bin", "/usr/bin", "/bin"]) {
    assert.equal(programInDirs(`${dir}/git`), "git", dir);
  }
  for (
    const path of [
      "/usr/sbin/git",
      "/usr/local/bin/x/git",
      "/usr/bin/../bin/git",
      "usr/bin/git",
      "/bin/",
      "/git",
      "git",
    ]
  ) {
    assert.equal(programInDirs(path), undefined, path);
  }
  assert.deepEqual(
    declaredPrograms(
      {
        front_matter: { shell: ["git", "/usr/bin/gh", "/tmp/evil", "a b"] },
        shell_programs: [{ program: "git" }, { program: "/bin/op" }],
      } as unknown as Parameters<typeof declaredPrograms>[0],
    ),
    ["git", "gh", "op"],
  );
  assert.deepEqual(
    declaredPrograms(
      {
        front_matter: { shell: "jq" },
      } as unknown as Parameters<typeof declaredPrograms>[0],
    ),
    ["jq"],
  );
});

Deno.test("isCleanAbsolute(): absolute, no empty, . or .. part, at most 4096 characters", () => {
  const clean = ["/", "/a", "/a/b", "/a/.b/c..", `/${"a".repeat(4095)}`];
  for (const path of clean) assert.equal(isCleanAbsolute(path), true, path);
  const unclean = [
    "",
    "a",
    "a/b",
    "relative",
    "ab/c",
    "//",
    "/a/",
    "/a//b",
    "/.",
    "/a/./b",
    "/a/..",
    "/a/../b",
    "/a\0b",
    `/${"a".repeat(4096)}`,
  ];
  for (const path of unclean) {
    assert.equal(isCleanAbsolute(path), false, JSON.stringify(path));
  }
});

Deno.test("expandHome(): ~ and ~/… become the home; nothing else, and nothing without a home", () => {
  assert.equal(expandHome("~", "/home/o"), "/home/o");
  assert.equal(expandHome("~/src", "/home/o"), "/home/o/src");
  for (const path of ["~other", "/x/~/y", "src", "", "~~"]) {
    assert.equal(expandHome(path, "/home/o"), path, path);
  }
  assert.equal(expandHome("~/src", undefined), "~/src");
  assert.equal(expandHome("~/src", ""), "~/src");
});

Deno.test("RunGrantStore.allow(): the write limit from 1 MiB to 4 GiB with a folder, a pin as device:inode", () =>
  withStore((store) => {
    assert.equal(MAX_GRANT_WRITE_BYTES, 4 * 1024 * 1024 * 1024);
    const base: RunGrant = {
      path: "/usr/bin/git",
      config: [],
      net: false,
      cwd: "/work/repo",
    };
    for (const writeBytes of [1024 * 1024, MAX_GRANT_WRITE_BYTES]) {
      store.allow("s", "git", { ...base, writeBytes });
    }
    for (
      const writeBytes of [
        1024 * 1024 - 1,
        MAX_GRANT_WRITE_BYTES + 1,
        1024 * 1024 + 0.5,
      ]
    ) {
      assert.throws(
        () => store.allow("s", "git", { ...base, writeBytes }),
        /"writeBytes" must be a whole number of bytes from 1 MiB to 4 GiB/,
        String(writeBytes),
      );
    }
    const { cwd: _, ...noFolder } = base;
    store.allow("s", "git", noFolder);
    assert.throws(
      () => store.allow("s", "git", { ...noFolder, write: true }),
      /need a folder/,
    );
    assert.throws(
      () => store.allow("s", "git", { ...noFolder, writeBytes: 1024 * 1024 }),
      /need a folder/,
    );
    store.allow("s", "git", { ...base, pin: "2049:1234567" });
    for (const pin of ["", "2049", "a:1", "1:2:3", `${"9".repeat(21)}:1`]) {
      assert.throws(
        () => store.allow("s", "git", { ...base, pin }),
        /"pin" must be "device:inode"/,
        pin,
      );
    }
    for (const dir of ["cwd", "home"] as const) {
      assert.throws(
        () => store.allow("s", "git", { ...base, [dir]: "/work/../etc" }),
        /must be an absolute path/,
        dir,
      );
    }
    assert.throws(
      () => store.allow("s", "git", { ...base, config: ["/a", "b"] }),
      /must be an absolute path/,
    );
  }));

Deno.test("RunGrantStore: grants kept by program, taken back one by one", () =>
  withStore((store, settings) => {
    const grant: RunGrant = { path: "/usr/bin/git", config: [], net: false };
    store.allow("s", "git", grant);
    store.allow("s", "jq", { ...grant, path: "/usr/bin/jq" });
    assert.deepEqual(Object.keys(store.get("s")).sort(), ["git", "jq"]);
    assert.equal(store.disallow("s", "curl"), false);
    assert.deepEqual(Object.keys(store.get("s")).sort(), ["git", "jq"]);
    assert.equal(store.disallow("s", "git"), true);
    assert.deepEqual(Object.keys(store.get("s")), ["jq"]);
    store.remove("s");
    assert.deepEqual(store.get("s"), {});
    assert.deepEqual(store.get("other"), {});
    // A stored value that is not a record of grants grants nothing.
    for (const value of ["git", 5, true]) {
      settings.set("run.odd", value);
      assert.deepEqual(store.get("odd"), {}, String(value));
    }
    // The program is a name, never a path or anything else.
    for (const name of ["/usr/bin/git", "a b", "", "-git", "g".repeat(65)]) {
      assert.throws(
        () => store.allow("s", name, grant),
        /is not a program name/,
        name,
      );
    }
  }));
