/**
 * The stage a granted folder passes through on its way into a program's
 * sandbox. In a mount namespace of the call's own (`unshare`), a tmpfs of
 * the write bound is mounted on the engine's stage directory; the granted
 * folder is bound into it and its `device:inode` checked against the pin
 * taken when the owner granted it (a link or another folder in its place
 * is refused, and the bind that was checked is the one the program gets,
 * so no later swap matters); a writable folder whose repository keeps its
 * hooks inside it (`core.hooksPath` relative, or under the folder: husky,
 * a `.githooks` folder) or whose config includes a file of it
 * (`include.path = ../.gitconfig`) is refused, as if its `.git/hooks` or
 * `.git/config` were writable;
 * then the program sees it read-only, or, with
 * `--write`, through an overlay whose upper layer lives in that tmpfs: past
 * the bound the program gets ENOSPC. After the program exits, a second
 * confined run (nobody, seeing only the folder, the upper layer and the
 * merged view) makes the folder what the program saw. A call that is
 * killed (timeout, output cap) leaves nothing behind.
 *
 * @module
 */
import type { ProgramConfinement, SandboxIdentity } from "../../sandbox/mod.ts";
import { GIT_METADATA, shellArgv } from "./shell_argv.ts";

/** What one call may write into a granted folder unless the owner raised it. */
export const DEFAULT_WRITE_BYTES = 64 * 1024 * 1024;

/** Most files and folders one call may create in a granted folder. */
const WRITE_INODES = 65_536;

/** One call's granted folder and how it is staged. */
export interface GrantStage {
  /** The granted folder, as the owner granted it (its real path then). */
  folder: string;
  /** Its `device:inode` when granted; unchecked when unknown (older grants). */
  pin?: string;
  /** Whether the program may write it (`--write`). */
  write: boolean;
  /** The write bound, in bytes. */
  bytes: number;
  /** The engine's stage directory: a mount point only inside the call's namespace. */
  dir: string;
}

/** Where the program's view of the folder is mounted inside the stage. */
export function stagedFolder(stage: GrantStage): string {
  return `${stage.dir}/merged`;
}

/** Where the copy-back run sees the real folder, the program's changes and its view. */
export const COPY_BACK_MOUNTS = {
  folder: "/grant",
  upper: "/upper",
  merged: "/merged",
} as const;

