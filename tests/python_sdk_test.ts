/**
 * Runs the Python SDK's unittest suites (python/tests) with the real
 * interpreter, one Deno test per module, so CI counts them with the rest.
 */
import assert from "node:assert/strict";
import { realPython, REPO_ROOT } from "./_task_command.ts";

const modules = [...Deno.readDirSync(`${REPO_ROOT}/python/tests`)]
  .map((entry) => entry.name)
  .filter((name) => /^test_.*\.py$/.test(name))
  .sort();

for (const file of modules) {
  Deno.test(`python/tests/${file} passes under the real interpreter`, async () => {
    const { code, stderr } = await new Deno.Command(realPython(), {
      args: ["-B", "-m", "unittest", file.replace(/\.py$/, "")],
      cwd: `${REPO_ROOT}/python/tests`,
      env: { PYTHONDONTWRITEBYTECODE: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(stderr);
    assert.equal(code, 0, text.slice(-4000));
    assert.match(text, /Ran [1-9]\d* tests?/);
  });
}
