/**
 * The engine's seccomp program, evaluated instruction by instruction: the
 * bytes `seccompProgram` builds run in a classic-BPF interpreter
 * (`tests/_bpf.ts`) against every syscall number of each architecture.
 *
 * The expected numbers are the kernel's, written here by name from its
 * tables (x86-64: `arch/x86/entry/syscalls/syscall_64.tbl`, aarch64:
 * `include/uapi/asm-generic/unistd.h`), not read from the product: a
 * wrong number in the engine's table leaves the real syscall allowed, and
 * fails here. The last test compares these tables with the host's kernel
 * headers where they are installed.
 */
import assert from "node:assert/strict";
import { seccompProgram } from "../engine/sandbox/mod.ts";
import {
  AUDIT_ARCH,
  decodeProgram,
  evaluate,
  type SeccompAction,
  type SeccompData,
} from "./_bpf.ts";

const DENIED = [
  "ptrace",
  "process_vm_readv",
  "process_vm_writev",
  "pidfd_open",
  "pidfd_getfd",
  "pidfd_send_signal",
  "kcmp",
  "process_madvise",
  "perf_event_open",
  "bpf",
  "userfaultfd",
  "io_uring_setup",
  "io_uring_enter",
  "io_uring_register",
  "keyctl",
  "add_key",
  "request_key",
  "syslog",
  "memfd_create",
  "memfd_secret",
  "shmget",
  "unshare",
  "setns",
  "mount",
  "umount2",
  "pivot_root",
  "chroot",
  "open_tree",
  "move_mount",
  "fsopen",
  "fsconfig",
  "fsmount",
  "fspick",
  "mount_setattr",
  "init_module",
  "finit_module",
  "delete_module",
  "kexec_load",
  "kexec_file_load",
  "open_by_handle_at",
  "name_to_handle_at",
] as const;

type Name =
  | typeof DENIED[number]
  | "clone"
  | "clone3"
  | "socket"
  | "prctl"
  | "execve"
  | "execveat"
  | "read"
  | "write"
  | "openat"
  | "futex"
  | "exit_group"
  | "getpid"
  | "kill"
  | "socketpair";

// x86-64: arch/x86/entry/syscalls/syscall_64.tbl (common/64 entries).
const X86_64_NR: Record<Name | "fork" | "vfork", number> = {
  ptrace: 101,
  process_vm_readv: 310,
  process_vm_writev: 311,
  pidfd_open: 434,
  pidfd_getfd: 438,
  pidfd_send_signal: 424,
  kcmp: 312,
  process_madvise: 440,
  perf_event_open: 298,
  bpf: 321,
  userfaultfd: 323,
  io_uring_setup: 425,
  io_uring_enter: 426,
  io_uring_register: 427,
  keyctl: 250,
  add_key: 248,
  request_key: 249,
  syslog: 103,
  memfd_create: 319,
  memfd_secret: 447,
  shmget: 29,
  unshare: 272,
  setns: 308,
  mount: 165,
  umount2: 166,
  pivot_root: 155,
  chroot: 161,
  open_tree: 428,
  move_mount: 429,
  fsopen: 430,
  fsconfig: 431,
  fsmount: 432,
  fspick: 433,
  mount_setattr: 442,
  init_module: 175,
  finit_module: 313,
  delete_module: 176,
  kexec_load: 246,
  kexec_file_load: 320,
  open_by_handle_at: 304,
  name_to_handle_at: 303,
  fork: 57,
  vfork: 58,
  clone: 56,
  clone3: 435,
  socket: 41,
  prctl: 157,
  execve: 59,
  execveat: 322,
  read: 0,
  write: 1,
  openat: 257,
  futex: 202,
  exit_group: 231,
  getpid: 39,
  kill: 62,
  socketpair: 53,
};

