import { requireArg } from "./args.ts";
import { type Command, JSON_OPTION } from "./command.ts";
import { callEngine } from "./engine_connection.ts";
import { CliError, ExitCode } from "./exit_codes.ts";
import { print, printJson } from "./output.ts";
import {
  HOST_GRANT_OPTIONS,
  readGrant,
  runGrant,
} from "./skills_host_grant.ts";

/** `skills allow --help`: what each kind of grant opens, and examples. */
const ALLOW_HELP =
  `A granted host is reached exactly as named (no subdomains). With a port,
only that port, and the host may be a private address (a service on your
network or this machine), which skills otherwise never reach; without one,
every port, public addresses only. A host that is private by its name
(localhost, 127.0.0.1, 192.168.x.x) must name its port, so one grant never
opens every local service. --open-web lets a skill that declares open_web in
its readme reach any public host. --secrets gives a skill the real values of
its credentials instead of placeholders: for a skill that splits, encodes or
signs with its key, or returns it (a logo URL); its results are then not
redacted. Grants persist; see them in skills list (the secrets column).

--run lets a skill run a program its readme declares (shell: [git]): found
once in /usr/local/bin, /usr/bin or /bin and run under its own sandbox with
no network (--net: only through the engine's proxy, to the hosts the skill
may reach, each connection audited), no home,
only --cwd DIR of your files (read-only unless you add --write; each call
may then write up to 64 MiB there, --write-limit 256M raises it, and past
it the program gets "no space left"; a call that is killed leaves nothing)
and only --config DIR (e.g. ~/.config/gh) of your config visible: the
program reads every file in it and can print its tokens in any shape, so
a program granted --config runs only while the skill also has --secrets
(values that look like tokens are still masked in output a masked skill
would read). Shells, interpreters and launchers (env, stdbuf…) are never
runnable.

--keychain ITEM lets a skill read one keychain item (on Linux: the vault row
keychain, identifier ITEM or ITEM/account) that its readme declares
(keychain: [ITEM]); grant each item by name. Without --secrets the skill
holds it only as a placeholder the engine's crypto ops can use.

--credential DOMAIN lets a skill use the credential stored for DOMAIN (and
its subdomains) that was stored for other skills: its requests to that
domain then carry your key. A stored credential is used only by the skill it
was stored for (agentos secrets set DOMAIN --for SKILL, or the link an MCP
client showed for the skill), or, stored naming no skill, by the skills
installed at that moment whose connections declare DOMAIN; any skill added
later needs this grant. Only a domain the skill's connections declare can be
allowed. secrets list shows which skills may use each credential.

--read lets a skill open a local database file (or any under a directory)
read-only with sql.query, e.g. an application's history. A file the
application holds locked is read from a private copy.

Examples:
  agentos skills allow my-skill api.example.com
  agentos skills allow openai-compatible localhost:11434
  agentos skills allow web-reader --open-web
  agentos skills allow git --run git --cwd ~/src/project --write
  agentos skills allow porkbun --secrets
  agentos skills allow chrome-cookies --keychain "Chrome Safe Storage"
  agentos skills allow my-other-skill --credential example.com`;

/** `skills disallow --help`. */
const DISALLOW_HELP = `Examples:
  agentos skills disallow my-skill api.example.com
  agentos skills disallow openai-compatible localhost:11434
  agentos skills disallow web-reader --open-web
  agentos skills disallow porkbun --secrets
  agentos skills disallow my-other-skill --credential example.com`;

function grantCommand(allow: boolean): Command {
  const verb = allow ? "allow" : "disallow";
  return {
    name: `skills ${verb}`,
    summary: allow
      ? "Let a skill reach a host (or, if it declares open_web, any public host), run a program, use a stored credential, or see real credential values"
      : "Take back a host, open web access, a program, a stored credential or real credential values granted to a skill",
    usage:
      `skills ${verb} <skill> <host[:port]>\nskills ${verb} <skill> --open-web\nskills ${verb} <skill> --secrets\nskills ${verb} <skill> --keychain <item>\nskills ${verb} <skill> --credential <domain>\nskills ${verb} <skill> --read <path>\nskills ${verb} <skill> --run <program>${
        allow
          ? " [--cwd DIR [--write] [--write-limit SIZE]] [--config DIR]... [--net]"
          : ""
      }`,
    help: allow ? ALLOW_HELP : DISALLOW_HELP,
    options: {
      "open-web": { type: "boolean" },
      secrets: { type: "boolean" },
      keychain: { type: "string" },
      credential: { type: "string" },
      ...HOST_GRANT_OPTIONS,
      ...JSON_OPTION,
    },
    async run({ values, positionals }) {
      const skill = requireArg(positionals, 0, "skill");
      if (values.run !== undefined) return await runGrant(allow, skill, values);
      if (values.read !== undefined) {
        return await readGrant(allow, skill, values);
      }
      const host = positionals[1];
      const openWeb = values["open-web"] === true;
      const json = values.json === true;
      if (values.credential !== undefined) {
        return await credentialGrant(allow, skill, {
          domain: String(values.credential),
          json,
        });
      }
      if (values.keychain !== undefined) {
        return await keychainGrant(allow, skill, {
          item: String(values.keychain),
          json,
        });
      }
      if (values.secrets === true) {
        if (host !== undefined || openWeb) {
          throw new CliError(
            `Give a host, --open-web or --secrets, one at a time`,
            ExitCode.Error,
            `See: agentos skills ${verb} --help`,
          );
        }
        return await secretsGrant(allow, skill, json);
      }
      if ((host === undefined) === !openWeb) {
        throw new CliError(
          `Give a host, --open-web or --secrets`,
          ExitCode.Error,
          `See: agentos skills ${verb} --help`,
        );
      }
      return await reachGrant(allow, skill, openWeb ? undefined : host, json);
    },
  };
}

