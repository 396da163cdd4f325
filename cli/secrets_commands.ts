import { promptHidden } from "./hidden_prompt.ts";
import type { Command } from "./command.ts";
import { callEngine } from "./engine_connection.ts";
import { CliError, ExitCode } from "./exit_codes.ts";
import { print, printError, printJson, printTable } from "./output.ts";

/** `agentos secrets set`. */
export const secretsSet: Command = {
  name: "secrets set",
  summary:
    "Store a credential in the vault (values from a hidden prompt or stdin, never argv)",
  usage:
    "secrets set <domain> [--for SKILL] [--identifier ID] [--field NAME]...\n" +
    "secrets set --skill ID [--identifier ID] [--field NAME]...",
  help: `A credential is stored either for a domain or for one skill:

  <domain>      for the connections whose domain= or base_url is that host
                (or a subdomain of it): agentos secrets set api.openai.com
  --skill ID    for a skill without connections (or a connection with
                neither base_url nor domain=), which receives it as
                params["auth"] and may send it only to the hosts it declares.
                It is that skill's alone: never a domain's, even when the id
                looks like a host (localhost, nas), and no domain's
                credential is ever handed to a skill by its id.

A domain's credential is used only by the skills allowed to use it:
  --for SKILL   the skill it is stored for (that skill alone)
  (no --for)    the skills installed now whose connections declare the
                domain (they are printed)
Replacing a stored credential keeps the skills it was allowed to; a skill
added later uses it only once you allow it: agentos skills allow SKILL
--credential DOMAIN. secrets list shows which skills may use each.

Each value is read from a prompt that does not echo, or from standard input
when it is not a terminal (one line per field, in order; a trailing newline is
dropped). It is stored encrypted as {NAME: value, ...}. NAME defaults to "key",
which is what skills read as params["auth"]["key"]; give --field once per field
for a credential of several (--field key --field secret). Values are never
taken from the command line.

Examples:
  agentos secrets set api.openai.com
  agentos secrets set example.com --for my-skill
  agentos secrets set --skill my-notes-skill
  printf %s "$TOKEN" | agentos secrets set api.example.com --identifier work
  printf '%s\\n%s\\n' "$KEY" "$SECRET" | agentos secrets set example.com --field key --field secret`,
  options: {
    identifier: { type: "string" },
    field: { type: "string", multiple: true },
    skill: { type: "string" },
    for: { type: "string" },
  },
  async run({ values, positionals }) {
    const place = rowPlace(values.skill, positionals, "set");
    const asking = values.for as string | undefined;
    const label = placeLabel(place);
    const names = (values.field as string[] | undefined) ?? ["key"];
    for (const name of names) {
      if (name.includes("=") || name.trim() === "") {
        throw new CliError(
          `--field takes a field name, not a value: "${
            name.split("=")[0]
          }" (values are read from a prompt or stdin, never argv)`,
          ExitCode.Error,
          "See: agentos secrets set --help",
        );
      }
    }
    if (new Set(names).size !== names.length) {
      throw new CliError(`--field names a field twice`);
    }
    const fields: Record<string, string> = {};
    if (Deno.stdin.isTerminal()) {
      for (const name of names) {
        fields[name] = await promptHidden(
          names.length === 1
            ? `Value for ${label}: `
            : `${name} for ${label}: `,
        );
      }
    } else {
      const text = await readStdin();
      const lines = names.length === 1 ? [text] : text.split(/\r?\n/);
      if (lines.length < names.length) {
        throw new CliError(
          `Expected ${names.length} lines on stdin (${
            names.join(", ")
          }), got ${lines.length}`,
        );
      }
      names.forEach((name, i) => fields[name] = lines[i]!);
    }
    const empty = names.filter((name) => fields[name] === "");
    if (empty.length > 0) {
      throw new CliError(`Empty value for ${empty.join(", ")}; nothing stored`);
    }
    const stored = await callEngine<{ users?: string[] }>("secrets.set", {
      ...place,
      identifier: (values.identifier as string | undefined) ?? "",
      value: fields,
      ...(asking !== undefined ? { for: asking } : {}),
    });
    print(
      `Stored ${names.join(", ")} for ${label}${
        values.identifier ? ` (${values.identifier})` : ""
      }`,
    );
    if (stored.users !== undefined) {
      print(
        `Skills that may use it: ${
          stored.users.join(", ") ||
          "none yet (allow one: agentos skills allow <skill> --credential " +
            label + ")"
        }`,
      );
    }
    if ("domain" in place) await noteSkillNamed(place.domain);
    return ExitCode.Ok;
  },
};

/**
 * A domain row stored under a name that is also an installed skill's id is
 * most likely meant for that skill (`--skill`): say so, since the skill will
 * never be handed it.
 */
async function noteSkillNamed(domain: string): Promise<void> {
  const { skills } = await callEngine<{ skills: { id: string }[] }>(
    "skills.list",
    {},
  );
  if (!skills.some((skill) => skill.id === domain)) return;
  printError(
    `Note: "${domain}" is also an installed skill's id. This stored a credential for the host ${domain}, which that skill is never given by its id; a skill's own credential is stored with: agentos secrets set --skill ${domain}`,
  );
}