// aarch64: include/uapi/asm-generic/unistd.h (no fork or vfork there).
const AARCH64_NR: Record<Name, number> = {
  ptrace: 117,
  process_vm_readv: 270,
  process_vm_writev: 271,
  pidfd_open: 434,
  pidfd_getfd: 438,
  pidfd_send_signal: 424,
  kcmp: 272,
  process_madvise: 440,
  perf_event_open: 241,
  bpf: 280,
  userfaultfd: 282,
  io_uring_setup: 425,
  io_uring_enter: 426,
  io_uring_register: 427,
  keyctl: 219,
  add_key: 217,
  request_key: 218,
  syslog: 116,
  memfd_create: 279,
  memfd_secret: 447,
  shmget: 194,
  unshare: 97,
  setns: 268,
  mount: 40,
  umount2: 39,
  pivot_root: 41,
  chroot: 51,
  open_tree: 428,
  move_mount: 429,
  fsopen: 430,
  fsconfig: 431,
  fsmount: 432,
  fspick: 433,
  mount_setattr: 442,
  init_module: 105,
  finit_module: 273,
  delete_module: 106,
  kexec_load: 104,
  kexec_file_load: 294,
  open_by_handle_at: 265,
  name_to_handle_at: 264,
  clone: 220,
  clone3: 435,
  socket: 198,
  prctl: 167,
  execve: 221,
  execveat: 281,
  read: 63,
  write: 64,
  openat: 56,
  futex: 98,
  exit_group: 94,
  getpid: 172,
  kill: 129,
  socketpair: 199,
};

const EPERM = 1;
const EAGAIN = 11;
const ENOSYS = 38;
const EAFNOSUPPORT = 97;
const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;
const AF_NETLINK = 16;
const AF_PACKET = 17;
const AF_VSOCK = 40;
const AF_ALG = 38;
const CLONE_VM = 0x100;
const CLONE_FS = 0x200;
const CLONE_FILES = 0x400;
const CLONE_SIGHAND = 0x800;
const CLONE_VFORK = 0x4000;
const CLONE_THREAD = 0x10000;
const CLONE_SYSVSEM = 0x40000;
const CLONE_SETTLS = 0x80000;
const CLONE_PARENT_SETTID = 0x100000;
const CLONE_CHILD_CLEARTID = 0x200000;
const SIGCHLD = 17;
/** What glibc's pthread_create passes to clone. */
const THREAD_FLAGS = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
  CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |
  CLONE_CHILD_CLEARTID;
const PR_SET_PDEATHSIG = 1;
const PR_SET_NAME = 15;
const SIGKILL = 9;
const SIGTERM = 15;

const ALLOW: SeccompAction = { action: "allow" };
const errno = (n: number): SeccompAction => ({ action: "errno", errno: n });

interface Machine {
  name: string;
  audit: number;
  nr: Record<string, number>;
  /** 32-bit ABIs of the same CPU, refused as a way around the checks. */
  foreign: number[];
  x32: boolean;
}

const MACHINES: Machine[] = [
  {
    name: "x86_64",
    audit: AUDIT_ARCH.X86_64,
    nr: X86_64_NR,
    foreign: [AUDIT_ARCH.I386],
    x32: true,
  },
  {
    name: "aarch64",
    audit: AUDIT_ARCH.AARCH64,
    nr: AARCH64_NR,
    foreign: [AUDIT_ARCH.ARM],
    x32: false,
  },
];

function program(machine: string, processes?: boolean): Uint8Array {
  const bytes = seccompProgram(
    machine,
    processes === undefined ? undefined : { processes },
  );
  assert.ok(bytes, `no filter for ${machine}`);
  return bytes;
}

/** Highest syscall number walked: past every number the tables above use. */
const LAST_NR = 511;

/**
 * What the filter must answer for a syscall with zeroed arguments, from
 * the tables above (independent of the engine's own).
 */
function expected(m: Machine, nr: number, processes: boolean): SeccompAction {
  const is = (name: string) => m.nr[name] === nr;
  if (DENIED.some(is)) return errno(EPERM);
  if (is("fork") || is("vfork")) return processes ? ALLOW : errno(EAGAIN);
  if (is("clone3")) return errno(ENOSYS);
  // socket(0, …) is not AF_UNIX; clone(0, …) makes a process.
  if (is("socket")) return errno(EAFNOSUPPORT);
  if (is("clone")) return processes ? ALLOW : errno(EAGAIN);
  return ALLOW;
}

