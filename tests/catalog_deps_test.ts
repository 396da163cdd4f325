/**
 * Gap 5 of issue 26: a published skill imports a package and declares no
 * `requires:`. `agentos skills deps <skill>` infers the distribution from
 * the import (a documented map where the names differ: `yaml` → PyYAML)
 * and installs it from `--find-links`; before that, `skills add`, `skills
 * list` and the failing run name that one command. The wheels are built
 * here with zipfile (no index is reachable), their import names differing
 * from their distribution names.
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../engine/errors.ts";
import { EngineProcess } from "./_engine_process.ts";
import { runAgentos } from "./_cli.ts";
import { realPython } from "./_task_command.ts";
import { gapFixture } from "./_catalog_gaps.ts";
import { rejectsWith } from "./skills_helpers.ts";

type Json = Record<string, unknown>;

/** Builds pure-Python wheels whose import name is not the distribution's. */
async function buildWheels(out: string): Promise<void> {
  const script = `
import base64, hashlib, sys, zipfile

def wheel(out, dist, version, files):
    info = f"{dist}-{version}.dist-info"
    files = dict(files)
    files[f"{info}/METADATA"] = f"Metadata-Version: 2.1\\nName: {dist}\\nVersion: {version}\\n".encode()
    files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\\nGenerator: agentos-tests\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"
    def line(name, data):
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        return f"{name},sha256={digest},{len(data)}"
    record = [line(p, d) for p, d in files.items()] + [f"{info}/RECORD,,"]
    files[f"{info}/RECORD"] = ("\\n".join(record) + "\\n").encode()
    with zipfile.ZipFile(f"{out}/{dist}-{version}-py3-none-any.whl", "w") as archive:
        for member, data in files.items():
            archive.writestr(member, data)

out = sys.argv[1]
wheel(out, "PyYAML", "6.0.1", {"yaml/__init__.py": (
    b"def safe_load(text):\\n"
    b"    pairs = (line.split(':', 1) for line in text.splitlines() if ':' in line)\\n"
    b"    return {k.strip(): v.strip() for k, v in pairs}\\n")})
wheel(out, "yaml", "9.9", {"yaml/__init__.py": b"raise SystemExit('the wrong distribution was installed')\\n"})
`;
  const built = await new Deno.Command(realPython(), {
    args: ["-I", "-c", script, out],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(built.success, new TextDecoder().decode(built.stderr));
}

Deno.test("gap 5: skills deps infers PyYAML from import yaml; add, list and the run name the command", async (t) => {
  const work = await Deno.makeTempDir({ prefix: "agentos-gap5-" });
  try {
    await Deno.mkdir(`${work}/wheels`);
    await buildWheels(`${work}/wheels`);
    await using engine = await EngineProcess.start({
      env: { AGENTOS_SPARE_WORKERS: "0" },
    });
    const client = await engine.client();
    const cli = (args: string[]) =>
      runAgentos(engine.paths.home, args, undefined, { INIT_CWD: work });
    const command = /agentos skills deps yaml-config/;

    await t.step("skills add accepts it and names the command", async () => {
      const added = await cli(["skills", "add", gapFixture("yaml-config")]);
      assert.equal(added.code, 0, added.stdout + added.stderr);
      assert.match(added.stdout, /"yaml".*PyYAML/);
      assert.match(added.stdout, command);
    });

    await t.step("skills list names the command", async () => {
      const listed = await cli(["skills", "list"]);
      assert.match(listed.stdout, command);
      const { skills } = await client.call<{ skills: Json[] }>("skills.list");
      const view = skills.find((s) => s.id === "yaml-config")!;
      assert.deepEqual(view.packages, {
        requires: ["PyYAML"],
        inferred: true,
        state: "missing",
        command: "agentos skills deps yaml-config",
      });
    });

    await t.step(
      "a run before the install names the command, not ModuleNotFoundError",
      async () => {
        const error = await rejectsWith(
          client.call("skills.run", {
            skill: "yaml-config",
            tool: "parse",
            params: { text: "a: 1" },
          }),
          ErrorCode.Forbidden,
          /needs Python packages \(PyYAML\).*agentos skills deps yaml-config/,
        );
        assert.doesNotMatch(error.message, /ModuleNotFoundError/);
      },
    );

    await t.step(
      "skills deps installs the inferred distribution and the skill runs",
      async () => {
        const installed = await cli([
          "skills",
          "deps",
          "yaml-config",
          "--find-links",
          "wheels",
        ]);
        assert.equal(installed.code, 0, installed.stderr);
        assert.match(
          installed.stdout,
          /Installed 1 wheel\(s\) for yaml-config \(PyYAML\)/,
        );
        const { result } = await client.call<{ result: Json }>("skills.run", {
          skill: "yaml-config",
          tool: "parse",
          params: { text: "name: ada\nrole: owner" },
        });
        assert.deepEqual(result, { settings: { name: "ada", role: "owner" } });
        const { skills } = await client.call<{ skills: Json[] }>("skills.list");
        const view = skills.find((s) => s.id === "yaml-config")!;
        assert.equal((view.packages as Json).state, "installed");
      },
    );
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});
