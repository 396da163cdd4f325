import assert from "node:assert/strict";
import { Sandbox } from "./sandbox.ts";
import { DEFAULT_LIMITS } from "./resource_limits.ts";
import { readHostFacts } from "./sandbox_kind.ts";
import { PYTHON_SOURCE_DIR } from "../runtime_layout.ts";
import { realPython } from "../../tests/_task_command.ts";

Deno.test("an ordinary user's engine, after falling back from user namespaces, builds every worker command without them", async () => {
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
      uid: 1000,
      filterPath: `${dir}/seccomp.bpf`,
    });
    assert.equal(sandbox.kind, "bubblewrap", sandbox.detail);
    assert.equal(sandbox.status().userNamespace, false);
    for (let i = 0; i < 2; i++) {
      const { args } = sandbox.command({ kind: "worker" });
      assert.ok(!args.includes("--unshare-user"), args.join(" "));
    }
    await sandbox.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a root engine's workers are nobody outside, filtered from pid 1, in their own cgroup, with sized tmpfs only", async () => {
  const dir = await Deno.makeTempDir();
  const sandbox = await Sandbox.open({
    python: realPython(),
    sdkDir: PYTHON_SOURCE_DIR,
    env: () => undefined,
    filterPath: `${dir}/seccomp.bpf`,
  });
  try {
    assert.equal(sandbox.kind, "bubblewrap", sandbox.detail);
    const containment = sandbox.status().containment as Record<string, unknown>;
    if ((await readHostFacts("/bin/sh")).uid === 0) {
      assert.equal(containment.identity, "setpriv");
      assert.equal(containment.uidOutside, 65534);
    }
    assert.equal(containment.uidInside, 65534);
    assert.equal(containment.seccompOnPid1, true);
    assert.equal(containment.noNewPrivs, true);
    assert.equal(containment.capabilities, "0000000000000000");
    assert.deepEqual(containment.tmpfs, {
      "/tmp": DEFAULT_LIMITS.tmpBytes,
      "/dev/shm": DEFAULT_LIMITS.shmBytes,
    });
    assert.deepEqual(containment.readOnly, { "/": true, "/dev": true });
    const { args } = sandbox.command({ kind: "worker" });
    assert.ok(!args.includes("--unshare-user"), args.join(" "));
  } finally {
    await sandbox.close();
    await Deno.remove(dir, { recursive: true });
  }
});
