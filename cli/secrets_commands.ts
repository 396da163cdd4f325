import type { Command } from "./command.ts";
import { callEngine } from "./engine_connection.ts";
import { CliError, ExitCode } from "./exit_codes.ts";
import { print, printJson, printTable } from "./output.ts";

/** `agentos secrets set`. */
export const secretsSet: Command = {
  name: "secrets set",
  summary:
    "Store a credential in the vault (value from a hidden prompt or stdin, never argv)",
  usage: "secrets set <domain> [--identifier ID] [--field NAME]",
  help:
    `The value is read from standard input when it is not a terminal (one value;
a trailing newline is dropped), else from a prompt that does not echo.
It is stored encrypted as {NAME: value} (NAME defaults to "key", which is what
skills read as params["auth"]["key"]).

Examples:
  agentos secrets set api.openai.com
  printf %s "$TOKEN" | agentos secrets set api.example.com --identifier work`,
  options: { identifier: { type: "string" }, field: { type: "string" } },
  async run({ values, positionals }) {
    const [domain] = positionals;
    if (!domain) {
      throw new CliError(
        "Missing <domain>",
        ExitCode.Error,
        "See: agentos secrets set --help",
      );
    }
    const value = Deno.stdin.isTerminal()
      ? await promptHidden(`Value for ${domain}: `)
      : await readStdin();
    if (value === "") throw new CliError("Empty value; nothing stored");
    const field = (values.field as string | undefined) ?? "key";
    await callEngine("secrets.set", {
      domain,
      identifier: (values.identifier as string | undefined) ?? "",
      value: { [field]: value },
    });
    print(
      `Stored ${field} for ${domain}${
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
        updated_at: string;
      }[];
    }>("secrets.list");
    if (values.json) printJson(secrets);
    else {
      printTable(
        ["domain", "identifier", "fields", "updated"],
        secrets.map((
          s,
        ) => [s.domain, s.identifier, s.fields.join(","), s.updated_at]),
      );
    }
    return ExitCode.Ok;
  },
};

/** `agentos secrets delete`. */
export const secretsDelete: Command = {
  name: "secrets delete",
  summary: "Delete a stored credential",
  usage: "secrets delete <domain> [--identifier ID]",
  options: { identifier: { type: "string" } },
  async run({ values, positionals }) {
    const [domain] = positionals;
    if (!domain) {
      throw new CliError(
        "Missing <domain>",
        ExitCode.Error,
        "See: agentos secrets delete --help",
      );
    }
    const result = await callEngine<{ deleted: boolean }>("secrets.delete", {
      domain,
      identifier: (values.identifier as string | undefined) ?? "",
    });
    if (!result.deleted) throw new CliError(`No credential for ${domain}`);
    print(`Deleted the credential for ${domain}`);
    return ExitCode.Ok;
  },
};

async function readStdin(): Promise<string> {
  return (await new Response(Deno.stdin.readable).text()).replace(/\r?\n$/, "");
}

async function promptHidden(question: string): Promise<string> {
  const encoder = new TextEncoder();
  await Deno.stderr.write(encoder.encode(question));
  Deno.stdin.setRaw(true);
  const bytes: number[] = [];
  const buffer = new Uint8Array(1);
  try {
    while (true) {
      const n = await Deno.stdin.read(buffer);
      if (n === null) break;
      const byte = buffer[0]!;
      if (byte === 3) throw new CliError("Cancelled", ExitCode.Error); // Ctrl-C
      if (byte === 13 || byte === 10) break;
      if (byte === 127 || byte === 8) bytes.pop();
      else bytes.push(byte);
    }
  } finally {
    Deno.stdin.setRaw(false);
    await Deno.stderr.write(encoder.encode("\n"));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
