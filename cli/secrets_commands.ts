import { requireArg } from "./args.ts";
import { promptHidden } from "./hidden_prompt.ts";
import type { Command } from "./command.ts";
import { callEngine } from "./engine_connection.ts";
import { CliError, ExitCode } from "./exit_codes.ts";
import { print, printJson, printTable } from "./output.ts";

/** `agentos secrets set`. */
export const secretsSet: Command = {
  name: "secrets set",
  summary:
    "Store a credential in the vault (values from a hidden prompt or stdin, never argv)",
  usage: "secrets set <domain> [--identifier ID] [--field NAME]...",
  help:
    `Each value is read from a prompt that does not echo, or from standard input
when it is not a terminal (one line per field, in order; a trailing newline is
dropped). It is stored encrypted as {NAME: value, ...}. NAME defaults to "key",
which is what skills read as params["auth"]["key"]; give --field once per field
for a credential of several (--field key --field secret). Values are never
taken from the command line.

Examples:
  agentos secrets set api.openai.com
  printf %s "$TOKEN" | agentos secrets set api.example.com --identifier work
  printf '%s\\n%s\\n' "$KEY" "$SECRET" | agentos secrets set example.com --field key --field secret`,
  options: {
    identifier: { type: "string" },
    field: { type: "string", multiple: true },
  },
  async run({ values, positionals }) {
    const [domain] = positionals;
    if (!domain) {
      throw new CliError(
        "Missing <domain>",
        ExitCode.Error,
        "See: agentos secrets set --help",
      );
    }
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
            ? `Value for ${domain}: `
            : `${name} for ${domain}: `,
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
    await callEngine("secrets.set", {
      domain,
      identifier: (values.identifier as string | undefined) ?? "",
      value: fields,
    });
    print(
      `Stored ${names.join(", ")} for ${domain}${
        values.identifier ? ` (${values.identifier})` : ""
      }`,
    );
    return ExitCode.Ok;
  },
};

/** `agentos secrets list`. */
export const secretsList: Command = {
  name: "secrets list",
  summary: "List stored credentials (metadata only, never values)",
  usage: "secrets list [--json]",
  options: { json: { type: "boolean" } },
  async run({ values }) {
    const { secrets } = await callEngine<{
      secrets: {
        domain: string;
        identifier: string;
        fields: string[];
        writer?: string | null;
        updated_at: string;
      }[];
    }>("secrets.list");
    if (values.json) printJson(secrets);
    else {
      printTable(
        ["domain", "identifier", "fields", "written by", "updated"],
        secrets.map((s) => [
          s.domain,
          s.identifier,
          s.fields.join(","),
          writerLabel(s.writer),
          s.updated_at,
        ]),
      );
    }
    return ExitCode.Ok;
  },
};

/** `owner`, `skill <id>`, or `unknown` for a row older than writers. */
function writerLabel(writer: string | null | undefined): string {
  if (!writer) return "unknown";
  return writer.startsWith("skill:") ? `skill ${writer.slice(6)}` : writer;
}

/** `agentos secrets delete`. */
export const secretsDelete: Command = {
  name: "secrets delete",
  summary: "Delete a stored credential",
  usage: "secrets delete <domain> [--identifier ID]",
  options: { identifier: { type: "string" } },
  async run({ values, positionals }) {
    const domain = requireArg(positionals, 0, "domain");
    const result = await callEngine<{ deleted: boolean }>("secrets.delete", {
      domain,
      identifier: (values.identifier as string | undefined) ?? "",
    });
    if (!result.deleted) {
      // Name what is there: the identifiers stored for this domain.
      const { secrets } = await callEngine<
        { secrets: { domain: string; identifier: string }[] }
      >("secrets.list");
      const here = secrets.filter((row) => row.domain === domain.toLowerCase());
      const ids = here.map((row) => row.identifier || "(none)");
      throw new CliError(
        `No credential for ${domain}${
          values.identifier ? ` with identifier "${values.identifier}"` : ""
        }${
          here.length > 0
            ? `; its identifiers: ${ids.join(", ")}`
            : "; see agentos secrets list"
        }`,
        ExitCode.Error,
        here.length > 0 && here[0]!.identifier
          ? `agentos secrets delete ${domain} --identifier ${
            here[0]!.identifier
          }`
          : undefined,
      );
    }
    print(`Deleted the credential for ${domain}`);
    return ExitCode.Ok;
  },
};

async function readStdin(): Promise<string> {
  return (await new Response(Deno.stdin.readable).text()).replace(/\r?\n$/, "");
}