// Fixed text; every value arrives as a positional parameter: $1 the
// folder, $2 its pin, $3 the stage, $4 the bound, $5 write (1/0), $6
// bubblewrap, $7 how many copy-back options follow (bubblewrap reads them
// from a file: --args), those, then how many words of the copy-back's
// command follow, those, then the program's bubblewrap command line.
const STAGE_SCRIPT = `fail() { echo "agentos grant: $*" >&2; exit 71; }
folder=$1; pin=$2; stage=$3; bytes=$4; write=$5; bwrap=$6; n=$7; shift 7
mount -t tmpfs -o "size=$bytes,nr_inodes=${WRITE_INODES},mode=0755" agentos-grant "$stage" || fail "cannot make the call's write area"
mkdir "$stage/lower" "$stage/upper" "$stage/work" "$stage/merged" || fail "cannot make the call's write area"
: >"$stage/copy.args"
while [ "$n" -gt 0 ]; do printf '%s\\0' "$1" >>"$stage/copy.args"; shift; n=$((n - 1)); done
words=$1; shift
mount --bind "$folder" "$stage/lower" || fail "cannot bind $folder"
found=$(stat -c %d:%i "$stage/lower") || fail "cannot read $folder"
[ -z "$pin" ] || [ "$found" = "$pin" ] || fail "$folder is no longer the folder the owner granted (a link or another folder is in its place); the owner can grant it again"
cfg=$stage/lower/.git/config
in_folder() { case "$1" in ""|"~"*) return 1 ;; /*) case "$1/" in "$folder"/*) return 0 ;; esac; return 1 ;; esac; return 0; }
if [ "$write" = 1 ] && [ -f "$cfg" ] && command -v git >/dev/null; then
  hooks=$(git config --file "$cfg" --includes --get core.hooksPath 2>/dev/null)
  case "$hooks" in ../*) ;; *) ! in_folder "$hooks" || fail "$folder keeps the hooks your git runs inside itself (core.hooksPath $hooks): a program writing there could leave one; grant it without --write, or keep the hooks elsewhere" ;; esac
  includes=$(git config --file "$cfg" --get-regexp '^include(if[.].*)?[.]path$' 2>/dev/null | sed 's/^[^ ]* //')
  IFS='
'
  for path in $includes; do
    case "$path" in ../../*) ;; *) ! in_folder "$path" || fail "$folder holds a file your repository's config includes ($path): a program writing there could set what your git runs; grant it without --write, or include a file elsewhere" ;; esac
  done
  unset IFS
fi
if [ "$write" = 1 ]; then
  # The overlay's root takes the upper layer's owner and mode: the folder's.
  chown "$(stat -c %u:%g "$stage/lower")" "$stage/upper" &&
    chmod "$(stat -c %a "$stage/lower")" "$stage/upper" || fail "cannot stage $folder"
  layers="lowerdir=$stage/lower,upperdir=$stage/upper,workdir=$stage/work"
  mount -t overlay agentos-grant -o "$layers,userxattr" "$stage/merged" 2>/dev/null ||
    mount -t overlay agentos-grant -o "$layers" "$stage/merged" || fail "cannot bound the writes into $folder"
else
  mount --bind "$stage/lower" "$stage/merged" || fail "cannot bind $folder"
fi
(shift "$words"; exec "$@")
status=$?
if [ "$write" = 1 ]; then
  # Holes take no room in the write area: sparse files (each held to the
  # program's file size limit) would land far more than the bound.
  apparent=$(du -s -b "$stage/upper" 2>/dev/null) || fail "cannot measure the program's writes into $folder; nothing of this call lands"
  apparent=\${apparent%%[[:space:]]*}
  [ -n "$apparent" ] && [ "$apparent" -le "$bytes" ] || fail "the program's files hold $apparent bytes, past the call's write bound of $bytes (sparse files); nothing of this call lands"
  i=0
  for word do [ "$i" -lt "$words" ] && set -- "$@" "$word"; i=$((i + 1)); done
  shift "$i"
  "$bwrap" --args 5 "$@" 5<"$stage/copy.args" || fail "the program's writes into $folder could not all be copied back"
fi
exit $status
`;

/**
 * The copy-back's `find` operands that leave the folder's `.git` metadata
 * (config, commondir, hooks…) out, whether or not it existed: those that
 * exist are read-only in the program's view, and one it made (a
 * `.git/commondir` checked out with `.git` as a work tree) would lead the
 * owner's git to config and hooks of the skill's choosing.
 */
const KEEP_GIT_METADATA = [
  "(",
  ...GIT_METADATA.flatMap((name, i) => [
    ...(i > 0 ? ["-o"] : []),
    "-path",
    `./.git/${name}`,
  ]),
  ")",
  "-prune",
  "-o",
].map((word) => `'${word}'`).join(" ");

/**
 * The copy-back's first check: a repository the program made inside a
 * `.git` (a clone or `init` whose work tree is `.git/rebase-merge` or
 * `sub/.git`, reached by name or through a link) turns checked-out files
 * into git's own state and config, which the owner's git would run (a
 * rebase todo's `exec`, a nested repository's `core.fsmonitor` at the
 * owner's `git status`). Nothing of such a call lands, nor of one whose
 * write area cannot be read all through (a folder it could hide one in).
 */
const NO_WORK_TREE_IN_GIT =
  `if [ -n "$(find . -path '*/.git/*' -name .git -print 2>&1 | head -n 1)" ]; then
  echo "agentos grant: the program made a repository inside a .git folder; nothing of this call lands" >&2
  exit 71
fi`;

/**
 * Config keys git itself writes into a repository it makes or changes
 * (`init`, `clone`, `remote`, `branch --set-upstream-to`, `push -u`…):
 * none runs a program. A nested repository's config with any other key
 * (`core.fsmonitor`, `include.path`, `remote.*.uploadpack`) was written by
 * something other than git's own commands.
 */
