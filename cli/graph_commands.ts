import { requireArg } from "./args.ts";
import type { Command, CommandArgs } from "./command.ts";
import { callEngine } from "./engine_connection.ts";
import { CliError, ExitCode } from "./exit_codes.ts";
import { print, printJson, printPairs, printTable } from "./output.ts";

const JSON_OPTION = { json: { type: "boolean" } } as const;

/** `agentos graph list`. */
export const graphList: Command = {
  name: "graph list",
  summary: "List nodes by shape, value filters or full-text search",
  usage:
    "graph list [<shape>] [--where key=value]... [--q words] [--sort key|-key] [--limit N] [--cursor C] [--json]",
  help: `Options:
  --where EXPR   A filter: key=value, key!=value, key<value, key>value, key<=value,
                 key>=value or key~text (contains). Repeat for more (all must hold).
  --q WORDS      Full-text search over string and text values
  --sort KEY     Sort by a value ascending, -KEY descending (default: newest first)
  --limit N      Page size, 1-500 (default 50)
  --cursor C     Continue after the page that printed this cursor
  --deleted      Include soft-deleted nodes
  --json         Print {items, cursor} as JSON

Examples:
  agentos graph list task --where done=false --sort -priority
  agentos graph list --q "quarterly report"`,
  options: {
    ...JSON_OPTION,
    where: { type: "string", multiple: true },
    q: { type: "string" },
    sort: { type: "string" },
    limit: { type: "string" },
    cursor: { type: "string" },
    deleted: { type: "boolean" },
  },
  async run({ values, positionals }) {
    const params: Record<string, unknown> = {};
    if (positionals[0]) params.shape = positionals[0];
    if (values.where) {
      params.where = (values.where as string[]).map(parseFilter);
    }
    if (values.q) params.q = values.q;
    if (values.sort) params.sort = values.sort;
    if (values.limit) params.limit = Number(values.limit);
    if (values.cursor) params.cursor = values.cursor;
    if (values.deleted) params.includeDeleted = true;
    const page = await callEngine<{ items: ListItem[]; cursor: string | null }>(
      "graph.list",
      params,
    );
    if (values.json) {
      printJson(page);
      return ExitCode.Ok;
    }
    printTable(
      ["id", "shapes", "title", "updated"],
      page.items.map((
        item,
      ) => [
        item.id,
        item.shapes.join(","),
        title(item.values),
        item.updated_at,
      ]),
    );
    if (page.cursor) {
      print(
        `\nMore: agentos graph list ${
          positionals.join(" ")
        } --cursor ${page.cursor}`,
      );
    }
    return ExitCode.Ok;
  },
};

/** `agentos graph get`. */
export const graphGet: Command = {
  name: "graph get",
  summary: "Show one node: values, shapes and edges both ways",
  usage: "graph get <id> [--json]",
  options: JSON_OPTION,
  async run({ values, positionals }) {
    const node = await callEngine<Node>("graph.get", {
      id: requireArg(positionals, 0, "id"),
    });
    if (values.json) {
      printJson(node);
      return ExitCode.Ok;
    }
    printPairs([
      ["id", node.id],
      ["shapes", node.shapes.join(", ")],
      ["created", node.created_at],
      ["updated", node.updated_at],
      ...(node.deleted_at
        ? [["deleted", node.deleted_at] as [string, unknown]]
        : []),
      ...Object.entries(node.values),
    ]);
    for (const edge of node.edges_out) print(`  —${edge.label}→ ${edge.to}`);
    for (const edge of node.edges_in) print(`  ←${edge.label}— ${edge.from}`);
    return ExitCode.Ok;
  },
};

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

/** `agentos graph history`. */
export const graphHistory: Command = {
  name: "graph history",
  summary: "Show a node's story: every change to it and its edges",
  usage: "graph history <id> [--limit N] [--json]",
  options: { ...JSON_OPTION, limit: { type: "string" } },
  async run({ values, positionals }) {
    const params: Record<string, unknown> = {
      id: requireArg(positionals, 0, "id"),
    };
    if (values.limit) params.limit = Number(values.limit);
    const history = await callEngine<{ changes: Change[] }>(
      "graph.history",
      params,
    );
    if (values.json) {
      printJson(history);
      return ExitCode.Ok;
    }
    printTable(
      ["change", "at", "actor", "op", "key", "old", "new"],
      history.changes.map((
        c,
      ) => [c.id, c.at, c.actor, c.op, c.key, c.old, c.new]),
    );
    return ExitCode.Ok;
  },
};

