#!/usr/bin/env bash
# Installs the `agentos` and `agentos-mcp` commands as two small launchers
# that run this checkout through scripts/deno and the deno.json tasks, so
# they get exactly the tasks' narrow permission flags and nothing is
# compiled or downloaded besides Deno itself (from the npm registry, when
# no deno >= 2.9 is on PATH). Checks Python and bubblewrap on the way.
#
#   scripts/install.sh                  # launchers in ~/.local/bin
#   scripts/install.sh --prefix DIR     # launchers in DIR/bin
#
# The launchers name this checkout: keep it where it is (move it, and run
# this script again). Uninstall: delete DIR/bin/agentos and DIR/bin/agentos-mcp.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
prefix="${HOME:-}/.local"

say() { printf 'agentos install: %s\n' "$*"; }
warn() { printf 'agentos install: warning: %s\n' "$*" >&2; }
die() { printf 'agentos install: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,12s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#--prefix=}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument \"$1\" (usage: scripts/install.sh [--prefix DIR])" ;;
  esac
done
[ -n "$prefix" ] || die "--prefix is empty"
case "$prefix" in /*) ;; *) prefix="$PWD/$prefix" ;; esac
bin="$prefix/bin"

# Python runs every skill; without it the engine cannot start (scripts/deno
# needs the interpreter's path for the engine's --allow-run flag).
python=${AGENTOS_PYTHON:-python3}
if ! version=$("$python" -c 'import sys; print("%d.%d.%d (%s)" % (sys.version_info[:3] + (sys.executable,)))' 2>/dev/null); then
  die "Python 3 is needed to run skills, but \"$python\" does not run: install it (Debian/Ubuntu: sudo apt-get install python3) or set AGENTOS_PYTHON to an interpreter"
fi
say "Python $version"

# bubblewrap confines every skill; without it the engine runs but refuses to
# run skills, so this is a warning, not a failure.
if ! command -v bwrap >/dev/null 2>&1; then
  warn "bubblewrap is not installed: the engine will run but refuse to run skills until it is (Debian/Ubuntu: sudo apt-get install bubblewrap)"
elif ! probe=$(bwrap --unshare-net --ro-bind / / --dev /dev --proc /proc true 2>&1); then
  warn "bubblewrap is installed but cannot create a sandbox here (${probe:-no reason given}); run \"agentos doctor\" after installing"
else
  say "$(bwrap --version 2>/dev/null || echo bubblewrap)"
fi

# Bootstrap Deno now, so a failure shows here and not on the first command.
deno_version=$("$root/scripts/deno" --version 2>/dev/null | head -n 1) \
  || die "Deno could not be set up: run \"$root/scripts/deno --version\" to see why"
say "$deno_version"

# Single-quotes a word for the launchers' sh.
quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

write_launcher() { # name task
  local file="$bin/$1" tmp
  tmp=$(mktemp "$bin/.$1.XXXXXX")
  cat >"$tmp" <<EOF
#!/bin/sh
# $1: installed by $(quote "$root/scripts/install.sh").
# Runs that checkout's deno.json task "$2", with its permission flags.
# deno task runs in the checkout; INIT_CWD keeps where you ran this from.
INIT_CWD="\$PWD"
export INIT_CWD
exec $(quote "$root/scripts/deno") task -q --config $(quote "$root/deno.json") $2 "\$@"
EOF
  chmod 755 "$tmp"
  mv -f "$tmp" "$file"
  say "installed $file"
}

mkdir -p "$bin" || die "cannot create \"$bin\""
write_launcher agentos agentos
write_launcher agentos-mcp mcp

case ":${PATH:-}:" in
  *":$bin:"*) ;;
  *) warn "$bin is not on your PATH: add it (e.g. export PATH=\"$bin:\$PATH\" in your shell profile)" ;;
esac
cat <<EOF

Next:
  agentos engine start             start the engine in the background
  agentos doctor                   check Python, the sandbox, permissions and the database
  agentos service install          start the engine at login (systemd user unit)
  agentos mcp config --command $bin/agentos-mcp
                                   connect Claude Desktop, Claude Code or Cursor
Docs: $root/docs/install.md
EOF
