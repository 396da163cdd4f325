import assert from "node:assert/strict";
import { type LocalGrants, missingLocalGrants } from "./local_grants.ts";

const NONE: LocalGrants = { reads: [], runs: {}, keychain: [] };

Deno.test("missingLocalGrants() names each local grant of the provider the caller does not hold", () => {
  const provider: LocalGrants = {
    reads: ["/h/.config/app", "/h/notes.db"],
    runs: {
      gh: {
        path: "/usr/bin/gh",
        cwd: "/h/src",
        write: true,
        config: ["/h/.config/gh"],
        net: true,
      },
    },
    keychain: ["Chrome Safe Storage"],
  };
  assert.deepEqual(missingLocalGrants(provider, NONE), [
    "--read /h/.config/app",
    "--read /h/notes.db",
    "--run gh --cwd /h/src",
    '--keychain "Chrome Safe Storage"',
  ]);
  // A wider grant covers: a parent folder, the same program with more.
  const wider: LocalGrants = {
    reads: ["/h"],
    runs: {
      gh: {
        path: "/usr/bin/gh",
        cwd: "/h",
        write: true,
        config: ["/h/.config"],
        net: true,
      },
    },
    keychain: ["Chrome Safe Storage"],
  };
  assert.deepEqual(missingLocalGrants(provider, wider), []);
  // A narrower one does not; a folder's name as a prefix is not the folder.
  const narrower: LocalGrants = {
    reads: ["/h/.config/app/x", "/h/notes"],
    runs: {
      gh: { path: "/usr/bin/gh", cwd: "/h/src", config: [], net: false },
    },
    keychain: [],
  };
  assert.deepEqual(missingLocalGrants(provider, narrower), [
    "--read /h/.config/app",
    "--read /h/notes.db",
    "--run gh --write",
    "--run gh --config /h/.config/gh",
    "--run gh --net",
    '--keychain "Chrome Safe Storage"',
  ]);
  // Another program file under the same name is not the same grant.
  assert.deepEqual(
    missingLocalGrants(
      {
        ...NONE,
        runs: { git: { path: "/usr/bin/git", config: [], net: false } },
      },
      { ...NONE, runs: { git: { path: "/opt/git", config: [], net: false } } },
    ),
    ["--run git"],
  );
});
