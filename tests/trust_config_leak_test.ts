/**
 * A `--config` directory is read by the program, never handed to a skill
 * without `--secrets`: a skill that makes git print the granted config's
 * token files (`git diff --no-index /dev/null <file>`) receives
 * placeholders where the tokens were, one file per rule of the scan
 * (a secret-named key, a one-line token file, a netrc password, a URL's
 * password, a token-shaped word anywhere). `agentos skills allow …
 * --config` says what it hands over and `agentos skills list` shows it.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { runAgentos } from "./_cli.ts";
import { fixture } from "./skills_helpers.ts";

type Json = Record<string, unknown>;

const GH_TOKEN = "gho_T0kenFromTheConfigDir1234567890abcd";
const BARE_TOKEN = "bare-token-value-42";
const INI_SECRET = "s3cr3t-in-an-ini";
const NETRC_PASSWORD = "netrcPassw0rd";
const URL_PASSWORD = "UrlPassw0rd";
const WORD_TOKEN = "ghp_AbCdEf0123456789abcdefXYZ";
const SECRETS = [
  GH_TOKEN,
  BARE_TOKEN,
  INI_SECRET,
  NETRC_PASSWORD,
  URL_PASSWORD,
  WORD_TOKEN,
];

Deno.test("a --config directory's tokens never reach a skill without --secrets through a program's output", async (t) => {
  const work = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "agentos-config-" }),
  );
  const config = `${work}/gh`;
  await Deno.mkdir(`${config}/nested`, { recursive: true });
  await Deno.writeTextFile(
    `${config}/hosts.yml`,
    `github.com:\n    user: someone\n    oauth_token: ${GH_TOKEN}\n    git_protocol: https\n`,
  );
  await Deno.writeTextFile(`${config}/nested/token`, `${BARE_TOKEN}\n`);
  await Deno.writeTextFile(
    `${config}/settings.ini`,
    `[auth]\npassword = ${INI_SECRET}\nname = plain\n`,
  );
  await Deno.writeTextFile(
    `${config}/.netrc`,
    `machine example.com\n  login me password ${NETRC_PASSWORD}\n`,
  );
  await Deno.writeTextFile(
    `${config}/remotes.txt`,
    `origin https://me:${URL_PASSWORD}@github.com/me/repo\n`,
  );
  await Deno.writeTextFile(
    `${config}/notes.txt`,
    `remember ${WORD_TOKEN} for later\n`,
  );
  if (Deno.uid() === 0) {
    // A root engine's programs run as nobody: the owner's config must be
    // readable by it for this test to show anything.
    await Deno.chmod(work, 0o755);
  }
  try {
    await using engine = await EngineProcess.start({
      env: { AGENTOS_SPARE_WORKERS: "1" },
    });
    const client = await engine.client();
    const home = engine.paths.home;
    await client.call("skills.add", { path: fixture("git-tool") });
    const run = (args: string[]) =>
      client.call<{ result: Json }>("skills.run", {
        skill: "git-tool",
        tool: "run_args",
        params: { args },
      }).then((r) => r.result);

    await t.step("skills allow --config says what it hands over", async () => {
      const cli = await runAgentos(home, [
        "skills",
        "allow",
        "git-tool",
        "--run",
        "git",
        "--config",
        config,
      ]);
      assert.equal(cli.code, 0, cli.stderr);
      assert.match(cli.stdout, /config: .*gh/);
      assert.match(cli.stdout, /reads every file in it/);
      assert.match(cli.stdout, /print its tokens in any shape/);
      assert.match(
        cli.stdout,
        /no --secrets grant: its git calls are refused until: agentos skills allow git-tool --secrets/,
      );
      const list = await runAgentos(home, ["skills", "list"]);
      assert.equal(list.code, 0, list.stderr);
      assert.match(
        list.stdout,
        /LOCAL ACCESS\n.*git-tool +git \(private \/tmp; config, needs --secrets: \//,
      );
    });

    await t.step(
      "without --secrets the program does not run at all: no output, no token",
      async () => {
        for (const file of ["hosts.yml", "nested/token", ".netrc"]) {
          const error = await run([
            "diff",
            "--no-index",
            "/dev/null",
            `${config}/${file}`,
          ]).then((r) => JSON.stringify(r), (e) => String(e));
          assert.match(
            error,
            /with the owner's config \(--config\).*agentos skills allow git-tool --secrets/,
          );
          for (const secret of SECRETS) {
            assert.ok(!error.includes(secret), `${file}: ${error}`);
          }
        }
      },
    );

    await t.step(
      "with --secrets it runs and reads the config (the owner's trust)",
      async () => {
        await client.call("skills.allow", { skill: "git-tool", secrets: true });
        const out = await run([
          "diff",
          "--no-index",
          "/dev/null",
          `${config}/settings.ini`,
        ]);
        assert.match(out.stdout as string, /name = plain/);
        await client.call("skills.disallow", {
          skill: "git-tool",
          secrets: true,
        });
      },
    );
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});
