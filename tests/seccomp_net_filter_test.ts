/**
 * The seccomp variant of programs granted `--net`, evaluated instruction
 * by instruction (`tests/_bpf.ts`): it is the programs' filter plus IPv4
 * and IPv6 sockets, nothing else — every other family still answers
 * `EAFNOSUPPORT`, every other syscall answers as in the programs' filter —
 * and the filter without `--net` keeps refusing IPv4 and IPv6. Socket
 * numbers are the kernel's (x86-64 `syscall_64.tbl`, aarch64
 * `asm-generic/unistd.h`).
 */
import assert from "node:assert/strict";
import { seccompProgram } from "../engine/sandbox/mod.ts";
import { AUDIT_ARCH, evaluate, type SeccompAction } from "./_bpf.ts";

const MACHINES = [
  { name: "x86_64", audit: AUDIT_ARCH.X86_64, socket: 41 },
  { name: "aarch64", audit: AUDIT_ARCH.AARCH64, socket: 198 },
];
const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;
const OTHER_FAMILIES = [0, 3, 4, 5, 9, 16, 17, 38, 40, 44, AF_INET + 0x100];
const ALLOW: SeccompAction = { action: "allow" };
const EAFNOSUPPORT: SeccompAction = { action: "errno", errno: 97 };

function filter(machine: string, inet: boolean): Uint8Array {
  const bytes = seccompProgram(machine, { processes: true, inet });
  assert.ok(bytes, machine);
  return bytes;
}

for (const m of MACHINES) {
  const socket = (bytes: Uint8Array, family: number) =>
    evaluate(bytes, { nr: m.socket, arch: m.audit, args: [family, 1, 0] });

  Deno.test(`${m.name}: the --net programs' filter allows AF_UNIX, AF_INET and AF_INET6 sockets and no other family`, () => {
    const bytes = filter(m.name, true);
    for (const family of [AF_UNIX, AF_INET, AF_INET6]) {
      assert.deepEqual(socket(bytes, family), ALLOW, `${family}`);
    }
    for (const family of OTHER_FAMILIES) {
      assert.deepEqual(socket(bytes, family), EAFNOSUPPORT, `${family}`);
    }
  });

  Deno.test(`${m.name}: without --net the programs' filter refuses AF_INET and AF_INET6`, () => {
    const bytes = filter(m.name, false);
    assert.deepEqual(socket(bytes, AF_UNIX), ALLOW);
    for (const family of [AF_INET, AF_INET6, ...OTHER_FAMILIES]) {
      assert.deepEqual(socket(bytes, family), EAFNOSUPPORT, `${family}`);
    }
  });

  Deno.test(`${m.name}: the --net programs' filter answers every other syscall as the programs' filter does`, () => {
    const net = filter(m.name, true);
    const programs = filter(m.name, false);
    for (let nr = 0; nr <= 511; nr++) {
      for (const args of [[], [AF_INET, 1, 0], [1, 9, 0]]) {
        if (nr === m.socket && args[0] === AF_INET) continue;
        assert.deepEqual(
          evaluate(net, { nr, arch: m.audit, args }),
          evaluate(programs, { nr, arch: m.audit, args }),
          `${nr} ${JSON.stringify(args)}`,
        );
      }
    }
  });
}
