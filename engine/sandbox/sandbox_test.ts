import assert from "node:assert/strict";
import { Sandbox } from "./sandbox.ts";
import { PYTHON_SOURCE_DIR } from "../runtime_layout.ts";
import { realPython } from "../../tests/_task_command.ts";

Deno.test("after falling back from user namespaces, every worker command is built without them", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A bubblewrap that cannot create user namespaces, as on hosts that
    // forbid them: the probe must fall back, and workers must follow.
    const bwrap = `${dir}/bwrap`;
    const real = new TextDecoder().decode(
      (await new Deno.Command("sh", { args: ["-c", "command -v bwrap"] })
        .output()).stdout,
    ).trim();
    await Deno.writeTextFile(
      bwrap,
      `#!/bin/sh
for arg in "$@"; do
  if [ "$arg" = "--unshare-user" ]; then echo "no user namespaces here" >&2; exit 1; fi
done
exec ${real} "$@"
`,
      { mode: 0o755 },
    );
    const sandbox = await Sandbox.open({
      python: realPython(),
      sdkDir: PYTHON_SOURCE_DIR,
      bwrap,
      env: () => undefined,
    });
    assert.equal(sandbox.kind, "bubblewrap", sandbox.detail);
    assert.equal(sandbox.status().userNamespace, false);
    for (let i = 0; i < 2; i++) {
      const { args } = sandbox.command({ kind: "worker" });
      assert.ok(!args.includes("--unshare-user"), args.join(" "));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
