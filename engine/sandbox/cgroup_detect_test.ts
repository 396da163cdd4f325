/**
 * How the engine finds its cgroup v1 hierarchies (what `engine.status` and
 * `agentos doctor` report), table-driven over `/proc/self/mounts` and
 * `/proc/self/cgroup` texts: each of the pids, memory and cpu controllers
 * must be a mounted `cgroup` (v1, not `cgroup2`) hierarchy the engine's
 * process names; a co-mounted one (`cpu,cpuacct`) counts; what is missing
 * is named in the launcher's order; a host with cgroup v2 says so. On this
 * host, where the engine may use them, the tree's directories read back
 * literally under the engine's own cgroup of each hierarchy.
 */
import assert from "node:assert/strict";
import { CgroupTree } from "./call_cgroup.ts";
import { readHostFacts } from "./sandbox_kind.ts";
import { realPython } from "../../tests/_task_command.ts";

const V1 = [
  "cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,relatime,cpu,cpuacct 0 0",
  "cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0",
  "cgroup /sys/fs/cgroup/pids cgroup rw,relatime,pids 0 0",
];
const SELF = ["4:memory:/", "3:pids:/", "2:cpu,cpuacct:/"];

const CASES: {
  name: string;
  mounts: string[];
  self: string[];
  detail: string;
}[] = [
  {
    name: "nothing mounted",
    mounts: ["proc /proc proc rw 0 0"],
    self: SELF,
    detail: "no cgroup v1 pids, memory, cpu hierarchy",
  },
  {
    name: "cgroup v2 only",
    mounts: ["cgroup2 /sys/fs/cgroup cgroup2 rw,nsdelegate 0 0"],
    self: ["0::/"],
    detail:
      "no cgroup v1 pids, memory, cpu hierarchy; cgroup v2 is mounted, which this engine does not use yet",
  },
  {
    name: "pids missing",
    mounts: [V1[0]!, V1[1]!],
    self: SELF,
    detail: "no cgroup v1 pids hierarchy",
  },
  {
    name: "memory missing",
    mounts: [V1[0]!, V1[2]!],
    self: SELF,
    detail: "no cgroup v1 memory hierarchy",
  },
  {
    name: "cpu missing (cpuacct alone is not cpu)",
    mounts: [
      "cgroup /sys/fs/cgroup/cpuacct cgroup rw,cpuacct 0 0",
      V1[1]!,
      V1[2]!,
    ],
    self: SELF,
    detail: "no cgroup v1 cpu hierarchy",
  },
  {
    name: "a cgroup2 mount naming pids in its options is not v1",
    mounts: [
      V1[0]!,
      V1[1]!,
      "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,pids 0 0",
    ],
    self: SELF,
    detail:
      "no cgroup v1 pids hierarchy; cgroup v2 is mounted, which this engine does not use yet",
  },
  {
    name: "mounted, but the engine's process names no memory cgroup",
    mounts: V1,
    self: ["3:pids:/", "2:cpu,cpuacct:/"],
    detail: "no cgroup v1 memory hierarchy",
  },
  {
    name: "a controller named only as part of another's name does not count",
    mounts: [
      "cgroup /sys/fs/cgroup/pidsx cgroup rw,pidsx 0 0",
      V1[1]!,
      V1[0]!,
    ],
    self: SELF,
    detail: "no cgroup v1 pids hierarchy",
  },
];

for (const c of CASES) {
  Deno.test(`cgroup detection: ${c.name}`, async () => {
    const tree = await CgroupTree.open({
      python: realPython(),
      mounts: c.mounts.join("\n") + "\n",
      selfCgroup: c.self.join("\n") + "\n",
    });
    try {
      assert.deepEqual(tree.report(), { kind: "none", detail: c.detail });
      assert.equal(tree.create(), undefined);
    } finally {
      await tree.close();
    }
  });
}

// The host's own hierarchies, when the engine may write there.
const facts = await readHostFacts("/bin/sh");
const probe = await CgroupTree.open({ ...facts, python: realPython() });
await probe.close();

Deno.test({
  name:
    `cgroup detection: this host's tree is made under the engine's own cgroup of pids, memory and cpu, in that order${
      probe.kind === "none" ? `: skipped, ${probe.detail}` : ""
    }`,
  ignore: probe.kind === "none",
  fn: async () => {
    const tree = await CgroupTree.open({ ...facts, python: realPython() });
    try {
      assert.equal(tree.kind, "v1");
      const mount = (controller: string) =>
        facts.mounts.split("\n").map((line) => line.split(" ")).find((f) =>
          f[2] === "cgroup" && (f[3] ?? "").split(",").includes(controller)
        )![1]!;
      const own = (controller: string) => {
        const path = facts.selfCgroup.split("\n").map((line) => line.split(":"))
          .find((f) => (f[1] ?? "").split(",").includes(controller))![2]!;
        return path === "/" ? "" : path;
      };
      const dirs = tree.detail.split(" ");
      assert.equal(dirs.length, 3, tree.detail);
      const tag = new RegExp(`/agentos-[0-9a-f]{8}-${Deno.pid}$`);
      ["pids", "memory", "cpu"].forEach((controller, i) => {
        assert.match(dirs[i]!, tag);
        assert.equal(
          dirs[i]!.slice(0, dirs[i]!.lastIndexOf("/")),
          `${mount(controller)}${own(controller)}`,
          controller,
        );
      });
      // One tree: the same tag in every hierarchy, and it exists.
      const tags = dirs.map((dir) => dir.slice(dir.lastIndexOf("/")));
      assert.equal(new Set(tags).size, 1);
      for (const dir of dirs) assert.ok((await Deno.stat(dir)).isDirectory);
    } finally {
      await tree.close();
    }
  },
});
