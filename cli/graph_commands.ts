import { intOption, requireArg } from "./args.ts";
import { type Command, JSON_OPTION } from "./command.ts";
import { callEngine } from "./engine_connection.ts";
import { CliError, ExitCode } from "./exit_codes.ts";
import { print, printJson, printPairs, printTable } from "./output.ts";

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
    params.limit = intOption(values, "limit", { min: 1, max: 500 });
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
    // Each shape says which values name a record (display: title,
    // subtitle, date); the first shape of each item decides.
    const displays = new Map<string, Display>();
    for (const name of new Set(page.items.map((item) => item.shapes[0]))) {
      if (name === undefined) continue;
      const shape = await callEngine<{ display?: Display }>("shapes.get", {
        name,
      }).catch(() => ({ display: undefined }));
      displays.set(name, shape.display ?? {});
    }
    printTable(
      ["id", "shapes", "title", "subtitle", "date"],
      page.items.map((item) => {
        const display = displays.get(item.shapes[0] ?? "") ?? {};
        const pick = (key: string | undefined) =>
          key === undefined ? undefined : item.values[key];
        return [
          item.id,
          item.shapes.join(","),
          pick(display.title) ?? title(item.values),
          pick(display.subtitle) ?? "",
          pick(display.date) ?? item.updated_at,
        ];
      }),
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
    params.limit = intOption(values, "limit", { min: 1, max: 5000 });
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

/** A shape's display hints: which keys title, subtitle and date a record. */
interface Display {
  title?: string;
  subtitle?: string;
  date?: string;
}

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
