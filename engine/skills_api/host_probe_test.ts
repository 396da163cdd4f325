/**
 * The prompt's host probe on a real sandbox: programs resolved and checked
 * with the CLI's code, `--read` paths resolved inside their top-level
 * folder, and what is never offered.
 */
import assert from "node:assert/strict";
import { RpcError } from "../errors.ts";
import type { ReadGrantStore } from "../grants/mod.ts";
import { openTestSandbox } from "../../tests/_sandbox.ts";
import { probeProgram, probeReadPath } from "./host_probe.ts";
import { probedRead } from "./probed_grants.ts";

Deno.test("probeProgram() and probeReadPath() resolve as the CLI does and refuse what is never offered", async () => {
  const dir = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "agentos-probe-test-" }),
  );
  const sandbox = await openTestSandbox(dir);
  try {
    assert.equal(await probeProgram(sandbox, "true"), "/usr/bin/true");
    for (const name of ["sh", "python3", "rbash", "ldd", "gi\u202et", ".."]) {
      await assert.rejects(probeProgram(sandbox, name), RpcError, name);
    }
    await assert.rejects(
      probeProgram(sandbox, "rbash"),
      /is \/usr\/bin\/bash, which runs other programs/,
    );
    await assert.rejects(probeProgram(sandbox, "ldd"), /it is a script/);

    const home = `${dir}/home`;
    await Deno.mkdir(home);
    await Deno.writeTextFile(`${dir}/app.db`, "");
    await Deno.symlink(`${dir}/app.db`, `${dir}/link.db`);
    const engine = { home, ids: [] };
    const found = await probeReadPath(sandbox, `${dir}/app.db`, engine);
    const stat = await Deno.lstat(`${dir}/app.db`);
    assert.deepEqual(found, {
      path: `${dir}/app.db`,
      pin: `${stat.dev}:${stat.ino}`,
    });
    const refused: [string, RegExp][] = [
      ["/proc/self/environ", /a file of the system/],
      ["/etc/passwd", /a file of the system/],
      ["/x.db", /not an absolute path inside a folder/],
      [`${dir}/../x.db`, /not an absolute path inside a folder/],
      [dir, /engine's home/],
      [`${home}/data.db`, /does not exist/],
      [`${dir}/nothing.db`, /does not exist/],
    ];
    for (const [path, why] of refused) {
      await assert.rejects(probeReadPath(sandbox, path, engine), why, path);
    }
    // A link is resolved, and not offered under the name the skill used.
    const reads = {
      get: () => ({ paths: [] }),
    } as unknown as ReadGrantStore;
    await assert.rejects(
      probedRead({ sandbox, engineHome: home, reads }, {
        skill: "s",
        path: `${dir}/link.db`,
      }),
      /is a link to .*app\.db: the skill must name the real path/,
    );
    await assert.rejects(
      probedRead({ sandbox, engineHome: home, reads }, {
        skill: "s",
        path: "~/app.db",
      }),
      /names the owner's home, which the engine does not know yet/,
    );
  } finally {
    await sandbox.close();
    await Deno.remove(dir, { recursive: true });
  }
});
