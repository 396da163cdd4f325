/**
 * `agentos skills allow --run` refuses an interpreter by what its file is,
 * whatever it is called: a copy of python or dash under a harmless name, a
 * symlink to python, a script. Files are planted in /usr/local/bin (the
 * first of the program directories) under unique names and removed after,
 * so this runs only as root; a copy of an ordinary program is the control.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { runAgentos } from "./_cli.ts";
import { fixture } from "./skills_helpers.ts";

const DIR = "/usr/local/bin";

Deno.test({
  name:
    "skills allow --run: an interpreter is refused by its file, not its name",
  ignore: Deno.uid() !== 0,
}, async () => {
  const tag = `agentos-probe-${Deno.pid}`;
  const planted: string[] = [];
  const plant = async (name: string, how: (path: string) => Promise<void>) => {
    const path = `${DIR}/${tag}-${name}`;
    planted.push(path);
    await how(path);
    return `${tag}-${name}`;
  };
  try {
    const dash = await Deno.realPath("/bin/sh");
    const python = await Deno.realPath("/usr/bin/python3");
    const hostile = [
      await plant("pycopy", (p) => Deno.copyFile(python, p)),
      await plant("shcopy", (p) => Deno.copyFile(dash, p)),
      await plant("pylink", (p) => Deno.symlink(python, p)),
      await plant("script", async (p) => {
        await Deno.writeTextFile(p, '#!/bin/sh\nexec sh "$@"\n');
        await Deno.chmod(p, 0o755);
      }),
    ];
    const control = await plant(
      "sleep",
      (p) => Deno.copyFile("/usr/bin/sleep", p),
    );
    await using engine = await EngineProcess.start({
      env: { AGENTOS_SPARE_WORKERS: "0" },
    });
    const client = await engine.client();
    await client.call("skills.add", { path: fixture("git-tool") });
    for (const name of hostile) {
      const out = await runAgentos(engine.paths.home, [
        "skills",
        "allow",
        "git-tool",
        "--run",
        name,
      ]);
      assert.equal(out.code, 1, `${name} granted: ${out.stdout}`);
      assert.match(out.stderr, /runs other programs or code/, name);
    }
    const ok = await runAgentos(engine.paths.home, [
      "skills",
      "allow",
      "git-tool",
      "--run",
      control,
    ]);
    assert.equal(ok.code, 0, ok.stderr);
  } finally {
    for (const path of planted) await Deno.remove(path).catch(() => {});
  }
});
