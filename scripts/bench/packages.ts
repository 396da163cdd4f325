/**
 * Figure: the cold call of a skill with its own installed packages (a
 * fresh worker with the packages mounted and on its path, importing one),
 * against the cold call of the same skill without them, measured
 * interleaved on one engine with no spares.
 *
 * @module
 */
import { EngineProcess } from "../../tests/_engine_process.ts";
import { realPython } from "../../tests/_task_command.ts";
import type { BenchContext } from "./context.ts";

const SKILL = (id: string, requires: string, body: string) => ({
  "readme.md":
    `---\nid: ${id}\nname: ${id}\ndescription: bench\n${requires}---\n`,
  "main.py":
    `from agentos import returns\n\n\n@returns({"n": "integer"})\nasync def ping(**params):\n    """Answer."""\n${body}    return {"n": 1}\n`,
});

/** Measures cold calls with and without packages, interleaved. */
export async function packagesFigure(context: BenchContext): Promise<void> {
  const runs = context.quick ? 15 : 60;
  const work = await Deno.makeTempDir({ prefix: "agentos-bench-packages-" });
  try {
    const wheels = `${work}/wheels`;
    await Deno.mkdir(wheels);
    const build = await new Deno.Command(realPython(), {
      args: [
        new URL("../../tests/fixtures/wheels/build_wheels.py", import.meta.url)
          .pathname,
        wheels,
        "9",
      ],
      stderr: "piped",
    }).output();
    if (!build.success) throw new Error(new TextDecoder().decode(build.stderr));
    const skills = {
      plain: SKILL("bench-plain", "", ""),
      packaged: SKILL(
        "bench-packaged",
        "requires: [tinytext==1.0]\n",
        "    import tinytext  # noqa: F401\n",
      ),
    };
    await using engine = await EngineProcess.start({
      env: { AGENTOS_SPARE_WORKERS: "0" },
    });
    const client = await engine.client();
    for (const files of Object.values(skills)) {
      const id = files["readme.md"].match(/id: (\S+)/)![1]!;
      await Deno.mkdir(`${work}/${id}`);
      for (const [name, text] of Object.entries(files)) {
        await Deno.writeTextFile(`${work}/${id}/${name}`, text);
      }
      await client.call("skills.add", { path: `${work}/${id}` });
    }
    await client.call("skills.deps", {
      skill: "bench-packaged",
      find_links: wheels,
    });
    const samples = { plain: [] as number[], packaged: [] as number[] };
    for (let i = 0; i < runs + 2; i++) {
      for (const kind of ["plain", "packaged"] as const) {
        const started = performance.now();
        await client.call("skills.run", {
          skill: `bench-${kind}`,
          tool: "ping",
        });
        if (i >= 2) samples[kind].push(performance.now() - started);
      }
    }
    context.figures.record(
      "cold call of a skill importing its own package (skills.run, no spare)",
      "ms",
      samples.packaged,
      { name: "the same call without packages", samples: samples.plain },
    );
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}
