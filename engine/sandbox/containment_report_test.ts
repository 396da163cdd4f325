/**
 * `containmentReport()` on its own: the namespaces it names (the user one
 * only in a user namespace), the uid outside for each identity, seccomp on
 * pid 1 only when sandboxed, pid 1 and mode 2, and the read-only mounts
 * from their free bytes.
 */
import assert from "node:assert/strict";
import { type Confinement, containmentReport } from "./containment_report.ts";

const FOUND: Confinement = {
  rlimits: {},
  fork: "EAGAIN",
  uid: 65534,
  gid: 65534,
  pid: 1,
  seccomp: 2,
  seccompFilters: 2,
  noNewPrivs: true,
  capEff: "0000000000000000",
  tmpBytes: 67108864,
  shmBytes: 16777216,
  devBytes: 0,
  rootBytes: 0,
  machine: "x86_64",
  python: "3.11.7",
};

const CGROUP = { kind: "none" as const, detail: "none here" };

Deno.test("containmentReport(): a user namespace names the user namespace; its uid outside is the engine's", () => {
  assert.deepEqual(
    containmentReport(FOUND, {
      sandboxed: true,
      identity: "userns",
      engineUid: 1000,
      cgroup: CGROUP,
    }),
    {
      namespaces: ["mount", "pid", "net", "ipc", "uts", "cgroup", "user"],
      identity: "userns",
      uidOutside: 1000,
      uidInside: 65534,
      seccompOnPid1: true,
      seccompFilters: 2,
      noNewPrivs: true,
      capabilities: "0000000000000000",
      cgroup: CGROUP,
      tmpfs: { "/tmp": 67108864, "/dev/shm": 16777216 },
      readOnly: { "/": true, "/dev": true },
    },
  );
});

Deno.test("containmentReport(): setpriv is nobody outside, no user namespace; unsandboxed names none", () => {
  const setpriv = containmentReport(FOUND, {
    sandboxed: true,
    identity: "setpriv",
    engineUid: 0,
    cgroup: CGROUP,
  });
  assert.deepEqual(setpriv.namespaces, [
    "mount",
    "pid",
    "net",
    "ipc",
    "uts",
    "cgroup",
  ]);
  assert.equal(setpriv.uidOutside, 65534);
  const plain = containmentReport(
    { ...FOUND, uid: 1000, pid: 4242, devBytes: 4096, rootBytes: 8192 },
    { sandboxed: false, identity: "plain", engineUid: 1000, cgroup: CGROUP },
  );
  assert.deepEqual(plain.namespaces, []);
  assert.equal(plain.uidOutside, 1000);
  assert.equal(plain.seccompOnPid1, false);
  assert.deepEqual(plain.readOnly, { "/": false, "/dev": false });
  // Sandboxed but not pid 1, or a filter mode other than 2: not on pid 1.
  for (const found of [{ ...FOUND, pid: 2 }, { ...FOUND, seccomp: 1 }]) {
    const report = containmentReport(found, {
      sandboxed: true,
      identity: "userns",
      engineUid: 1000,
      cgroup: CGROUP,
    });
    assert.equal(report.seccompOnPid1, false);
  }
});
