/**
 * A classic-BPF interpreter for seccomp programs, so a test can run the
 * exact bytes the engine hands bubblewrap (`--seccomp FD`) against a
 * `struct seccomp_data` and read the action the kernel would take, for
 * every syscall and every architecture, without installing anything.
 *
 * It checks the program as the kernel's `seccomp_check_filter` does (at
 * most 4096 instructions, jumps inside the program, aligned loads inside
 * `seccomp_data`, a return at the end) and runs the subset of classic BPF
 * seccomp filters use; any other opcode is an error, never a guess.
 *
 * @module
 */

/** `struct seccomp_data`: syscall number, audit arch and six arguments. */
export interface SeccompData {
  nr: number;
  arch: number;
  instructionPointer?: bigint;
  /** Up to six 64-bit arguments; missing ones are 0. */
  args?: (bigint | number)[];
}

/** What a filter decided. */
export type SeccompAction =
  | { action: "allow" }
  | { action: "errno"; errno: number }
  | { action: "kill_process" }
  | { action: "kill_thread" }
  | { action: "trap"; data: number }
  | { action: "trace"; data: number }
  | { action: "log" }
  | { action: "user_notif" };

/** One `struct sock_filter`. */
export interface Instruction {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

const BPF_MAXINSNS = 4096;
const SECCOMP_DATA_BYTES = 64;

/**
 * Reads the bytes of a `struct sock_filter[]` (little-endian, as both
 * machines the engine supports are) and checks them as the kernel would.
 *
 * @param bytes the program
 * @returns the instructions
 * @throws {Error} for a program the kernel would refuse
 */
export function decodeProgram(bytes: Uint8Array): Instruction[] {
  if (bytes.length === 0 || bytes.length % 8 !== 0) {
    throw new Error(`a filter is whole 8-byte instructions: ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const program: Instruction[] = [];
  for (let i = 0; i < bytes.length; i += 8) {
    program.push({
      code: view.getUint16(i, true),
      jt: view.getUint8(i + 2),
      jf: view.getUint8(i + 3),
      k: view.getUint32(i + 4, true),
    });
  }
  if (program.length > BPF_MAXINSNS) {
    throw new Error(`${program.length} instructions: over ${BPF_MAXINSNS}`);
  }
  program.forEach((insn, pc) => {
    const cls = insn.code & 0x07;
    if (cls === 0x05) {
      const op = insn.code & 0xf0;
      const far = op === 0x00 ? insn.k : Math.max(insn.jt, insn.jf);
      if (pc + 1 + far >= program.length) {
        throw new Error(`jump out of the program at ${pc}`);
      }
    }
    if (
      insn.code === 0x20 && (insn.k % 4 !== 0 || insn.k >= SECCOMP_DATA_BYTES)
    ) {
      throw new Error(`load of seccomp_data offset ${insn.k} at ${pc}`);
    }
  });
  const last = program[program.length - 1]!;
  if ((last.code & 0x07) !== 0x06) {
    throw new Error("the program must end in a return");
  }
  return program;
}

/** The 64 bytes of a `struct seccomp_data`, little-endian. */
export function seccompData(data: SeccompData): Uint8Array {
  const bytes = new Uint8Array(SECCOMP_DATA_BYTES);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, data.nr, true);
  view.setUint32(4, data.arch >>> 0, true);
  view.setBigUint64(8, data.instructionPointer ?? 0n, true);
  (data.args ?? []).forEach((arg, i) => {
    if (i >= 6) throw new Error("a syscall has at most six arguments");
    view.setBigUint64(16 + 8 * i, BigInt.asUintN(64, BigInt(arg)), true);
  });
  return bytes;
}

/**
 * Runs a program on one syscall.
 *
 * @param program decoded instructions (see {@linkcode decodeProgram})
 * @param data the syscall
 * @returns the raw 32-bit return value of the filter
 */
export function runRaw(program: Instruction[], data: SeccompData): number {
  const packet = new DataView(seccompData(data).buffer);
  let a = 0;
  let x = 0;
  const mem = new Uint32Array(16);
  let pc = 0;
  // Jumps go forward only, so the program ends in at most its length.
  for (let steps = 0; steps <= program.length; steps++) {
    const insn = program[pc];
    if (insn === undefined) throw new Error(`fell off the program at ${pc}`);
    const { code, jt, jf, k } = insn;
    pc++;
    switch (code) {
      case 0x20: // BPF_LD | BPF_W | BPF_ABS
        a = packet.getUint32(k, true);
        break;
      case 0x00: // BPF_LD | BPF_W | BPF_IMM
        a = k;
        break;
      case 0x01: // BPF_LDX | BPF_W | BPF_IMM
        x = k;
        break;
      case 0x60: // BPF_LD | BPF_MEM
        a = mem[k]!;
        break;
      case 0x61: // BPF_LDX | BPF_MEM
        x = mem[k]!;
        break;
      case 0x02: // BPF_ST
        mem[k] = a;
        break;
      case 0x03: // BPF_STX
        mem[k] = x;
        break;
      case 0x54: // BPF_ALU | BPF_AND | BPF_K
        a = (a & k) >>> 0;
        break;
      case 0x44: // BPF_ALU | BPF_OR | BPF_K
        a = (a | k) >>> 0;
        break;
      case 0x74: // BPF_ALU | BPF_RSH | BPF_K
        a = a >>> k;
        break;
      case 0x07: // BPF_MISC | BPF_TAX
        x = a;
        break;
      case 0x87: // BPF_MISC | BPF_TXA
        a = x;
        break;
      case 0x05: // BPF_JMP | BPF_JA
        pc += k;
        break;
      case 0x15: // BPF_JMP | BPF_JEQ | BPF_K
        pc += a === k ? jt : jf;
        break;
      case 0x25: // BPF_JMP | BPF_JGT | BPF_K
        pc += a > k ? jt : jf;
        break;
      case 0x35: // BPF_JMP | BPF_JGE | BPF_K
        pc += a >= k ? jt : jf;
        break;
      case 0x45: // BPF_JMP | BPF_JSET | BPF_K
        pc += (a & k) !== 0 ? jt : jf;
        break;
      case 0x1d: // BPF_JMP | BPF_JEQ | BPF_X
        pc += a === x ? jt : jf;
        break;
      case 0x06: // BPF_RET | BPF_K
        return k >>> 0;
      case 0x16: // BPF_RET | BPF_A
        return a >>> 0;
      default:
        throw new Error(
          `opcode 0x${code.toString(16)} at ${pc - 1} is not run here`,
        );
    }
  }
  throw new Error("the program did not return");
}

/**
 * What the kernel does with a filter's return value.
 *
 * @param value the 32-bit return value
 * @returns the action (and errno or data)
 */
export function decodeAction(value: number): SeccompAction {
  const action = value & 0xffff0000;
  const data = value & 0xffff;
  switch (action >>> 0) {
    case 0x80000000:
      return { action: "kill_process" };
    case 0x00000000:
      return { action: "kill_thread" };
    case 0x00030000:
      return { action: "trap", data };
    case 0x00050000:
      return { action: "errno", errno: data };
    case 0x7fc00000:
      return { action: "user_notif" };
    case 0x7ff00000:
      return { action: "trace", data };
    case 0x7ffc0000:
      return { action: "log" };
    case 0x7fff0000:
      return { action: "allow" };
    default:
      // The kernel treats an unknown action as kill-process.
      return { action: "kill_process" };
  }
}

/**
 * Runs a filter's bytes on one syscall.
 *
 * @param bytes the program, as the engine writes it
 * @param data the syscall
 * @returns the action
 */
export function evaluate(bytes: Uint8Array, data: SeccompData): SeccompAction {
  return decodeAction(runRaw(decodeProgram(bytes), data));
}

/** Audit arch constants (`include/uapi/linux/audit.h`). */
export const AUDIT_ARCH = Object.freeze({
  X86_64: 0xC000003E,
  I386: 0x40000003,
  AARCH64: 0xC00000B7,
  ARM: 0x40000028,
});
