/**
 * `inspectPython()` when the interpreter is not one: a program that fails
 * is reported with its exit code and the end of what it printed; a missing
 * one as not runnable.
 */
import assert from "node:assert/strict";
import { inspectPython } from "./python_runtime.ts";

Deno.test("inspectPython(): a failing interpreter is named with its exit code; a missing one cannot run", async () => {
  await assert.rejects(
    inspectPython("/usr/bin/false", "/nonexistent-sdk"),
    /^Error: The Python interpreter "\/usr\/bin\/false" failed \(exit 1\): $/,
  );
  await assert.rejects(
    inspectPython("/nonexistent/python3", "/nonexistent-sdk"),
    /Cannot run the Python interpreter "\/nonexistent\/python3"/,
  );
});