for (const m of MACHINES) {
  for (const processes of [false, true]) {
    const kind = processes ? "programs' filter" : "workers' filter";

    Deno.test(`${m.name} ${kind}: every syscall number 0…${LAST_NR} gets the kernel table's answer (denied, refused, or allowed)`, () => {
      const bytes = program(m.name, processes);
      const wrong: string[] = [];
      for (let nr = 0; nr <= LAST_NR; nr++) {
        const got = evaluate(bytes, { nr, arch: m.audit });
        const want = expected(m, nr, processes);
        if (JSON.stringify(got) !== JSON.stringify(want)) {
          const name = Object.keys(m.nr).find((n) => m.nr[n] === nr) ?? "";
          wrong.push(
            `${nr} ${name}: ${JSON.stringify(got)} (want ${
              JSON.stringify(want)
            })`,
          );
        }
      }
      assert.deepEqual(wrong, []);
    });

    Deno.test(`${m.name} ${kind}: each denied syscall answers EPERM, whatever its arguments`, () => {
      const bytes = program(m.name, processes);
      for (const name of DENIED) {
        for (const args of [[], [1, 2, 3], [-1n, -1n, -1n, -1n, -1n, -1n]]) {
          assert.deepEqual(
            evaluate(bytes, { nr: m.nr[name]!, arch: m.audit, args }),
            errno(EPERM),
            `${name} (${m.nr[name]}) ${JSON.stringify(args.map(String))}`,
          );
        }
      }
    });

    Deno.test(`${m.name} ${kind}: a foreign ABI answers ENOSYS for every number`, () => {
      const bytes = program(m.name, processes);
      const others = [
        ...m.foreign,
        ...MACHINES.filter((o) => o !== m).map((o) => o.audit),
        0,
      ];
      for (const arch of others) {
        for (const nr of [0, 1, 11, 26, 56, 101, 117, 120, 190, 220, 435]) {
          assert.deepEqual(
            evaluate(bytes, { nr, arch }),
            errno(ENOSYS),
            `arch 0x${arch.toString(16)} nr ${nr}`,
          );
        }
      }
    });

    Deno.test(`${m.name} ${kind}: sockets other than AF_UNIX answer EAFNOSUPPORT`, () => {
      const bytes = program(m.name, processes);
      const socket = (domain: number | bigint, type = 1) =>
        evaluate(bytes, {
          nr: m.nr.socket!,
          arch: m.audit,
          args: [domain, type, 0],
        });
      assert.deepEqual(socket(AF_UNIX), ALLOW);
      assert.deepEqual(socket(AF_UNIX, 2), ALLOW);
      for (
        const domain of [
          0,
          AF_INET,
          AF_INET6,
          AF_NETLINK,
          AF_PACKET,
          AF_VSOCK,
          AF_ALG,
          AF_UNIX + 0x100,
        ]
      ) {
        assert.deepEqual(socket(domain), errno(EAFNOSUPPORT), `${domain}`);
      }
      // socketpair is not socket: a Unix pair stays allowed.
      assert.deepEqual(
        evaluate(bytes, {
          nr: m.nr.socketpair!,
          arch: m.audit,
          args: [AF_UNIX, 1, 0],
        }),
        ALLOW,
      );
    });

    Deno.test(`${m.name} ${kind}: prctl(PR_SET_PDEATHSIG) only with SIGKILL; other prctl options pass`, () => {
      const bytes = program(m.name, processes);
      const prctl = (option: number, arg: number) =>
        evaluate(bytes, {
          nr: m.nr.prctl!,
          arch: m.audit,
          args: [option, arg],
        });
      assert.deepEqual(prctl(PR_SET_PDEATHSIG, SIGKILL), ALLOW);
      for (const signal of [0, SIGTERM, 1, 10, SIGKILL + 0x100]) {
        assert.deepEqual(
          prctl(PR_SET_PDEATHSIG, signal),
          errno(EPERM),
          `PR_SET_PDEATHSIG ${signal}`,
        );
      }
      assert.deepEqual(prctl(PR_SET_NAME, SIGTERM), ALLOW);
      assert.deepEqual(prctl(38, 1), ALLOW); // PR_SET_NO_NEW_PRIVS
    });

    Deno.test(`${m.name} ${kind}: clone3 answers ENOSYS (the C library falls back to clone for threads)`, () => {
      const bytes = program(m.name, processes);
      for (const args of [[], [0x1000n, 88n]]) {
        assert.deepEqual(
          evaluate(bytes, { nr: m.nr.clone3!, arch: m.audit, args }),
          errno(ENOSYS),
        );
      }
    });

    Deno.test(`${m.name} ${kind}: execve passes (bubblewrap executes the interpreter under this filter)`, () => {
      const bytes = program(m.name, processes);
      for (const name of ["execve", "execveat"]) {
        assert.deepEqual(
          evaluate(bytes, { nr: m.nr[name]!, arch: m.audit }),
          ALLOW,
          name,
        );
      }
    });
  }

  Deno.test(
    `${m.name}: the x32 bit (0x40000000) ${
      m.x32 ? "answers ENOSYS" : "is the kernel's to refuse"
    }`,
    () => {
      for (const processes of [false, true]) {
        const bytes = program(m.name, processes);
        for (const base of [0, 1, 56, 57, 59, 101, 117, 512, 0x3fffffff]) {
          const nr = 0x40000000 | base;
          const got = evaluate(bytes, { nr, arch: m.audit });
          if (m.x32) {
            assert.deepEqual(got, errno(ENOSYS), `0x${nr.toString(16)}`);
          } else assert.deepEqual(got, ALLOW, `0x${nr.toString(16)}`);
        }
        // Numbers just below the x32 range are ordinary numbers.
        assert.deepEqual(
          evaluate(bytes, { nr: 0x3fffffff, arch: m.audit }),
          ALLOW,
        );
      }
    },
  );

  Deno.test(`${m.name}: clone with CLONE_THREAD passes, any other clone (fork, vfork, posix_spawn) answers EAGAIN`, () => {
    const bytes = program(m.name);
    const clone = (flags: bigint | number, ...rest: number[]) =>
      evaluate(bytes, {
        nr: m.nr.clone!,
        arch: m.audit,
        args: [flags, ...rest],
      });
    assert.deepEqual(clone(THREAD_FLAGS, 0x7000, 0x10, 0x20, 0x30), ALLOW);
    assert.deepEqual(clone(CLONE_THREAD), ALLOW);
    // The flag that makes a thread is CLONE_THREAD, not a shared address space.
    for (
      const flags of [
        SIGCHLD, // fork()
        CLONE_VM | CLONE_VFORK | SIGCHLD, // vfork(), posix_spawn
        CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | SIGCHLD,
        THREAD_FLAGS & ~CLONE_THREAD,
        CLONE_CHILD_CLEARTID | SIGCHLD | CLONE_PARENT_SETTID,
        0,
        // CLONE_THREAD in the upper word of the register is not CLONE_THREAD.
        (BigInt(CLONE_THREAD) << 32n) | BigInt(SIGCHLD),
      ]
    ) {
      assert.deepEqual(
        clone(flags),
        errno(EAGAIN),
        `flags 0x${flags.toString(16)}`,
      );
    }
    // The flag is read from the first argument only.
    assert.deepEqual(clone(SIGCHLD, CLONE_THREAD, CLONE_THREAD), errno(EAGAIN));
  });

  Deno.test(`${m.name}: the programs' filter lets every clone through, the same denials stay`, () => {
    const bytes = program(m.name, true);
    for (
      const flags of [SIGCHLD, CLONE_VM | CLONE_VFORK | SIGCHLD, THREAD_FLAGS]
    ) {
      assert.deepEqual(
        evaluate(bytes, { nr: m.nr.clone!, arch: m.audit, args: [flags] }),
        ALLOW,
      );
    }
    assert.deepEqual(
      evaluate(bytes, { nr: m.nr.ptrace!, arch: m.audit }),
      errno(EPERM),
    );
  });
}

