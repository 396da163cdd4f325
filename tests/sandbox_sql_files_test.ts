/**
 * The files of an SQL query (`sql.query` runs `SQL_RUNNER_PY` in the
 * sandbox's `script` mode with its databases as `files`) are bound
 * read-only, and so are the `-wal`, `-shm` and `-journal` files beside
 * them: a runner that could write those could corrupt or rewrite the
 * owner's database through SQLite's own recovery. Every host file here is
 * writable by anyone, so only the read-only mount stands between the
 * sandbox and a write.
 */
import assert from "node:assert/strict";
import { within } from "./_wait.ts";

const SUFFIXES = ["", "-wal", "-shm", "-journal"];

/** Reports, for each path, its mount's options and what a write does. */
const PROBE = String.raw`
import errno, json, os, sys

paths = json.loads(sys.argv[1])
mounts = {}
with open("/proc/self/mountinfo") as file:
    for line in file:
        fields = line.split()
        mounts[fields[4]] = fields[5].split(",")

def attempt(action):
    try:
        action()
        return "ok"
    except OSError as error:
        return errno.errorcode.get(error.errno, str(error.errno))

def append(path):
    with open(path, "ab") as file:
        file.write(b"x")

def create(path):
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))

report = {}
for path in paths:
    report[path] = {
        "exists": os.path.exists(path),
        "mount": mounts.get(path),
        "write": attempt(lambda: append(path)) if os.path.exists(path) else None,
        "create": None if os.path.exists(path) else attempt(lambda: create(path)),
    }
json.dump(report, sys.stdout)
`;
import { openTestSandbox } from "./_sandbox.ts";

const bwrapMissing = await new Deno.Command("bwrap", {
  args: ["--version"],
  stdout: "null",
  stderr: "null",
}).output().then(
  (out) => out.success ? undefined : "bwrap --version fails here",
  () => "bubblewrap is not installed",
);

Deno.test({
  name:
    `an SQL query's databases and their -wal, -shm and -journal files are bound read-only; missing ones cannot be created${
      bwrapMissing ? `: skipped, ${bwrapMissing}` : ""
    }`,
  ignore: bwrapMissing !== undefined,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "agentos-sql-files-" });
    await Deno.chmod(dir, 0o777);
    const sandbox = await openTestSandbox(dir);
    try {
      assert.equal(sandbox.kind, "bubblewrap", sandbox.detail);
      // The first database has every side file; the second (attached) none.
      const full = `${dir}/full.db`;
      const bare = `${dir}/bare.db`;
      for (const suffix of SUFFIXES) {
        await Deno.writeTextFile(`${full}${suffix}`, "host bytes");
        await Deno.chmod(`${full}${suffix}`, 0o666);
      }
      await Deno.writeTextFile(bare, "host bytes");
      await Deno.chmod(bare, 0o666);

      // As the SQL broker asks for it.
      const command = sandbox.command({
        kind: "script",
        source: PROBE,
        files: [full, bare],
        readAny: true,
      });
      const inside = command.paths ?? [];
      assert.equal(inside.length, 2);
      const probed = inside.flatMap((path) =>
        SUFFIXES.map((suffix) => `${path}${suffix}`)
      );
      const output = await within(
        "the confined probe",
        new Deno.Command(command.program, {
          args: [...command.args, JSON.stringify(probed)],
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
      const report = JSON.parse(new TextDecoder().decode(output.stdout));
      for (const suffix of SUFFIXES) {
        const seen = report[`${inside[0]}${suffix}`];
        assert.equal(seen.exists, true, `${suffix}: ${JSON.stringify(seen)}`);
        assert.ok(
          seen.mount?.includes("ro"),
          `${inside[0]}${suffix} is mounted ${seen.mount}`,
        );
        assert.equal(seen.write, "EROFS", `${inside[0]}${suffix}`);
      }
      const bareMain = report[inside[1]!];
      assert.equal(bareMain.write, "EROFS");
      for (const suffix of SUFFIXES.slice(1)) {
        const seen = report[`${inside[1]}${suffix}`];
        assert.equal(seen.exists, false, `${suffix}: ${JSON.stringify(seen)}`);
        assert.equal(seen.create, "EROFS", `${inside[1]}${suffix}`);
      }
      // Nothing reached the host's files.
      for (const suffix of SUFFIXES) {
        assert.equal(await Deno.readTextFile(`${full}${suffix}`), "host bytes");
      }
      assert.equal(await Deno.readTextFile(bare), "host bytes");
      for (const suffix of SUFFIXES.slice(1)) {
        assert.equal(
          await Deno.stat(`${bare}${suffix}`).then(() => true, () => false),
          false,
        );
      }
    } finally {
      await sandbox.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
