import { requireArg } from "./args.ts";
import { type Command, type CommandArgs, JSON_OPTION } from "./command.ts";
import { callEngine } from "./engine_connection.ts";
import { CliError, ExitCode } from "./exit_codes.ts";
import { print, printJson, printPairs } from "./output.ts";

/** `agentos graph create`. */
export const graphCreate: Command = {
  name: "graph create",
  summary: "Create (or upsert by identity) a record of a shape",
  usage:
    "graph create <shape> <values-json> [--json]\ngraph create --node <values-json>   (a node without shape)",
  help:
    `Values are coerced to the shape's field types; what cannot be coerced is kept
as text and reported as a warning. A record matching an existing one by the
shape's identity updates it instead.

Example:
  agentos graph create task '{"name": "Pay rent", "priority": "1", "dueAt": "2026-12-01"}'`,
  options: { ...JSON_OPTION, node: { type: "boolean" } },
  async run({ values, positionals }) {
    const params = values.node
      ? { values: parseJsonArg(requireArg(positionals, 0, "values-json")) }
      : {
        shape: requireArg(positionals, 0, "shape"),
        values: parseJsonArg(requireArg(positionals, 1, "values-json")),
      };
    return printWrite(await callEngine("graph.create", params), values);
  },
};

/** `agentos graph update`. */
export const graphUpdate: Command = {
  name: "graph update",
  summary: "Set values on a node (null removes a value)",
  usage: "graph update <id> <values-json> [--json]",
  options: JSON_OPTION,
  async run({ values, positionals }) {
    const result = await callEngine("graph.update", {
      id: requireArg(positionals, 0, "id"),
      values: parseJsonArg(requireArg(positionals, 1, "values-json")),
    });
    return printWrite(result, values);
  },
};

function softDeleteCommand(verb: "delete" | "restore"): Command {
  return {
    name: `graph ${verb}`,
    summary: verb === "delete"
      ? "Soft-delete a node or an edge (restorable)"
      : "Restore a soft-deleted node or edge",
    usage: `graph ${verb} <id> [--json]`,
    options: JSON_OPTION,
    async run({ values, positionals }) {
      return printWrite(
        await callEngine(`graph.${verb}`, {
          id: requireArg(positionals, 0, "id"),
        }),
        values,
      );
    },
  };
}

/** `agentos graph delete`. */
export const graphDelete: Command = softDeleteCommand("delete");
/** `agentos graph restore`. */
export const graphRestore: Command = softDeleteCommand("restore");

/** `agentos graph link`. */
export const graphLink: Command = {
  name: "graph link",
  summary: "Link two nodes with a labelled edge (snake_case verb phrase)",
  usage: "graph link <from-id> <label> <to-id> [values-json] [--json]",
  options: JSON_OPTION,
  async run({ values, positionals }) {
    const params: Record<string, unknown> = {
      from: requireArg(positionals, 0, "from-id"),
      label: requireArg(positionals, 1, "label"),
      to: requireArg(positionals, 2, "to-id"),
    };
    if (positionals[3]) params.values = parseJsonArg(positionals[3]);
    return printWrite(await callEngine("graph.link", params), values);
  },
};

/** `agentos graph unlink`. */
export const graphUnlink: Command = {
  name: "graph unlink",
  summary: "Remove an edge (by id, or by from, label and to)",
  usage:
    "graph unlink <edge-id> [--json]\ngraph unlink <from-id> <label> <to-id> [--json]",
  options: JSON_OPTION,
  async run({ values, positionals }) {
    const params = positionals.length >= 3
      ? { from: positionals[0], label: positionals[1], to: positionals[2] }
      : { id: requireArg(positionals, 0, "edge-id") };
    return printWrite(await callEngine("graph.unlink", params), values);
  },
};

function parseJsonArg(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError(`Not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CliError(`Expected a JSON object, got ${text.slice(0, 80)}`);
  }
  return value as Record<string, unknown>;
}

function printWrite(result: unknown, values: CommandArgs["values"]): number {
  if (values.json) {
    printJson(result);
    return ExitCode.Ok;
  }
  const record = result as Record<string, unknown>;
  printPairs(Object.entries(record).filter(([key]) => key !== "warnings"));
  for (const warning of (record.warnings as string[] | undefined) ?? []) {
    print(`warning: ${warning}`);
  }
  return ExitCode.Ok;
}
