import { type JsonSchema, noArguments, type ToolSpec } from "./tool_spec.ts";

const ID: JsonSchema = {
  type: "string",
  minLength: 1,
  maxLength: 64,
  description: "A node id, as returned by graph_list or graph_create",
};

const VALUES: JsonSchema = {
  type: "object",
  description:
    'Field values by key, e.g. {"name": "Buy milk", "priority": 2, "dueAt": "2025-06-01"}. Use the field names of the shape (shapes_get); other keys are stored as they are.',
  additionalProperties: true,
};

/** Default page size of graph_list: agents pay for every token they read. */
export const GRAPH_LIST_LIMIT = 20;

const READ = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};

/** A tool that forwards its arguments unchanged, plus `actor` when it writes. */
function forward(
  definition: ToolSpec["definition"],
  method: string,
  options: {
    writes?: boolean;
    retrySafe?: boolean;
    long?: boolean;
    defaults?: Record<string, unknown>;
  } = {},
): ToolSpec {
  return {
    definition,
    method,
    retrySafe: options.retrySafe,
    long: options.long,
    params: (args, actor) => ({
      ...options.defaults,
      ...args,
      ...(options.writes ? { actor } : {}),
    }),
  };
}

/**
 * The fixed tools: the graph, shapes, and the owner's skill tools. Each
 * description says what the tool is for, what it returns and what to call
 * next, because that is all an agent reads before it calls.
 */
