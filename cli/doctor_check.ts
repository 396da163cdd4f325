/**
 * What one `agentos doctor` check reports, and the file helpers the checks
 * share.
 *
 * @module
 */

/** How one check came out. `skip`: does not apply here; not a problem. */
export type CheckStatus = "ok" | "warn" | "fail" | "skip";

/** One line of the doctor's report. */
export interface CheckResult {
  /** Short name, e.g. `sandbox`. */
  name: string;
  /** The outcome. */
  status: CheckStatus;
  /** What was found. */
  detail: string;
  /** How to fix it (warn and fail only). */
  hint?: string;
}

/** This process's uid, without --allow-sys: the owner of a file it makes. */
export function ownUid(): number | undefined {
  try {
    const file = Deno.makeTempFileSync({ prefix: "agentos-doctor-" });
    try {
      return Deno.statSync(file).uid ?? undefined;
    } finally {
      Deno.removeSync(file);
    }
  } catch {
    return undefined;
  }
}

/** A path's info, or undefined when it cannot be read. */
export function stat(path: string): Deno.FileInfo | undefined {
  try {
    return Deno.statSync(path);
  } catch {
    return undefined;
  }
}

/** The permission bits as octal text, e.g. `600`. */
export function mode(info: Deno.FileInfo): string {
  return (info.mode! & 0o777).toString(8);
}