/** `agentos shapes list`. */
export const shapesList: Command = {
  name: "shapes list",
  summary:
    "List the loaded shapes with their record counts (and broken shape files)",
  usage: "shapes list [--json]",
  options: JSON_OPTION,
  async run({ values }) {
    const result = await callEngine<{
      shapes: {
        name: string;
        also: string[];
        identity: string[];
        identityAny: string[];
        count: number;
        description: string;
      }[];
      problems: { file: string; line: number; reason: string }[];
    }>("shapes.list");
    if (values.json) {
      printJson(result);
      return ExitCode.Ok;
    }
    printTable(
      ["shape", "records", "also", "identity", "description"],
      result.shapes.map((s) => [
        s.name,
        s.count,
        s.also.join(","),
        s.identity.length > 0 ? s.identity.join("+") : s.identityAny.join("|"),
        s.description,
      ]),
    );
    for (const problem of result.problems) {
      print(`broken: ${problem.file}:${problem.line}: ${problem.reason}`);
    }
    return ExitCode.Ok;
  },
};

/** `agentos shapes get`. */
export const shapesGet: Command = {
  name: "shapes get",
  summary: "Show one shape: fields, identity, relations, inheritance",
  usage: "shapes get <name> [--json]",
  options: JSON_OPTION,
  async run({ values, positionals }) {
    const shape = await callEngine<{
      name: string;
      description: string;
      ancestors: string[];
      identity: string[];
      identityAny: string[];
      fields: Record<
        string,
        { type: string; list: boolean; values?: string[] }
      >;
      relations: Record<string, { shape: string; list: boolean }>;
    }>("shapes.get", { name: requireArg(positionals, 0, "name") });
    if (values.json) {
      printJson(shape);
      return ExitCode.Ok;
    }
    print(`${shape.name}: ${shape.description}`);
    if (shape.ancestors.length > 0) {
      print(`also: ${shape.ancestors.join(", ")}`);
    }
    print(
      `identity: ${
        shape.identity.length > 0
          ? shape.identity.join(" + ")
          : shape.identityAny.join(" | ") || "(none)"
      }`,
    );
    print();
    printTable(
      ["field", "type"],
      Object.entries(shape.fields).map(([key, f]) => [
        key,
        `${f.type}${f.list ? "[]" : ""}${
          f.values ? ` (${f.values.join("|")})` : ""
        }`,
      ]),
    );
    print();
    printTable(
      ["relation", "shape"],
      Object.entries(shape.relations).map((
        [key, r],
      ) => [key, `${r.shape}${r.list ? "[]" : ""}`]),
    );
    return ExitCode.Ok;
  },
};

interface ListItem {
  id: string;
  shapes: string[];
  values: Record<string, unknown>;
  updated_at: string;
}

interface Node extends ListItem {
  created_at: string;
  deleted_at: string | null;
  edges_out: { label: string; to: string }[];
  edges_in: { label: string; from: string }[];
}

interface Change {
  id: number;
  at: string;
  actor: string;
  op: string;
  key: string | null;
  old: unknown;
  new: unknown;
}

const FILTER = /^([^=!<>~]+)(=|!=|<=|>=|<|>|~)(.*)$/s;

function parseFilter(
  text: string,
): { key: string; op: string; value: unknown } {
  const match = FILTER.exec(text);
  if (!match) {
    throw new CliError(
      `Cannot read filter "${text}": expected key=value (or != < > <= >= ~)`,
    );
  }
  const [, key, op, raw] = match;
  let value: unknown = raw;
  if (op !== "~") {
    try {
      value = JSON.parse(raw!); // numbers, booleans, null, quoted strings
    } catch {
      value = raw;
    }
  }
  return { key: key!.trim(), op: op === "~" ? "contains" : op!, value };
}

function title(values: Record<string, unknown>): string {
  for (const key of ["name", "title", "subject", "handle", "url", "text"]) {
    if (typeof values[key] === "string") return values[key] as string;
  }
  const first = Object.entries(values)[0];
  return first ? `${first[0]}=${JSON.stringify(first[1])}` : "";
}

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