const GIT_WRITTEN_KEYS = "^(core[.](repositoryformatversion|filemode|bare|" +
  "logallrefupdates|ignorecase|precomposeunicode|symlinks|sharedrepository|" +
  "worktree)|" +
  "extensions[.](objectformat|partialclone)|receive[.]denynonfastforwards|" +
  "submodule[.]active|submodule[.].+[.](url|active)|" +
  "remote[.].+[.](url|pushurl|fetch|mirror|tagopt|promisor|partialclonefilter)|" +
  "branch[.].+[.](remote|merge|rebase|description))$";

/**
 * The `.git` file git writes in a submodule's work tree (`clone
 * --recurse-submodules`): its git directory under a `.git/modules` folder,
 * reached by climbing only, no `..` past it. Whatever that directory
 * holds is checked like any nested `.git` (or is the folder's own,
 * read-only, or the owner's).
 */
const SUBMODULE_GITDIR =
  "gitdir: (\\.\\./)+\\.git/modules(/[A-Za-z0-9_-][A-Za-z0-9._-]*)+";

/**
 * The copy-back's second check, for any program that writes a file's
 * content at a path of the skill's choosing (`curl -o`, an archive, a
 * download): a repository deeper in the folder that the owner's `git
 * status` enters once it is a gitlink must lead it to no code. Nothing
 * lands of a call that left a `.git` that is no folder (a link, or a
 * `gitdir:` file other than a submodule's, {@linkcode SUBMODULE_GITDIR}:
 * git then reads a config of the skill's making), a link, a
 * `commondir` or a hook (other than git's `*.sample`) inside a nested
 * `.git`, or a nested config holding a key git's own commands do not
 * write ({@linkcode GIT_WRITTEN_KEYS}). The folder's own `.git` metadata
 * never lands anyway ({@linkcode KEEP_GIT_METADATA}).
 */
const NO_CODE_IN_NESTED_GIT =
  `nested=$(find . -name .git ! -type d ! -type c -exec sh -c '
    for g do
      [ -f "$g" ] && [ ! -L "$g" ] && [ "$(grep -c "" "$g")" = 1 ] && grep -Eqx "$0" "$g" || echo "$g"
    done' '${SUBMODULE_GITDIR}' {} + 2>&1; find . -path ./.git -prune -o -path '*/.git/*' \\( -type l -o -name commondir ! -type c -o -path '*/hooks/*' -type f ! -name '*.sample' \\) -print 2>&1)
if [ -z "$nested" ]; then
  nested=$(find . -path ./.git -prune -o -path '*/.git/*' ! -path '*/refs/*' ! -path '*/logs/*' \\( -name config -o -name config.worktree \\) -exec sh -c '
    for f do
      keys=$(git config --file "$f" --name-only --list 2>/dev/null) || { echo "$f"; continue; }
      [ -z "$(printf "%s\\n" "$keys" | grep -Eiv "$0" | grep .)" ] || echo "$f"
    done' '${GIT_WRITTEN_KEYS}' {} + 2>&1)
fi
if [ -n "$nested" ]; then
  echo "agentos grant: the program left git metadata that would run code for your git deeper in the folder ($(echo "$nested" | head -n 1)); nothing of this call lands" >&2
  exit 71
fi`;

/**
 * Runs as nobody in a sandbox that sees only the real folder (writable),
 * the upper layer and the merged view (read-only) and system directories:
 * first every entry the merged view no longer shows (a whiteout, or a
 * folder the program deleted and made again) is removed, in folders
 * reached without a link only (a link in the folder to `.git` or `..`,
 * replaced by a real folder, would list and delete what it leads to),
 * then what the
 * program made or changed is copied over, links as links, except the
 * `.git` metadata ({@linkcode KEEP_GIT_METADATA}); nothing at all when it
 * made a repository inside a `.git` ({@linkcode NO_WORK_TREE_IN_GIT}) or
 * left a nested repository what runs code ({@linkcode NO_CODE_IN_NESTED_GIT}). A link in the folder
 * leads nowhere outside it here.
 */
