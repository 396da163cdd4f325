import { DatabaseSync } from "node:sqlite";
import { type HomePaths, isCompiled } from "../engine/mod.ts";
import { type CheckResult, mode, ownUid, stat } from "./doctor_check.ts";

/** The oldest Deno this project runs on (scripts/deno pins 2.9.6). */
export const MIN_DENO = [2, 9];

/** The `deno` check. */
export function checkDeno(): CheckResult {
  const version = Deno.version.deno;
  const [major = 0, minor = 0] = version.split(".").map(Number);
  const ok = major === MIN_DENO[0] && minor >= MIN_DENO[1]!;
  return {
    name: "deno",
    status: ok ? "ok" : "fail",
    detail: `${version}${isCompiled() ? " (compiled in)" : ""}`,
    hint: `use Deno ${
      MIN_DENO.join(".")
    } or newer 2.x: scripts/deno installs the pinned one`,
  };
}

/** The `engine` check. */
export function checkEngine(
  paths: HomePaths,
  status: Record<string, unknown> | undefined,
): CheckResult {
  const socket = stat(paths.socket);
  if (socket && (socket.mode! & 0o077) !== 0) {
    return {
      name: "engine",
      status: "fail",
      detail: `socket "${paths.socket}" has mode ${mode(socket)}, not 600`,
      hint:
        `restart the engine (it recreates the socket): agentos engine stop && agentos engine start`,
    };
  }
  if (status) {
    return {
      name: "engine",
      status: "ok",
      detail:
        `running (pid ${status.pid}, version ${status.version}), socket 600`,
    };
  }
  return {
    name: "engine",
    status: "warn",
    detail: socket
      ? `not running (a stale socket is left: the next start replaces it)`
      : "not running",
    hint:
      "agentos engine start (or agentos service install to start it at login)",
  };
}

/** The `home` check. */
export function checkHome(paths: HomePaths): CheckResult {
  const dirs = [paths.home, paths.dataDir, paths.logsDir];
  if (!stat(paths.home)) {
    return {
      name: "home",
      status: "warn",
      detail: `${paths.home} does not exist yet`,
      hint: "agentos engine start creates it (mode 700)",
    };
  }
  const loose = dirs.filter((dir) => {
    const info = stat(dir);
    return info && (info.mode! & 0o077) !== 0;
  });
  const uid = ownUid();
  const foreign = dirs.filter((dir) => {
    const info = stat(dir);
    return info && uid !== undefined && info.uid !== uid;
  });
  if (foreign.length > 0) {
    return {
      name: "home",
      status: "fail",
      detail: `${foreign.join(", ")} belong${
        foreign.length === 1 ? "s" : ""
      } to another user`,
      hint: `chown -R "$(id -un)" ${paths.home}`,
    };
  }
  if (loose.length > 0) {
    return {
      name: "home",
      status: "fail",
      detail: loose.map((dir) => `${dir} is ${mode(stat(dir)!)}`).join(", ") +
        ": others may read credentials",
      hint: `chmod 700 ${loose.join(" ")}`,
    };
  }
  return { name: "home", status: "ok", detail: `${paths.home} (700)` };
}

/** The `database` check. */
export function checkDatabase(paths: HomePaths): CheckResult {
  if (!stat(paths.database)) {
    return {
      name: "database",
      status: "skip",
      detail: "not created yet (the engine creates it on first start)",
    };
  }
  const loose = ["", "-wal", "-shm"]
    .map((suffix) => `${paths.database}${suffix}`)
    .filter((file) => {
      const info = stat(file);
      return info && (info.mode! & 0o077) !== 0;
    });
  if (loose.length > 0) {
    return {
      name: "database",
      status: "fail",
      detail: `${loose.join(", ")} readable by others`,
      hint: `chmod 600 ${loose.join(" ")}`,
    };
  }
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(paths.database, { readOnly: true });
    const rows = db.prepare("PRAGMA integrity_check").all() as {
      integrity_check: string;
    }[];
    const { user_version } = db.prepare("PRAGMA user_version").get() as {
      user_version: number;
    };
    const problems = rows.map((row) => row.integrity_check).filter((text) =>
      text !== "ok"
    );
    if (problems.length > 0) {
      return {
        name: "database",
        status: "fail",
        detail: `integrity_check: ${problems.slice(0, 3).join("; ")}`,
        hint: "stop the engine and restore a backup: agentos restore <file>",
      };
    }
    return {
      name: "database",
      status: "ok",
      detail: `integrity ok, schema v${user_version}, files 600`,
    };
  } catch (error) {
    return {
      name: "database",
      status: "fail",
      detail: `cannot read ${paths.database}: ${(error as Error).message}`,
      hint: "stop the engine and restore a backup: agentos restore <file>",
    };
  } finally {
    db?.close();
  }
}

/** The `vault` check. */
export function checkVault(
  paths: HomePaths,
  status: Record<string, unknown> | undefined,
): CheckResult {
  const keyFile = `${paths.home}/vault.key`;
  const info = stat(keyFile);
  if (!info) {
    const vault = status?.vault as { key?: string } | undefined;
    if (vault?.key === "passphrase") {
      return {
        name: "vault",
        status: "ok",
        detail: "key derived from AGENTOS_VAULT_PASSPHRASE",
      };
    }
    return {
      name: "vault",
      status: "skip",
      detail: `not set up (${keyFile} is created on first use)`,
    };
  }
  if ((info.mode! & 0o077) !== 0) {
    return {
      name: "vault",
      status: "fail",
      detail: `${keyFile} has mode ${
        mode(info)
      }: others may read the master key`,
      hint: `chmod 600 ${keyFile}`,
    };
  }
  if (info.size !== 32) {
    return {
      name: "vault",
      status: "fail",
      detail: `${keyFile} holds ${info.size} bytes, not 32`,
      hint:
        "restore the key file from your backup: without it stored credentials cannot be read",
    };
  }
  return {
    name: "vault",
    status: "ok",
    detail: `${keyFile} (600, opens the vault)`,
  };
}
