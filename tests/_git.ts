/** The host's git, run as the owner would run it (outside any sandbox). */
import assert from "node:assert/strict";

/**
 * Runs the host's git in a directory and returns its stdout.
 *
 * @param cwd where
 * @param args its arguments
 * @returns stdout
 * @throws {AssertionError} when git fails
 */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("git", {
    // The repository may belong to nobody (a root engine's programs): the
    // owner's git trusts it.
    args: ["-c", "safe.directory=*", ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: {
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@t",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@t",
    },
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout);
}

/**
 * A repository as an owner has one: one commit, an identity in its config,
 * and (under a root engine, whose programs run as nobody) owned by nobody.
 *
 * @param repo an empty directory
 */
export async function ownerRepository(repo: string): Promise<void> {
  await git(repo, "init", "-q");
  await git(repo, "config", "user.name", "Owner");
  await git(repo, "config", "user.email", "owner@example.com");
  await git(repo, "commit", "-q", "--allow-empty", "-m", "first commit");
  if (Deno.uid() === 0) {
    await new Deno.Command("chown", { args: ["-R", "65534:65534", repo] })
      .output();
  }
}
