/**
 * How a compiled build finds its Python SDK: `pythonDir()` extracting a
 * source directory into the home, read-only, once per content.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { homePaths } from "../engine/home.ts";
import {
  engineLaunch,
  PYTHON_SOURCE_DIR,
  pythonDir,
} from "../engine/runtime_layout.ts";
import { VERSION } from "../engine/version.ts";
import { realPython, REPO_ROOT } from "./_task_command.ts";

async function fixture(): Promise<
  AsyncDisposable & { source: string; home: string }
> {
  const root = await Deno.makeTempDir({ prefix: "agentos-layout-" });
  const source = join(root, "python");
  await Deno.mkdir(join(source, "agentos", "__pycache__"), { recursive: true });
  await Deno.mkdir(join(source, "skills", "echo"), { recursive: true });
  await Deno.mkdir(join(source, "tests"), { recursive: true });
  await Deno.writeTextFile(join(source, "agentos", "__init__.py"), "X = 1\n");
  await Deno.writeTextFile(
    join(source, "agentos", "__pycache__", "junk.pyc"),
    "",
  );
  await Deno.writeTextFile(join(source, "worker_main.py"), "import agentos\n");
  await Deno.writeTextFile(
    join(source, "skills", "echo", "readme.md"),
    "---\nid: echo\n---\n",
  );
  await Deno.writeTextFile(join(source, "tests", "test_x.py"), "");
  return {
    source,
    home: join(root, "home"),
    [Symbol.asyncDispose]: async () => {
      // The extracted copy is read-only: open it up before removing.
      await new Deno.Command("chmod", { args: ["-R", "u+w", root] }).output();
      await Deno.remove(root, { recursive: true });
    },
  };
}

Deno.test("pythonDir() from a checkout is the repository's python/", async () => {
  assert.equal(
    await pythonDir(homePaths("/nonexistent"), { compiled: false }),
    PYTHON_SOURCE_DIR,
  );
  assert.equal(PYTHON_SOURCE_DIR, join(REPO_ROOT, "python"));
});

Deno.test(
  "pythonDir() compiled extracts the SDK into the home once, byte-compiled and read-only",
  async () => {
    await using dir = await fixture();
    const paths = homePaths(dir.home);
    const options = {
      compiled: true,
      source: dir.source,
      python: realPython(),
    };
    const target = await pythonDir(paths, options);
    assert.match(
      target,
      new RegExp(`^${dir.home}/runtime/python-${VERSION}-[0-9a-f]{12}$`),
    );
    assert.equal(
      await Deno.readTextFile(join(target, "worker_main.py")),
      "import agentos\n",
    );
    assert.ok(
      (await Deno.stat(join(target, "skills", "echo", "readme.md"))).isFile,
    );
    // Tests and stale caches stay behind; fresh byte code is made.
    await assert.rejects(
      Deno.stat(join(target, "tests")),
      Deno.errors.NotFound,
    );
    await assert.rejects(
      Deno.stat(join(target, "agentos", "__pycache__", "junk.pyc")),
      Deno.errors.NotFound,
    );
    const cached = [
      ...Deno.readDirSync(join(target, "agentos", "__pycache__")),
    ];
    assert.ok(cached.some((e) => e.name.startsWith("__init__.")), "byte code");
    assert.equal((await Deno.stat(target)).mode! & 0o777, 0o555);
    assert.equal(
      (await Deno.stat(join(target, "worker_main.py"))).mode! & 0o777,
      0o444,
    );
    assert.equal(
      (await Deno.stat(join(dir.home, "runtime"))).mode! & 0o777,
      0o700,
    );

    // Same content: the same directory, untouched; no staging left behind.
    const before = (await Deno.stat(join(target, "worker_main.py"))).mtime;
    assert.equal(await pythonDir(paths, options), target);
    assert.deepEqual(
      (await Deno.stat(join(target, "worker_main.py"))).mtime,
      before,
    );
    // Concurrent first runs agree on one directory.
    await Deno.writeTextFile(
      join(dir.source, "worker_main.py"),
      "import agentos  # v2\n",
    );
    const both = await Promise.all([
      pythonDir(paths, options),
      pythonDir(paths, options),
    ]);
    assert.equal(both[0], both[1]);
    assert.notEqual(both[0], target);
    const entries = [...Deno.readDirSync(join(dir.home, "runtime"))].map((e) =>
      e.name
    );
    assert.equal(entries.length, 2, entries.join(", "));
    assert.ok(
      entries.every((name) => name.startsWith("python-")),
      entries.join(", "),
    );
  },
);

Deno.test("engineLaunch() runs the engine task from a checkout and agentos-engine when compiled", () => {
  const checkout = engineLaunch(false);
  assert.equal(checkout.program, Deno.execPath());
  assert.deepEqual(checkout.args, [
    "task",
    "-q",
    "--config",
    join(REPO_ROOT, "deno.json"),
    "engine",
  ]);
  const compiled = engineLaunch(true);
  assert.equal(compiled.program, join(Deno.execPath(), "..", "agentos-engine"));
  assert.deepEqual(compiled.args, []);
});