export const BUILTIN_TOOLS: readonly ToolSpec[] = [
  forward(
    {
      name: "graph_list",
      title: "List or search the graph",
      description:
        "List or search records in the user's AgentOS graph (their personal data: tasks, people, messages, posts, notes…). " +
        "Narrow by `shape` (a record type from shapes_list), by value filters in `where`, and/or by full-text `q`. " +
        "Returns {items: [{id, shapes, values, created_at, updated_at}], cursor}; pass `cursor` back for the next page (null means no more). " +
        "Use graph_get on an id for its edges (links to other records).",
      inputSchema: {
        type: "object",
        properties: {
          shape: {
            type: "string",
            description:
              'Only records of this shape, e.g. "task" or "person" (see shapes_list)',
          },
          where: {
            type: "array",
            description:
              'Value filters that must all hold, e.g. [{"key": "done", "op": "=", "value": false}]',
            items: {
              type: "object",
              properties: {
                key: { type: "string", description: "A value key" },
                op: {
                  type: "string",
                  enum: ["=", "!=", "<", ">", "<=", ">=", "contains"],
                  description: '"contains" matches a substring',
                },
                value: { description: "The value to compare with" },
              },
              required: ["key", "op", "value"],
              additionalProperties: false,
            },
          },
          q: {
            type: "string",
            maxLength: 1000,
            description:
              "Full-text search over text values (words, prefix-matched)",
          },
          sort: {
            type: "string",
            description:
              'A value key to sort by ascending, "-key" for descending; "created" / "-created" (the default) by creation',
          },
          limit: {
            type: "integer",
            minimum: 1,
            maximum: 500,
            default: 20,
            description: "Page size (default 20)",
          },
          cursor: {
            type: "string",
            description: "The `cursor` of the previous page",
          },
        },
        additionalProperties: false,
      },
      annotations: READ,
    },
    "graph.list",
    { retrySafe: true, defaults: { limit: GRAPH_LIST_LIMIT } },
  ),

  forward(
    {
      name: "graph_get",
      title: "Get a record",
      description:
        "Get one record of the graph by id: its shapes, values, timestamps, and its edges out and in (each with a label such as tagged_with and the other record's id). " +
        "Ids come from graph_list, graph_create or an edge.",
      inputSchema: {
        type: "object",
        properties: { id: ID },
        required: ["id"],
        additionalProperties: false,
      },
      annotations: READ,
    },
    "graph.get",
    { retrySafe: true },
  ),

  forward(
    {
      name: "graph_create",
      title: "Create or upsert a record",
      description:
        'Write a record into the graph. With `shape` (e.g. "task"; see shapes_get for its fields) values are coerced to the field types and the record is upserted by the shape\'s identity fields: ' +
        "writing the same identity again updates that record instead of duplicating it (`created` says which). " +
        "A relation key may hold a nested object (or a list of them), which becomes a linked record. " +
        "Without `shape` a plain record is created. A value that cannot be coerced is kept as text and reported in `warnings`. " +
        "Returns {id, created, warnings}. The change log records this agent as the writer.",
      inputSchema: {
        type: "object",
        properties: {
          shape: {
            type: "string",
            description: "The record's shape, from shapes_list",
          },
          values: VALUES,
        },
        required: ["values"],
        additionalProperties: false,
      },
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    "graph.create",
    { writes: true },
  ),

  forward(
    {
      name: "graph_update",
      title: "Update a record's values",
      description:
        "Set values on an existing record. Keys you leave out are kept; a key set to null is removed. " +
        "Returns {id, changed, warnings}. The old values stay in graph_history.",
      inputSchema: {
        type: "object",
        properties: { id: ID, values: VALUES },
        required: ["id", "values"],
        additionalProperties: false,
      },
      annotations: {
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    "graph.update",
    { writes: true, retrySafe: true },
  ),

  forward(
    {
      name: "graph_link",
      title: "Link two records",
      description:
        "Link two records with a directed, labeled edge from —label→ to, e.g. a task assigned_to a person, or a note tagged_with a tag. " +
        "Labels are snake_case verb phrases. Linking the same from/label/to again updates that edge (optional edge `values`). Returns the edge.",
      inputSchema: {
        type: "object",
        properties: {
          from: { ...ID, description: "The source record's id" },
          label: {
            type: "string",
            pattern: "^[a-z][a-z0-9_]{0,63}$",
            description: 'A snake_case verb phrase, e.g. "tagged_with"',
          },
          to: { ...ID, description: "The target record's id" },
          values: { ...VALUES, description: "Values on the edge itself" },
        },
        required: ["from", "label", "to"],
        additionalProperties: false,
      },
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    "graph.link",
    { writes: true, retrySafe: true },
  ),

  forward(
    {
      name: "graph_history",
      title: "A record's change history",
      description:
        "The change log of one record, oldest first: each change with who made it (user, app, agent or skill), the key, old and new value, and when. " +
        "Use it to see where data came from or to undo a change with graph_update.",
      inputSchema: {
        type: "object",
        properties: {
          id: ID,
          limit: {
            type: "integer",
            minimum: 1,
            maximum: 5000,
            description: "At most this many changes (default 500)",
          },
        },
        required: ["id"],
        additionalProperties: false,
      },
      annotations: READ,
    },
    "graph.history",
    { retrySafe: true },
  ),

  forward(
    {
      name: "shapes_list",
      title: "List record shapes",
      description:
        "List the shapes (record types) the graph knows, e.g. task, person, email: each with its description, identity keys, relations and how many records have it. " +
        "Start here to learn what data exists; then shapes_get for fields, graph_list to read records.",
      inputSchema: noArguments(),
      annotations: READ,
    },
    "shapes.list",
    { retrySafe: true },
  ),

  forward(
    {
      name: "shapes_get",
      title: "Get a shape's definition",
      description:
        "Get one shape's full definition: its fields with their types (string, integer, datetime, enum values…), identity keys, relations (which record a nested object becomes), inherited shape (`also`) and display hints. " +
        "Read it before graph_create to use the right field names and types.",
      inputSchema: {
        type: "object",
        properties: {
          name: {
            type: "string",
            minLength: 1,
            maxLength: 64,
            description: 'A shape name from shapes_list, e.g. "task"',
          },
        },
        required: ["name"],
        additionalProperties: false,
      },
      annotations: READ,
    },
    "shapes.get",
    { retrySafe: true },
  ),

  forward(
    {
      name: "skills_list",
      title: "List installed skills",
      description:
        "List the installed skills (the user's sandboxed Python plugins): their tools with parameters, the capabilities they provide, and whether they are enabled. " +
        "Prefer the capability tools (named after a capability, e.g. web_read), which pick a working provider for you; skills_run runs one named tool of one skill.",
      inputSchema: noArguments(),
      annotations: READ,
    },
    "skills.list",
    { retrySafe: true },
  ),

  forward(
    {
      name: "skills_run",
      title: "Run one tool of one skill",
      description:
        "Run one tool of one installed skill (ids and tool names from skills_list) in its sandbox, with `params` as the tool's arguments. " +
        "Records the tool returns are written into the graph. May take seconds; reports progress when asked and stops the skill's process when cancelled. " +
        "Returns {result, records}.",
      inputSchema: {
        type: "object",
        properties: {
          skill: { type: "string", minLength: 1, description: "A skill id" },
          tool: {
            type: "string",
            minLength: 1,
            description: "One of that skill's tools",
          },
          params: {
            type: "object",
            additionalProperties: true,
            description: "The tool's arguments by name (default {})",
          },
        },
        required: ["skill", "tool"],
        additionalProperties: false,
      },
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: true,
      },
    },
    "skills.run",
    { long: true, defaults: { params: {} } },
  ),
];
