import { isInterpreter, NEVER_RUNNABLE, PROGRAM_DIRS } from "./run_grants.ts";

/** Strings only an interpreter's own binary holds (its entry points). */
const INTERPRETER_MARKERS = [
  "Py_BytesMain",
  "Py_Initialize",
  "perl_parse",
  "ruby_run_node",
  "lua_pcall",
  "node::Start",
  "php_execute_script",
  "Tcl_EvalFile",
  "GNU bash",
  "BusyBox",
];

/** Dynamic loaders an ordinary program names as its ELF interpreter. */
const LOADER =
  /^\/(usr\/)?lib(32|64|x32)?\/([\w.-]+\/)?ld(-linux[\w.-]*|-musl[\w.-]*|64)\.so[\w.]*$/;

/**
 * Why a program's file may not be granted, judged by what it is, not by
 * its name: a script (its interpreter runs it), an ELF file whose
 * interpreter is not a dynamic loader, or a binary holding an
 * interpreter's entry points (a copy of python named `git`).
 *
 * @param bytes the file's content
 * @returns the reason, or undefined for an ordinary program
 */
export function programFileRefusal(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0x23 && bytes[1] === 0x21) {
    const line = new TextDecoder().decode(bytes.subarray(2, 200)).split(
      "\n",
    )[0]!;
    return `it is a script run by ${line.trim() || "a shell"}`;
  }
  const interp = elfInterpreter(bytes);
  if (interp !== undefined && !LOADER.test(interp)) {
    return `its ELF interpreter is ${interp}, not a dynamic loader`;
  }
  const text = new TextDecoder("latin1").decode(bytes);
  const marker = INTERPRETER_MARKERS.find((m) => text.includes(m));
  return marker ? `it holds an interpreter (${marker})` : undefined;
}

/**
 * The path in an ELF file's `PT_INTERP` segment (32 or 64 bit, little
 * endian), or undefined when it has none or is no ELF file.
 */
function elfInterpreter(bytes: Uint8Array): string | undefined {
  if (bytes.length < 64 || bytes[0] !== 0x7f || bytes[1] !== 0x45) return;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const wide = bytes[4] === 2;
  const phoff = wide
    ? Number(view.getBigUint64(0x20, true))
    : view.getUint32(0x1c, true);
  const size = view.getUint16(wide ? 0x36 : 0x2a, true);
  const count = view.getUint16(wide ? 0x38 : 0x2c, true);
  for (let i = 0; i < count; i++) {
    const at = phoff + i * size;
    if (at + size > bytes.length || view.getUint32(at, true) !== 3) continue;
    const offset = wide
      ? Number(view.getBigUint64(at + 8, true))
      : view.getUint32(at + 4, true);
    const length = wide
      ? Number(view.getBigUint64(at + 0x20, true))
      : view.getUint32(at + 16, true);
    return new TextDecoder().decode(bytes.subarray(offset, offset + length))
      .replace(/\0+$/, "");
  }
  return undefined;
}

/** What {@linkcode resolveProgramFile} knows of a file, links followed. */
export interface ProgramFileFacts {
  isFile: boolean;
  /** The permission bits (`0o755`). */
  mode: number;
  size: number;
}

/**
 * Where {@linkcode resolveProgramFile} reads the host: the owner's CLI
 * reads it directly ({@linkcode HOST_PROGRAM_FILES}); the engine reads it
 * through a sandboxed probe that sees only the program directories
 * (`engine/skills_api/host_probe.ts`), so both make the same checks with
 * this one code. `stat` answers undefined for no such file and throws when
 * it cannot tell (a link that leaves what the probe sees).
 */
export interface ProgramFiles {
  stat(path: string): Promise<ProgramFileFacts | undefined>;
  realPath(path: string): Promise<string>;
  read(path: string): Promise<Uint8Array>;
}

/** The host's files, as the owner's CLI reads them. */
export const HOST_PROGRAM_FILES: ProgramFiles = {
  stat: async (path) => {
    const stat = await Deno.stat(path).catch(() => undefined);
    return stat && {
      isFile: stat.isFile,
      mode: stat.mode ?? 0,
      size: stat.size,
    };
  },
  realPath: (path) => Deno.realPath(path),
  read: (path) => Deno.readFile(path),
};

/** A program name that may not be granted, and why (the message says it). */
export class ProgramRefusedError extends TypeError {
  /**
   * @param message what was refused and why
   * @param options the cause
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ProgramRefusedError";
  }
}

/**
 * What `agentos skills allow <skill> --run <program>` grants: the name
 * found in {@linkcode PROGRAM_DIRS} (first match, an executable file), its
 * real path (links followed), refused when that path or the file is an
 * interpreter, a script or a copy of one ({@linkcode programFileRefusalAt}).
 *
 * @param program the program's name, as the owner or a skill gave it
 * @param files where the host is read (default: directly)
 * @returns the real path to grant
 * @throws {ProgramRefusedError} for a path, an interpreter, or no such program
 */
export async function resolveProgramFile(
  program: string,
  files: ProgramFiles = HOST_PROGRAM_FILES,
): Promise<string> {
  if (program.includes("/") || isInterpreter(program)) {
    throw new ProgramRefusedError(
      program.includes("/")
        ? `Give the program's name, not a path: "${program}"`
        : `"${program}" runs other programs or code, so no skill may run it`,
    );
  }
  for (const dir of PROGRAM_DIRS) {
    const path = `${dir}/${program}`;
    const stat = await files.stat(path);
    if (!stat?.isFile || (stat.mode & 0o111) === 0) continue;
    const real = await files.realPath(path);
    if (isInterpreter(real.slice(real.lastIndexOf("/") + 1))) {
      throw new ProgramRefusedError(
        `"${program}" is ${real}, which runs other programs or code, so no skill may run it`,
      );
    }
    // By what the file is too: a copy of python under another name.
    const why = await programFileRefusalAt(real, files);
    if (why) {
      throw new ProgramRefusedError(
        `"${program}" (${real}) runs other programs or code: ${why}; no skill may run it`,
      );
    }
    return real;
  }
  throw new ProgramRefusedError(
    `No program "${program}" in ${PROGRAM_DIRS.join(", ")}`,
  );
}

/**
 * Why a program file must not be granted: {@linkcode programFileRefusal},
 * or the same bytes as an interpreter found under {@linkcode PROGRAM_DIRS}
 * by one of its names (`dash`, `mawk` copied under another name).
 *
 * @param path the resolved program file
 * @param files where the host is read (default: directly, as the CLI does)
 * @returns the reason, or undefined
 */
export async function programFileRefusalAt(
  path: string,
  files: ProgramFiles = HOST_PROGRAM_FILES,
): Promise<string | undefined> {
  const bytes = await files.read(path);
  const why = programFileRefusal(bytes);
  if (why) return why;
  for (const other of interpreterPaths()) {
    const stat = await files.stat(other).catch(() => undefined);
    if (!stat?.isFile || stat.size !== bytes.length) continue;
    const same = await files.read(other);
    if (same.every((b, i) => b === bytes[i])) {
      return `it is the same file as ${other}`;
    }
  }
  return undefined;
}

/** Every place an interpreter is found by one of its names. */
export function interpreterPaths(): string[] {
  return [...NEVER_RUNNABLE].flatMap((name) =>
    PROGRAM_DIRS.map((dir) => `${dir}/${name}`)
  );
}
