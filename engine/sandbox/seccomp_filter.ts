/**
 * The seccomp filter every sandboxed process runs under, compiled here to
 * classic BPF and handed to bubblewrap (`--seccomp FD`), which installs it
 * right before it executes the first program of the sandbox. With
 * `--as-pid-1` there is no other process inside: the whole tree of a call
 * is filtered from its first instruction.
 *
 * It is a deny list on top of what the namespaces and dropped capabilities
 * already refuse, aimed at what reaches across the sandbox's edge or pins
 * host memory outside every limit:
 *
 * - other processes: `ptrace`, `process_vm_readv/writev`, `pidfd_open`,
 *   `pidfd_getfd`, `pidfd_send_signal`, `kcmp`, `process_madvise`;
 * - kernel attack surface: `perf_event_open`, `bpf`, `userfaultfd`,
 *   `io_uring_*`, `keyctl`/`add_key`/`request_key`, `syslog`, the module,
 *   kexec, mount and namespace calls, and `open_by_handle_at` (with
 *   `CAP_DAC_READ_SEARCH`, which an SQL runner of a root engine holds until
 *   it has opened its databases, it would reach any file of a mounted
 *   filesystem);
 * - memory no limit counts: `memfd_create`, `memfd_secret`, SysV `shmget`
 *   (shared memory is not charged to `RLIMIT_AS`);
 * - sockets of any family but `AF_UNIX` (`AF_VSOCK`, `AF_NETLINK`,
 *   `AF_PACKET`, … and `AF_INET*`, which the empty network namespace
 *   already makes useless) answer `EAFNOSUPPORT`; the variant for programs
 *   granted `--net` also allows `AF_INET`/`AF_INET6`, which reach only the
 *   loopback of their private namespace (where the engine's proxy waits);
 * - new processes: `fork`, `vfork`, `clone` without `CLONE_THREAD` answer
 *   `EAGAIN` (as the kernel does at `RLIMIT_NPROC`), `clone3` answers
 *   `ENOSYS` so the C library falls back to `clone` for threads;
 * - `prctl(PR_SET_PDEATHSIG)` with anything but `SIGKILL`, so no process can
 *   stop dying with its parent.
 *
 * `execve` stays allowed here because bubblewrap executes the interpreter
 * under this very filter; the worker refuses it for itself with its own
 * stacked filter (`python/agentos/_limits.py`) before it reads any input.
 * Calls of a foreign ABI (32-bit `int 0x80`, x32) answer `ENOSYS`.
 */

/** Syscall numbers of one architecture, and its audit arch constant. */
interface Arch {
  audit: number;
  x32: boolean;
  denied: number[];
  socket: number;
  prctl: number;
  clone: number;
  clone3: number;
  forks: number[];
}

// x86_64: arch/x86/entry/syscalls/syscall_64.tbl.
const X86_64: Arch = {
  audit: 0xC000003E,
  x32: true,
  denied: [
    101, // ptrace
    310, // process_vm_readv
    311, // process_vm_writev
    434, // pidfd_open
    438, // pidfd_getfd
    424, // pidfd_send_signal
    312, // kcmp
    440, // process_madvise
    298, // perf_event_open
    321, // bpf
    323, // userfaultfd
    425, // io_uring_setup
    426, // io_uring_enter
    427, // io_uring_register
    250, // keyctl
    248, // add_key
    249, // request_key
    103, // syslog
    319, // memfd_create
    447, // memfd_secret
    29, // shmget
    272, // unshare
    308, // setns
    165, // mount
    166, // umount2
    155, // pivot_root
    161, // chroot
    428, // open_tree
    429, // move_mount
    430, // fsopen
    431, // fsconfig
    432, // fsmount
    433, // fspick
    442, // mount_setattr
    175, // init_module
    313, // finit_module
    176, // delete_module
    246, // kexec_load
    320, // kexec_file_load
    304, // open_by_handle_at
    303, // name_to_handle_at
  ],
  socket: 41,
  prctl: 157,
  clone: 56,
  clone3: 435,
  forks: [57, 58], // fork, vfork
};

// aarch64: include/uapi/asm-generic/unistd.h.
const AARCH64: Arch = {
  audit: 0xC00000B7,
  x32: false,
  denied: [
    117, // ptrace
    270, // process_vm_readv
    271, // process_vm_writev
    434, // pidfd_open
    438, // pidfd_getfd
    424, // pidfd_send_signal
    272, // kcmp
    440, // process_madvise
    241, // perf_event_open
    280, // bpf
    282, // userfaultfd
    425, // io_uring_setup
    426, // io_uring_enter
    427, // io_uring_register
    219, // keyctl
    217, // add_key
    218, // request_key
    116, // syslog
    279, // memfd_create
    447, // memfd_secret
    194, // shmget
    97, // unshare
    268, // setns
    40, // mount
    39, // umount2
    41, // pivot_root
    51, // chroot
    428, // open_tree
    429, // move_mount
    430, // fsopen
    431, // fsconfig
    432, // fsmount
    433, // fspick
    442, // mount_setattr
    105, // init_module
    273, // finit_module
    106, // delete_module
    104, // kexec_load
    294, // kexec_file_load
    265, // open_by_handle_at
    264, // name_to_handle_at
  ],
  socket: 198,
  prctl: 167,
  clone: 220,
  clone3: 435,
  forks: [],
};

