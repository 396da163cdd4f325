import { requireArg } from "./args.ts";
import { type Command, JSON_OPTION } from "./command.ts";
import { callEngine } from "./engine_connection.ts";
import { ExitCode } from "./exit_codes.ts";
import { print, printJson, printTable } from "./output.ts";

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