/** A domain's row or a skill's own: exactly one, named on the command line. */
type Place = { domain: string } | { skill: string };

function rowPlace(
  skill: unknown,
  positionals: string[],
  verb: "set" | "delete",
): Place {
  const [domain, extra] = positionals;
  const help = `See: agentos secrets ${verb} --help`;
  if (typeof skill === "string") {
    if (domain !== undefined) {
      throw new CliError(
        `Give either <domain> or --skill ID, not both: a skill's own credential is never a domain's`,
        ExitCode.Error,
        help,
      );
    }
    return { skill };
  }
  if (!domain) {
    throw new CliError(
      "Missing <domain> (or --skill ID for a skill without connections)",
      ExitCode.Error,
      help,
    );
  }
  if (extra !== undefined) {
    throw new CliError(`Unexpected argument "${extra}"`, ExitCode.Error, help);
  }
  return { domain };
}

/** `example.com`, or `skill my-skill`: how a row is named in output. */
function placeLabel(row: { domain?: string; skill?: string }): string {
  return row.skill !== undefined ? `skill ${row.skill}` : String(row.domain);
}

/** `agentos secrets list`. */
export const secretsList: Command = {
  name: "secrets list",
  summary: "List stored credentials (metadata only, never values)",
  usage: "secrets list [--json]",
  help:
    `The first column says whom a credential is for: a domain (example.com), or
"skill <id>" for a skill's own credential (stored with secrets set --skill),
which no domain shares. "used by" lists the skills that may use a domain's
credential (agentos skills allow <skill> --credential <domain> adds one).
--json gives each row's "kind": "domain" or "skill", and "users".`,
  options: { json: { type: "boolean" } },
  async run({ values }) {
    const { secrets } = await callEngine<{
      secrets: {
        kind?: string;
        domain?: string;
        skill?: string;
        identifier: string;
        fields: string[];
        writer?: string | null;
        users?: string[] | null;
        updated_at: string;
      }[];
    }>("secrets.list");
    if (values.json) printJson(secrets);
    else {
      printTable(
        ["for", "identifier", "fields", "written by", "used by", "updated"],
        secrets.map((s) => [
          placeLabel(s),
          s.identifier,
          s.fields.join(","),
          writerLabel(s.writer),
          usersLabel(s),
          s.updated_at,
        ]),
      );
    }
    return ExitCode.Ok;
  },
};

/** The skills that may use a row: its skill for a skill's own credential. */
function usersLabel(
  row: { skill?: string; users?: string[] | null },
): string {
  if (row.skill !== undefined) return row.skill;
  if (row.users === null || row.users === undefined) {
    return "(not recorded yet)";
  }
  return row.users.join(", ") || "(none)";
}

/** `owner`, `skill <id>`, or `unknown` for a row older than writers. */
function writerLabel(writer: string | null | undefined): string {
  if (!writer) return "unknown";
  return writer.startsWith("skill:") ? `skill ${writer.slice(6)}` : writer;
}

/** `agentos secrets delete`. */
export const secretsDelete: Command = {
  name: "secrets delete",
  summary: "Delete a stored credential",
  usage: "secrets delete <domain> [--identifier ID]\n" +
    "secrets delete --skill ID [--identifier ID]",
  help: `<domain> deletes a domain's credential; --skill ID the skill's own one
(see agentos secrets set --help). agentos secrets list shows which is which.`,
  options: { identifier: { type: "string" }, skill: { type: "string" } },
  async run({ values, positionals }) {
    const place = rowPlace(values.skill, positionals, "delete");
    const label = placeLabel(place);
    const result = await callEngine<{ deleted: boolean }>("secrets.delete", {
      ...place,
      identifier: (values.identifier as string | undefined) ?? "",
    });
    if (!result.deleted) throw await notDeleted(place, values.identifier);
    print(`Deleted the credential for ${label}`);
    return ExitCode.Ok;
  },
};

/** The refusal naming what is there: the identifiers stored for the row. */
async function notDeleted(
  place: Place,
  identifier: unknown,
): Promise<CliError> {
  const { secrets } = await callEngine<
    { secrets: { domain?: string; skill?: string; identifier: string }[] }
  >("secrets.list");
  const here = secrets.filter((row) =>
    "skill" in place
      ? row.skill === place.skill
      : row.domain === place.domain.toLowerCase()
  );
  const ids = here.map((row) => row.identifier || "(none)");
  const label = placeLabel(place);
  const target = "skill" in place ? `--skill ${place.skill}` : place.domain;
  return new CliError(
    `No credential for ${label}${
      identifier ? ` with identifier "${identifier}"` : ""
    }${
      here.length > 0
        ? `; its identifiers: ${ids.join(", ")}`
        : "; see agentos secrets list"
    }`,
    ExitCode.Error,
    here.length > 0 && here[0]!.identifier
      ? `agentos secrets delete ${target} --identifier ${here[0]!.identifier}`
      : undefined,
  );
}

async function readStdin(): Promise<string> {
  return (await new Response(Deno.stdin.readable).text()).replace(/\r?\n$/, "");
}
