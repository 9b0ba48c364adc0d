#!/usr/bin/env bash
# Find or build a CPython that Home Assistant 2026.2.3 accepts (>=3.13.2, <3.14).
# Prints the interpreter's path on stdout; progress goes to stderr.
# Order: $PYTHON, PATH, pyenv versions, `uv python find/install`, then a build of
# 3.13.5 from Debian trixie's python3.13 source package (its orig tarball is upstream's).
set -euo pipefail

PY_VERSION=3.13.5
PY_TARBALL="Python-${PY_VERSION}.tar.xz"
PY_SHA256=93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640
DEB_SOURCE_VERSION=3.13.5-2+deb13u5
TOOLCHAIN_DIR="${HA_BUNDLE_TOOLCHAIN:-$HOME/.cache/ha-cloud-bundle}"
BUILT=""

CLEANUP=()
cleanup() { [ ${#CLEANUP[@]} -eq 0 ] || rm -rf "${CLEANUP[@]}"; }
trap cleanup EXIT

say() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

acceptable() {
  # True when $1 runs and is CPython 3.13.x with x >= 2, and has the stdlib modules HA needs.
  [ -x "$1" ] || return 1
  "$1" - <<'PY' >/dev/null 2>&1
import sys
ok = sys.version_info[:2] == (3, 13) and sys.version_info[2] >= 2
import ssl, sqlite3, ctypes, lzma, bz2, zlib, venv  # noqa: F401  (a build missing one is useless)
raise SystemExit(0 if ok else 1)
PY
}

find_existing() {
  local candidate
  for candidate in "${PYTHON:-}" "$(command -v python3.13 || true)" "$(command -v python3 || true)" \
      "$TOOLCHAIN_DIR/python-$PY_VERSION/bin/python3.13"; do
    [ -n "$candidate" ] && acceptable "$candidate" && { echo "$candidate"; return 0; }
  done
  local root="${PYENV_ROOT:-$HOME/.pyenv}"
  if [ -d "$root/versions" ]; then
    for candidate in $(ls -d "$root"/versions/3.13.* 2>/dev/null | sort -rV); do
      acceptable "$candidate/bin/python3.13" && { echo "$candidate/bin/python3.13"; return 0; }
    done
  fi
  if command -v uv >/dev/null 2>&1; then
    candidate=$(uv python find '>=3.13.2,<3.14' 2>/dev/null || true)
    [ -n "$candidate" ] && acceptable "$candidate" && { echo "$candidate"; return 0; }
  fi
  return 1
}

try_uv_install() {
  command -v uv >/dev/null 2>&1 || return 1
  say "trying 'uv python install 3.13' ..."
  timeout 300 uv python install 3.13 >&2 2>&1 || return 1
  local candidate
  candidate=$(uv python find '>=3.13.2,<3.14' 2>/dev/null || true)
  [ -n "$candidate" ] && acceptable "$candidate" && { echo "$candidate"; return 0; }
  return 1
}

verify_tarball() {
  echo "$PY_SHA256  $1" | sha256sum --check --status
}

fetch_tarball() {
  # Fetch the orig tarball of Debian trixie's python3.13 source package with a private apt
  # configuration in a temp dir; the system's apt setup is never touched.
  local dest="$1" work uri
  command -v apt-get >/dev/null 2>&1 || die "no apt-get to fetch the Python $PY_VERSION source; install Python >=3.13.2 and set PYTHON"
  work=$(mktemp -d)
  CLEANUP+=("$work")
  uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=$(awk '$1 == "deb" {print ($2 ~ /^\[/ ? $3 : $2); exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$uri" ] || die "cannot find the machine's Debian mirror in /etc/apt"
  mkdir -p "$work/sourceparts" "$work/lists/partial" "$work/cache/archives/partial" "$work/download"
  # The orig tarball is checked against upstream's sha256 below, which is what we trust.
  echo "deb-src [trusted=yes] $uri trixie main" > "$work/sourceparts/trixie-src.list"
  local apt_opts=(
    -o "Dir::Etc::SourceList=/dev/null"
    -o "Dir::Etc::SourceParts=$work/sourceparts"
    -o "Dir::State::Lists=$work/lists"
    -o "Dir::Cache=$work/cache"
    -o "APT::Sandbox::User=root"
    -o "Acquire::Languages=none"
  )
  say "downloading the trixie source index ..."
  apt-get "${apt_opts[@]}" update >&2 || die "apt-get update of the private trixie source list failed"
  say "downloading python3.13 $DEB_SOURCE_VERSION source ..."
  (cd "$work/download" && apt-get "${apt_opts[@]}" source --download-only "python3.13=$DEB_SOURCE_VERSION" >&2) \
    || (cd "$work/download" && apt-get "${apt_opts[@]}" source --download-only python3.13 >&2) \
    || die "apt-get source python3.13 failed"
  local orig
  orig=$(ls "$work"/download/python3.13_3.13.5.orig.tar.* 2>/dev/null | head -n1)
  [ -n "$orig" ] || die "the python3.13 source package has no 3.13.5 orig tarball"
  verify_tarball "$orig" || die "sha256 mismatch for $orig"
  mkdir -p "$(dirname "$dest")"
  cp "$orig" "$dest"
}

ensure_build_deps() {
  # Headers CPython needs for ssl, sqlite3, ctypes, lzma, bz2, readline, zlib, uuid.
  local missing=()
  local pkg
  for pkg in build-essential libssl-dev zlib1g-dev libbz2-dev libreadline-dev libsqlite3-dev \
      libffi-dev liblzma-dev uuid-dev xz-utils; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing build packages (${missing[*]}); install them as root"
  say "installing build packages: ${missing[*]}"
  apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2 \
    || die "apt-get install ${missing[*]} failed"
}

build_python() {
  local root="${PYENV_ROOT:-$HOME/.pyenv}" cached
  if command -v pyenv >/dev/null 2>&1; then
    cached="$root/cache/$PY_TARBALL"
  else
    cached="$TOOLCHAIN_DIR/$PY_TARBALL"
  fi
  if [ ! -f "$cached" ] || ! verify_tarball "$cached"; then
    fetch_tarball "$cached"
  fi
  ensure_build_deps
  if command -v pyenv >/dev/null 2>&1; then
    say "building Python $PY_VERSION with pyenv (a few minutes) ..."
    PYENV_ROOT="$root" pyenv install -s "$PY_VERSION" >&2 || die "pyenv install $PY_VERSION failed"
    BUILT="$root/versions/$PY_VERSION/bin/python3.13"
  else
    local src prefix="$TOOLCHAIN_DIR/python-$PY_VERSION"
    src=$(mktemp -d)
    CLEANUP+=("$src")
    say "building Python $PY_VERSION into $prefix (a few minutes) ..."
    tar -xf "$cached" -C "$src"
    (cd "$src/Python-$PY_VERSION" \
      && ./configure --prefix="$prefix" --with-ensurepip=install >"$src/configure.log" 2>&1 \
      && make -j"$(nproc)" >"$src/make.log" 2>&1 \
      && make install >"$src/install.log" 2>&1) \
      || { tail -n 40 "$src"/*.log >&2; die "building Python $PY_VERSION failed"; }
    BUILT="$prefix/bin/python3.13"
  fi
}

main() {
  local found
  if found=$(find_existing); then echo "$found"; return 0; fi
  if found=$(try_uv_install); then echo "$found"; return 0; fi
  # Not in a subshell, so the EXIT trap cleans up its temp dirs.
  build_python
  acceptable "$BUILT" || die "built $BUILT, but it lacks a required stdlib module"
  echo "$BUILT"
}

main "$@"
