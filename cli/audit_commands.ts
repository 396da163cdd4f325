import { resolveHome } from "../engine/mod.ts";
import {
  type AuditLine,
  readAuditHead,
  verifyAuditLog,
} from "../engine/audit/mod.ts";
import { intOption } from "./args.ts";
import type { Command } from "./command.ts";
import { CliError, ExitCode } from "./exit_codes.ts";
import { print, printJson, printTable } from "./output.ts";

/** `agentos audit verify`. */
export const auditVerify: Command = {
  name: "audit verify",
  summary:
    "Check the audit trail's hash chain (detects edited, deleted or truncated lines)",
  usage: "audit verify [--json]",
  help:
    "Walks logs/engine-io.jsonl line by line and checks it still reaches the head (line count and last hash) the engine keeps in its database, so a deleted tail or an emptied file is reported too.\nExit codes: 0 the chain is whole, 1 it is broken (the first broken line is named).",
  options: { json: { type: "boolean" } },
  async run({ values }) {
    const paths = resolveHome();
    const path = paths.ioLog;
    // The head first: lines the engine appends meanwhile come after it.
    const head = readAuditHead(paths.database);
    const result = await verifyAuditLog(path, { head });
    if (values.json) printJson({ path, ...result });
    else if (result.ok) print(`${path}: ${result.lines} lines, chain intact`);
    if (!result.ok) {
      throw new CliError(
        `${path}: line ${result.brokenAt} ${result.reason}; the trail was altered after it was written`,
      );
    }
    return ExitCode.Ok;
  },
};

/** `agentos audit tail`. */
export const auditTail: Command = {
  name: "audit tail",
  summary: "Show the latest brokered operations readably",
  usage: "audit tail [--skill ID] [-n N] [--json]",
  options: {
    skill: { type: "string" },
    n: { type: "string", short: "n" },
    json: { type: "boolean" },
  },
  async run({ values }) {
    const path = resolveHome().ioLog;
    const count = intOption(values, "n", { min: 1, max: 100_000 }) ?? 20;
    let text = "";
    try {
      text = await Deno.readTextFile(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    const lines = text.split("\n").filter((l) => l !== "").flatMap((l) => {
      try {
        return [JSON.parse(l) as AuditLine];
      } catch {
        return [];
      }
    }).filter((line) => !values.skill || line.skill === values.skill).slice(
      -count,
    );
    if (values.json) {
      printJson(lines);
      return ExitCode.Ok;
    }
    printTable(
      ["time", "skill", "tool", "op", "target", "status", "ms", "reason"],
      lines.map((
        l,
      ) => [l.at, l.skill, l.tool, l.op, l.target, l.status, l.ms, l.reason]),
    );
    return ExitCode.Ok;
  },
};