Deno.test("x86_64: fork and vfork answer EAGAIN in the workers' filter and pass in the programs'", () => {
  for (const name of ["fork", "vfork"] as const) {
    const data: SeccompData = { nr: X86_64_NR[name], arch: AUDIT_ARCH.X86_64 };
    assert.deepEqual(evaluate(program("x86_64"), data), errno(EAGAIN), name);
    assert.deepEqual(evaluate(program("x86_64", false), data), errno(EAGAIN));
    assert.deepEqual(evaluate(program("x86_64", true), data), ALLOW, name);
  }
});

Deno.test("arm64 is aarch64; a machine without a table gets no filter; every program is one the kernel accepts", () => {
  assert.deepEqual(program("arm64"), program("aarch64"));
  assert.deepEqual(program("arm64", true), program("aarch64", true));
  for (const machine of ["i686", "riscv64", "mips", "", "x86-64"]) {
    assert.equal(seccompProgram(machine), undefined, machine);
  }
  for (const machine of ["x86_64", "aarch64"]) {
    for (const processes of [false, true]) {
      const insns = decodeProgram(program(machine, processes));
      // The first instruction loads the arch: nothing runs before the ABI check.
      assert.deepEqual(insns[0], { code: 0x20, jt: 0, jf: 0, k: 4 });
    }
  }
});

