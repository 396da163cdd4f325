/**
 * The bench's results as a README-ready Markdown section: when, on which
 * commit, under what load, and each figure with its same-run baseline,
 * its target and whether this run met it. The lead pastes it into the
 * README's performance table after a run on a quiet machine.
 *
 * @module
 */
// deno-lint-ignore-file no-console
import type { Figure } from "./figures.ts";
import { describeHost } from "./host_settle.ts";

/** When and where the run happened. */
export interface RunFacts {
  date: Date;
  loadBefore: { load: number[]; cores: number };
  loadAfter: { load: number[]; cores: number };
}

/** The checked-out commit (short), with `+changes` when the tree is dirty. */
export async function currentCommit(): Promise<string> {
  const git = async (...args: string[]) => {
    const out = await new Deno.Command("git", { args, stderr: "null" })
      .output().catch(() => undefined);
    return out?.success ? new TextDecoder().decode(out.stdout).trim() : "";
  };
  const commit = await git("rev-parse", "--short=10", "HEAD") || "unknown";
  const dirty = await git("status", "--porcelain", "--untracked-files=no");
  return dirty ? `${commit}+changes` : commit;
}

function fmt(n: number): string {
  return Math.abs(n) >= 100
    ? Math.round(n).toLocaleString("en-US")
    : n.toFixed(2);
}

/**
 * Whether a figure meets its target: every comma-separated part of it,
 * e.g. `≤ 1.5×` (against the ratio) or `≥ 20,000/s`, `≤ 1 ms` (against
 * the median). Empty when there is no target or it cannot be read.
 */
export function meetsTarget(figure: Figure): "yes" | "no" | "" {
  if (!figure.target || figure.unmeasured !== undefined) return "";
  const verdicts = figure.target.split(",").map((part) => {
    const m = part.trim().match(/^([≤≥])\s*([\d,.]+)\s*(×)?/);
    if (!m) return undefined;
    const limit = Number(m[2]!.replaceAll(",", ""));
    const value = m[3] ? figure.ratio : figure.median;
    if (value === undefined || Number.isNaN(value)) return undefined;
    return m[1] === "≤" ? value <= limit : value >= limit;
  });
  if (verdicts.some((v) => v === undefined)) return "";
  return verdicts.every(Boolean) ? "yes" : "no";
}

function row(f: Figure): string[] {
  return [...cells(f), f.host ? describeHost(f.host) : ""];
}

function cells(f: Figure): string[] {
  if (f.unmeasured !== undefined) {
    return [
      f.name,
      `not measured: ${f.unmeasured}`,
      "–",
      "–",
      f.target ?? "",
      "",
    ];
  }
  return [
    f.name,
    `${fmt(f.median)} ${f.unit}`.trim(),
    f.baseline ? `${fmt(f.baseline.median)} (${f.baseline.name})` : "–",
    f.ratio === undefined ? "–" : `${f.ratio.toFixed(2)}×`,
    f.target ?? "",
    meetsTarget(f),
  ];
}

/** Prints the README section for `figures` on stdout. */
export function printReadmeTable(
  figures: Figure[],
  facts: RunFacts,
  commit: string,
): void {
  const load = (l: { load: number[] }) => l.load.join(" / ");
  console.log(
    `\n### Performance (${
      facts.date.toISOString().slice(0, 16)
    }Z, commit ${commit})\n\n` +
      `Load average (1 / 5 / 15 min) before: ${
        load(facts.loadBefore)
      }; after: ${
        load(facts.loadAfter)
      }; ${facts.loadBefore.cores} cores. Ratios are against baselines measured in the same run.\n`,
  );
  const headers = [
    "Figure",
    "Median",
    "Same-run baseline",
    "Ratio",
    "Target",
    "Met",
    "Host at the group's start",
  ];
  console.log(`| ${headers.join(" | ")} |`);
  console.log(`|${headers.map(() => "---").join("|")}|`);
  for (const f of figures) console.log(`| ${row(f).join(" | ")} |`);
}