export const COPY_BACK_SCRIPT = `set -u
cd ${COPY_BACK_MOUNTS.upper} || exit 71
${NO_WORK_TREE_IN_GIT}
${NO_CODE_IN_NESTED_GIT}
find . -type d -exec sh -c '
  for d do
    want=/grant/\${d#./}; [ "$d" = . ] && want=/grant
    real=$(cd -P -- "/grant/$d" 2>/dev/null && pwd -P) || continue
    [ "$real" = "$want" ] || continue
    for e in "/grant/$d"/* "/grant/$d"/.[!.]* "/grant/$d"/..?*; do
      [ -e "$e" ] || [ -L "$e" ] || continue
      m="/merged/$d/\${e##*/}"
      [ -e "$m" ] || [ -L "$m" ] || rm -rf -- "$e"
    done
  done' sh {} +
find . -mindepth 1 ${KEEP_GIT_METADATA} ! -type c -exec sh -c '
  for p do
    if [ -d "$p" ] && [ ! -L "$p" ]; then
      if [ -L "/grant/$p" ] || [ ! -d "/grant/$p" ]; then rm -rf -- "/grant/$p"; mkdir -- "/grant/$p"; fi
      chmod -- "$(stat -c %a "$p")" "/grant/$p"
    else
      rm -rf -- "/grant/$p" && cp -P --preserve=mode,timestamps -- "$p" "/grant/$p"
    fi
  done' sh {} +
`;

/**
 * The command that stages the folder and then runs the program's
 * bubblewrap (and, with `--write`, the copy-back's).
 *
 * @param stage the folder, pin, bound and stage directory
 * @param identity how the sandbox's user is made: a user namespace needs
 *   one of its own to mount in; a root engine mounts as it is
 * @param program the program's bubblewrap and its arguments
 * @param copyBack the copy-back's bubblewrap arguments (without `bwrap`)
 * @returns what the launcher executes
 */
export function stageCommand(
  stage: GrantStage,
  identity: SandboxIdentity,
  program: string[],
  copyBack: string[],
): string[] {
  // bubblewrap reads only options from --args: the command stays in argv.
  const end = copyBack.indexOf("--");
  const options = copyBack.slice(0, end);
  const command = copyBack.slice(end);
  return [
    "unshare",
    ...(identity === "userns" ? ["--user", "--map-root-user"] : []),
    "--mount",
    "--propagation",
    "private",
    "/bin/sh",
    "-c",
    STAGE_SCRIPT,
    "agentos-grant",
    stage.folder,
    stage.pin ?? "",
    stage.dir,
    String(stage.bytes),
    stage.write ? "1" : "0",
    program[0]!,
    String(options.length),
    ...options,
    String(command.length),
    ...command,
    ...program,
  ];
}

/**
 * The copy-back's bubblewrap arguments: {@linkcode COPY_BACK_SCRIPT} run
 * by `/bin/sh` as the sandbox's user, seeing the real folder (writable),
 * the upper layer and the merged view (read-only) and nothing else of the
 * host but its system directories. No seccomp filter: the launcher's was
 * read by the program's bubblewrap, and nothing here runs the program's
 * code (only its file names and contents pass through `cp`).
 *
 * @param stage the stage
 * @param confinement how the engine confines (identity, setpriv)
 * @param tmpBytes size of its private `/tmp`
 * @returns the arguments after `bwrap`
 */
export function copyBackArgv(
  stage: GrantStage,
  confinement: ProgramConfinement,
  tmpBytes: number,
): string[] {
  return shellArgv({
    program: "/bin/sh",
    args: ["-c", COPY_BACK_SCRIPT, "agentos-copy-back"],
    cwd: "/",
    config: [],
    net: false,
    confinement: { ...confinement, seccomp: false },
    tmpBytes,
    mounts: [
      {
        source: `${stage.dir}/lower`,
        dest: COPY_BACK_MOUNTS.folder,
        write: true,
      },
      {
        source: `${stage.dir}/upper`,
        dest: COPY_BACK_MOUNTS.upper,
        write: false,
      },
      {
        source: stagedFolder(stage),
        dest: COPY_BACK_MOUNTS.merged,
        write: false,
      },
    ],
  });
}