Deno.test("the interpreter runs a hand-made program as the kernel would", () => {
  // ld arch; jeq X86_64 ? next : ret ENOSYS; ld nr; jeq 39 ? ret EPERM : ret ALLOW
  const rows = [
    [0x20, 0, 0, 4],
    [0x15, 0, 4, AUDIT_ARCH.X86_64],
    [0x20, 0, 0, 0],
    [0x15, 0, 1, 39],
    [0x06, 0, 0, 0x00050001],
    [0x06, 0, 0, 0x7fff0000],
    [0x06, 0, 0, 0x00050026],
  ];
  const bytes = new Uint8Array(rows.length * 8);
  const view = new DataView(bytes.buffer);
  rows.forEach(([code, jt, jf, k], i) => {
    view.setUint16(i * 8, code!, true);
    view.setUint8(i * 8 + 2, jt!);
    view.setUint8(i * 8 + 3, jf!);
    view.setUint32(i * 8 + 4, k! >>> 0, true);
  });
  assert.deepEqual(
    evaluate(bytes, { nr: 39, arch: AUDIT_ARCH.X86_64 }),
    errno(EPERM),
  );
  assert.deepEqual(evaluate(bytes, { nr: 40, arch: AUDIT_ARCH.X86_64 }), ALLOW);
  assert.deepEqual(
    evaluate(bytes, { nr: 39, arch: AUDIT_ARCH.I386 }),
    errno(ENOSYS),
  );
  // A jump past the end is refused, as the kernel refuses it.
  view.setUint8(1 * 8 + 3, 9);
  assert.throws(() => decodeProgram(bytes), /jump out of the program/);
});

const HEADERS = {
  x86_64: "/usr/include/x86_64-linux-gnu/asm/unistd_64.h",
  aarch64: "/usr/include/asm-generic/unistd.h",
};
const headersMissing = (() => {
  for (const path of Object.values(HEADERS)) {
    try {
      Deno.statSync(path);
    } catch {
      return `${path} is not installed (linux-libc-dev)`;
    }
  }
  return undefined;
})();

Deno.test({
  name: `the syscall numbers of this test are the kernel's (host headers)${
    headersMissing ? `: skipped, ${headersMissing}` : ""
  }`,
  ignore: headersMissing !== undefined,
  fn: () => {
    for (
      const [machine, table] of [
        ["x86_64", X86_64_NR],
        ["aarch64", AARCH64_NR],
      ] as const
    ) {
      const text = Deno.readTextFileSync(HEADERS[machine]);
      const header = new Map(
        [...text.matchAll(/#define __NR_(\w+)\s+(\d+)/g)].map((
          m,
        ) => [m[1]!, Number(m[2])]),
      );
      for (const [name, nr] of Object.entries(table)) {
        assert.equal(header.get(name), nr, `${machine} ${name}`);
      }
    }
  },
});