const ARCHES: Record<string, Arch> = {
  x86_64: X86_64,
  aarch64: AARCH64,
  arm64: AARCH64,
};

const LD_ABS = 0x20; // BPF_LD | BPF_W | BPF_ABS
const JEQ = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
const JGE = 0x35; // BPF_JMP | BPF_JGE | BPF_K
const JSET = 0x45; // BPF_JMP | BPF_JSET | BPF_K
const RET = 0x06; // BPF_RET | BPF_K
const ALLOW = 0x7FFF0000;
const ERRNO = 0x00050000;
const EPERM = 1;
const EAGAIN = 11;
const ENOSYS = 38;
const EAFNOSUPPORT = 97;
const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;
const CLONE_THREAD = 0x00010000;
const PR_SET_PDEATHSIG = 1;
const SIGKILL = 9;
// Offsets in struct seccomp_data: nr, arch, then args[i] at 16 + 8 i (the
// low 32 bits first on a little-endian machine).
const NR = 0;
const ARCH = 4;
const ARG0 = 16;
const ARG1 = 24;

type Label = "allow" | "eperm" | "eagain" | "enosys" | "eafnosupport";
type Target = Label | number | undefined;

/**
 * The filter as the bytes of a `struct sock_filter[]` (what `--seccomp`
 * reads), for a machine as `uname -m` names it.
 *
 * @param machine e.g. `x86_64`, `aarch64`
 * @param options `processes`: allow new processes (the programs `shell.run`
 *   runs fork; the pids cgroup and RLIMIT_NPROC still bound them); `inet`:
 *   allow IPv4 and IPv6 sockets (only for a program granted `--net`, whose
 *   private network namespace has nothing but its loopback)
 * @returns the program, or undefined for a machine without a syscall table here
 */
export function seccompProgram(
  machine: string,
  options: { processes?: boolean; inet?: boolean } = {},
): Uint8Array | undefined {
  const arch = ARCHES[machine];
  if (arch === undefined) return undefined;
  const program: [number, Target, Target, number][] = [];
  const emit = (code: number, k: number, jt?: Target, jf?: Target) =>
    program.push([code, jt, jf, k]);
  emit(LD_ABS, ARCH);
  emit(JEQ, arch.audit, undefined, "enosys");
  emit(LD_ABS, NR);
  if (arch.x32) emit(JGE, 0x40000000, "enosys");
  for (const nr of arch.denied) emit(JEQ, nr, "eperm");
  if (!options.processes) {
    for (const nr of arch.forks) emit(JEQ, nr, "eagain");
  }
  emit(JEQ, arch.clone3, "enosys");
  // Each argument check below ends in a return: its jumps are local.
  const families = options.inet ? [AF_UNIX, AF_INET, AF_INET6] : [AF_UNIX];
  const socketAt = program.length;
  emit(JEQ, arch.socket, undefined, socketAt + 2 + families.length);
  emit(LD_ABS, ARG0);
  for (const family of families.slice(0, -1)) emit(JEQ, family, "allow");
  emit(JEQ, families.at(-1)!, "allow", "eafnosupport");
  const prctlAt = program.length;
  emit(JEQ, arch.prctl, undefined, prctlAt + 5);
  emit(LD_ABS, ARG0);
  emit(JEQ, PR_SET_PDEATHSIG, undefined, "allow");
  emit(LD_ABS, ARG1);
  emit(JEQ, SIGKILL, "allow", "eperm");
  if (options.processes) emit(JEQ, 0, "allow", "allow");
  else {
    emit(JEQ, arch.clone, undefined, "allow");
    emit(LD_ABS, ARG0);
    emit(JSET, CLONE_THREAD, "allow", "eagain");
  }
  const labels: Record<Label, number> = {
    allow: program.length,
    eperm: program.length + 1,
    eagain: program.length + 2,
    enosys: program.length + 3,
    eafnosupport: program.length + 4,
  };
  const rows: [number, number, number, number][] = program.map(
    ([code, jt, jf, k], index) => {
      const rel = (target: Target) => {
        if (target === undefined) return 0;
        const to = typeof target === "number" ? target : labels[target];
        const offset = to - index - 1;
        if (offset < 0 || offset > 255) {
          throw new RangeError(`seccomp jump out of range at ${index}`);
        }
        return offset;
      };
      return [code, rel(jt), rel(jf), k];
    },
  );
  rows.push(
    [RET, 0, 0, ALLOW],
    [RET, 0, 0, ERRNO | EPERM],
    [RET, 0, 0, ERRNO | EAGAIN],
    [RET, 0, 0, ERRNO | ENOSYS],
    [RET, 0, 0, ERRNO | EAFNOSUPPORT],
  );
  // struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; } in host order
  // (little-endian on both machines above).
  const bytes = new Uint8Array(rows.length * 8);
  const view = new DataView(bytes.buffer);
  rows.forEach(([code, jt, jf, k], i) => {
    view.setUint16(i * 8, code, true);
    view.setUint8(i * 8 + 2, jt);
    view.setUint8(i * 8 + 3, jf);
    view.setUint32(i * 8 + 4, k >>> 0, true);
  });
  return bytes;
}