/** `--secrets`: the skill gets (or loses) the real values of its credentials. */
async function secretsGrant(
  allow: boolean,
  skill: string,
  json: boolean,
): Promise<number> {
  const verb = allow ? "allow" : "disallow";
  const out = await callEngine<{ skill: string; secrets: string }>(
    `skills.${verb}`,
    { skill, secrets: true },
  );
  if (json) printJson(out);
  else {
    print(
      allow
        ? `Skill ${out.skill} now receives real credential values`
        : `Skill ${out.skill} no longer receives real credential values`,
    );
    print(`Credentials: ${out.secrets}`);
  }
  return ExitCode.Ok;
}

/** `--credential <domain>`: a stored credential shared with the skill, or taken back. */
async function credentialGrant(
  allow: boolean,
  skill: string,
  { domain, json }: { domain: string; json: boolean },
): Promise<number> {
  const verb = allow ? "allow" : "disallow";
  const out = await callEngine<
    { skill: string; credentials_allowed: string[] }
  >(`skills.${verb}`, { skill, credential: domain });
  if (json) printJson(out);
  else {
    print(
      allow
        ? `Skill ${out.skill} may now use the credential stored for ${domain}`
        : `Skill ${out.skill} may no longer use the credential stored for ${domain}`,
    );
    print(
      `Stored credentials it was allowed: ${
        out.credentials_allowed.join(", ") || "none"
      }`,
    );
  }
  return ExitCode.Ok;
}

/** `--keychain <item>`: one declared keychain item, granted or taken back. */
async function keychainGrant(
  allow: boolean,
  skill: string,
  { item, json }: { item: string; json: boolean },
): Promise<number> {
  const verb = allow ? "allow" : "disallow";
  const out = await callEngine<{
    skill: string;
    keychain: { item: string; granted: boolean }[];
  }>(`skills.${verb}`, { skill, keychain: item });
  if (json) {
    printJson(out);
    return ExitCode.Ok;
  }
  print(
    allow
      ? `Skill ${out.skill} may now read the keychain item ${
        JSON.stringify(item)
      }`
      : `Skill ${out.skill} may no longer read the keychain item ${
        JSON.stringify(item)
      }`,
  );
  const granted = out.keychain.filter((k) => k.granted).map((k) => k.item);
  print(`Keychain items granted: ${granted.join(", ") || "(none)"}`);
  return ExitCode.Ok;
}

/**
 * A host, or the open web when `host` is undefined: granted or taken back,
 * then what the skill may reach now.
 */
async function reachGrant(
  allow: boolean,
  skill: string,
  host: string | undefined,
  json: boolean,
): Promise<number> {
  const verb = allow ? "allow" : "disallow";
  const openWeb = host === undefined;
  const out = await callEngine<{
    skill: string;
    grants: { hosts: string[]; openWeb: boolean };
  }>(
    `skills.${verb}`,
    openWeb ? { skill, open_web: true } : { skill, host },
  );
  if (json) {
    printJson(out);
    return ExitCode.Ok;
  }
  const what = openWeb ? "the open web" : `host ${host}`;
  print(
    allow
      ? `Skill ${out.skill} may now reach ${what}`
      : `Skill ${out.skill} may no longer reach ${what}`,
  );
  const now = [
    ...out.grants.hosts,
    ...(out.grants.openWeb ? ["open web"] : []),
  ];
  print(`Granted: ${now.join(", ") || "(nothing)"}`);
  return ExitCode.Ok;
}

/** `agentos skills allow`. */
export const skillsAllow: Command = grantCommand(true);
/** `agentos skills disallow`. */
export const skillsDisallow: Command = grantCommand(false);
