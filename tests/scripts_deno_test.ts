/**
 * `scripts/deno`, the wrapper that finds or installs Deno, with its own
 * folder on PATH: it must never take itself (or a copy of itself) for the
 * deno on PATH and run itself without end.
 *
 * @module
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { realPython, REPO_ROOT } from "./_task_command.ts";

const WRAPPER = join(REPO_ROOT, "scripts", "deno");
/** A correct wrapper answers in about a second; a recursing one never does. */
const DEADLINE_MS = 60_000;

/**
 * Runs the wrapper in its own process group and kills the whole group at
 * the deadline, so a recursing wrapper cannot outlive the test.
 */
async function runWrapper(
  path: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command("setsid", {
    args: [WRAPPER, "--version"],
    clearEnv: true,
    env: {
      PATH: path,
      HOME: Deno.env.get("HOME") ?? "/root",
      AGENTOS_HOME: "/nonexistent-agentos-home",
      AGENTOS_PYTHON: realPython(),
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    // setsid made the child a group leader: its pid is the group id.
    new Deno.Command("kill", { args: ["-KILL", "--", `-${child.pid}`] })
      .outputSync();
  }, DEADLINE_MS);
  try {
    const out = await child.output();
    const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    assert.ok(
      !timedOut,
      `scripts/deno --version did not finish within ${DEADLINE_MS} ms (it ran itself)`,
    );
    return {
      code: out.code,
      stdout: decode(out.stdout),
      stderr: decode(out.stderr),
    };
  } finally {
    clearTimeout(timer);
  }
}

const SYSTEM_PATH = `${dirname(Deno.execPath())}:/usr/local/bin:/usr/bin:/bin`;

Deno.test("scripts/deno with scripts/ first on PATH runs the real Deno, not itself", async () => {
  const run = await runWrapper(`${dirname(WRAPPER)}:${SYSTEM_PATH}`);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^deno 2\.\d+\.\d+/);
});

Deno.test("scripts/deno skips a copy of itself found first on PATH", async () => {
  const bin = await Deno.makeTempDir({ prefix: "agentos-wrapper-copy-" });
  try {
    await Deno.copyFile(WRAPPER, join(bin, "deno"));
    await Deno.chmod(join(bin, "deno"), 0o755);
    // Also reached through a symlink to the wrapper: the same real file.
    const linked = await Deno.makeTempDir({ prefix: "agentos-wrapper-link-" });
    try {
      await Deno.symlink(WRAPPER, join(linked, "deno"));
      const run = await runWrapper(`${bin}:${linked}:${SYSTEM_PATH}`);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^deno 2\.\d+\.\d+/);
    } finally {
      await Deno.remove(linked, { recursive: true });
    }
  } finally {
    await Deno.remove(bin, { recursive: true });
  }
});
