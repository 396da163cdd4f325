/**
 * stageCommand()'s namespace: the stage script mounts (a tmpfs, the
 * folder's overlay), which an engine that is not root may do only in a
 * user namespace of its own; a root engine mounts as it is (in a user
 * namespace its setpriv could not become nobody). Run for real as an
 * unprivileged user (nobody, through setpriv, when the test runs as
 * root): the namespace the command makes, with the stage script swapped
 * for a probe that mounts the way it does.
 */
import assert from "node:assert/strict";
import { stageCommand } from "./grant_stage.ts";
import type { SandboxIdentity } from "../../sandbox/mod.ts";

const STAGE = {
  folder: "/nonexistent/folder",
  write: false,
  bytes: 1024 * 1024,
  dir: "/nonexistent/stage",
};

/** The command's namespace set-up (what runs before its script), running `probe` instead. */
function namespaceOf(identity: SandboxIdentity, probe: string): string[] {
  const argv = stageCommand(STAGE, identity, ["bwrap", "--", "true"], [
    "--",
    "true",
  ]);
  const script = argv.indexOf("/bin/sh");
  assert.ok(script > 0, argv.join(" "));
  return [...argv.slice(0, script), "/bin/sh", "-c", probe];
}

/** Runs argv as an unprivileged user: nobody when we are root, else ourselves. */
async function runUnprivileged(argv: string[]) {
  const full = Deno.uid() === 0
    ? [
      "setpriv",
      "--reuid",
      "65534",
      "--regid",
      "65534",
      "--clear-groups",
      ...argv,
    ]
    : argv;
  const out = await new Deno.Command(full[0]!, {
    args: full.slice(1),
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/** Whether this host lets an unprivileged user make a user namespace. */
async function userNamespacesAllowed(): Promise<boolean> {
  const out = await runUnprivileged(["unshare", "--user", "true"]);
  return out.code === 0;
}

Deno.test("stageCommand(): an engine that is not root makes the stage's mount namespace in a user namespace of its own, and can mount there", async (t) => {
  if (!(await userNamespacesAllowed())) {
    await t.step(
      "skipped: this host refuses unprivileged user namespaces",
      () => {},
    );
    return;
  }
  const probe = "mount -t tmpfs none /tmp && echo mounted";
  const userns = await runUnprivileged(namespaceOf("userns", probe));
  assert.equal(userns.code, 0, userns.stderr);
  assert.equal(userns.stdout, "mounted\n");
  // Without a user namespace of its own an unprivileged engine cannot
  // even make the mount namespace: what a root engine's command does.
  const root = await runUnprivileged(namespaceOf("setpriv", probe));
  assert.notEqual(root.code, 0, root.stdout);
});

Deno.test("stageCommand(): a root engine's stage runs as root in the host's user namespace (its setpriv must be able to become nobody)", async (t) => {
  if (Deno.uid() !== 0) {
    await t.step("skipped: needs a root engine", () => {});
    return;
  }
  const out = await new Deno.Command("unshare", {
    args: namespaceOf(
      "setpriv",
      "mount -t tmpfs none /tmp && cat /proc/self/uid_map",
    ).slice(1),
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  // The initial user namespace maps every uid to itself.
  assert.match(stdout, /^\s*0\s+0\s+4294967295\s*$/);
});
