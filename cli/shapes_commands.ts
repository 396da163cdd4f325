import { requireArg } from "./args.ts";
import { type Command, JSON_OPTION } from "./command.ts";
import { callEngine, connectEngine } from "./engine_connection.ts";
import { CliError, ExitCode } from "./exit_codes.ts";
import { print, printError, printJson, printTable } from "./output.ts";
import { callerPath } from "./caller_path.ts";
import { RpcError } from "../engine/mod.ts";

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

/** `agentos shapes add`. */
export const shapesAdd: Command = {
  name: "shapes add",
  summary:
    "Check a shape file and load it at once (copied into $AGENTOS_HOME/shapes; no restart)",
  usage: "shapes add <file.yaml> [--json]",
  options: JSON_OPTION,
  async run({ values, positionals }) {
    const path = callerPath(requireArg(positionals, 0, "file"));
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (error) {
      throw new CliError(
        `Cannot read shape file "${path}": ${(error as Error).message}`,
      );
    }
    const client = await connectEngine();
    try {
      const added = await client.call<
        { name: string; file: string; replaced: boolean; shapes: number }
      >("shapes.add", { file: path, text });
      if (values.json) printJson(added);
      else {
        print(
          `${
            added.replaced ? "replaced" : "added"
          } shape ${added.name} (${added.file}); ${added.shapes} shapes loaded`,
        );
      }
      return ExitCode.Ok;
    } catch (error) {
      const problems = error instanceof RpcError &&
          Array.isArray((error.data as { problems?: unknown })?.problems)
        ? (error.data as {
          problems: {
            file: string;
            line: number;
            column: number;
            reason: string;
          }[];
        }).problems
        : undefined;
      if (!problems) throw error;
      if (values.json) printJson({ added: false, problems });
      for (const p of problems) {
        printError(`${p.file}:${p.line}:${p.column}: ${p.reason}`);
      }
      return ExitCode.Error;
    } finally {
      await client.close();
    }
  },
};
