import type { HomePaths } from "./home.ts";

/** Another engine holds `engine.lock`. */
export class EngineLockedError extends Error {
  /** Pid of the engine holding the lock, when known. */
  readonly pid: number | undefined;

  /**
   * @param lockFile the lock's path
   * @param pid the holder's pid, if it could be read
   */
  constructor(lockFile: string, pid: number | undefined) {
    super(
      `Cannot start the engine: "${lockFile}" is locked by ${
        pid ? `pid ${pid}` : "another process"
      }`,
    );
    this.name = "EngineLockedError";
    this.pid = pid;
  }
}

/** What the lock found left behind by an engine that did not shut down. */
export interface StaleState {
  /** Pid recorded in a leftover `engine.pid`, if any. */
  pid?: number;
  /** Whether a leftover `engine.sock` was removed. */
  socket: boolean;
}

/**
 * The singleton guard: an exclusive flock on `engine.lock` held for the
 * engine's life, plus `engine.pid`. The kernel drops a flock when its holder
 * dies, so a lock we can take proves any leftover pid file or socket stale.
 */
export class EngineLock implements Disposable {
  #file: Deno.FsFile;
  #paths: HomePaths;
  /** What a crashed predecessor left behind (already cleaned up). */
  readonly stale: StaleState;

  private constructor(file: Deno.FsFile, paths: HomePaths, stale: StaleState) {
    this.#file = file;
    this.#paths = paths;
    this.stale = stale;
  }

  /**
   * Takes the lock without waiting, cleans up stale state, writes our pid.
   *
   * @param paths the home's paths
   * @returns the held lock
   * @throws {EngineLockedError} when another live engine holds it
   */
  static acquire(paths: HomePaths): EngineLock {
    const file = Deno.openSync(paths.lockFile, {
      read: true,
      write: true,
      create: true,
      mode: 0o600,
    });
    if (!file.tryLockSync(true)) {
      file.close();
      throw new EngineLockedError(paths.lockFile, readPid(paths));
    }
    const stale: StaleState = { socket: false };
    const leftoverPid = readPidFile(paths.pidFile);
    if (leftoverPid !== undefined && leftoverPid !== Deno.pid) {
      stale.pid = leftoverPid;
    }
    try {
      Deno.removeSync(paths.socket);
      stale.socket = true;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    const pid = new TextEncoder().encode(`${Deno.pid}\n`);
    Deno.writeFileSync(paths.pidFile, pid, { mode: 0o644 });
    // Also in the lock file, for a rival that reads before the pid file lands.
    file.truncateSync(0);
    file.writeSync(pid);
    return new EngineLock(file, paths, stale);
  }

  /** Removes the pid file and socket, then releases the lock. Idempotent. */
  release(): void {
    for (const path of [this.#paths.pidFile, this.#paths.socket]) {
      try {
        Deno.removeSync(path);
      } catch {
        // Already gone.
      }
    }
    try {
      this.#file.truncateSync(0);
      this.#file.close(); // closing drops the flock
    } catch {
      // Already released.
    }
  }

  /** Same as {@linkcode EngineLock.release}. */
  [Symbol.dispose](): void {
    this.release();
  }
}

function readPid(paths: HomePaths): number | undefined {
  return readPidFile(paths.pidFile) ?? readPidFile(paths.lockFile);
}

/**
 * The pid recorded in a pid (or lock) file.
 *
 * @param path the file
 * @returns the pid, or undefined when the file is missing or holds none
 */
export function readPidFile(path: string): number | undefined {
  try {
    const pid = Number.parseInt(Deno.readTextFileSync(path).trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
