import { NEVER_RUNNABLE, PROGRAM_DIRS } from "./run_grants.ts";

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

/**
 * Why the owner's CLI must not grant a program file: {@linkcode
 * programFileRefusal}, or the same bytes as an interpreter found under
 * {@linkcode PROGRAM_DIRS} by one of its names (`dash`, `mawk` copied
 * under another name). Reads host files: the CLI's, never the engine's.
 *
 * @param path the resolved program file
 * @returns the reason, or undefined
 */
export async function programFileRefusalAt(
  path: string,
): Promise<string | undefined> {
  const bytes = await Deno.readFile(path);
  const why = programFileRefusal(bytes);
  if (why) return why;
  for (const name of NEVER_RUNNABLE) {
    for (const dir of PROGRAM_DIRS) {
      const other = `${dir}/${name}`;
      const stat = await Deno.stat(other).catch(() => undefined);
      if (!stat?.isFile || stat.size !== bytes.length) continue;
      const same = await Deno.readFile(other);
      if (same.every((b, i) => b === bytes[i])) {
        return `it is the same file as ${other}`;
      }
    }
  }
  return undefined;
}
