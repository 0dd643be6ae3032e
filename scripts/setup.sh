#!/usr/bin/env bash
# One idempotent set-up for a fresh Debian 12 machine (run as root) or a
# developer's machine: Debian packages for Elixir/OTP and the Erlang libraries
# the course uses, the .venv with the Python packages, the BEAM side compiled
# once, and the `elixir` kernelspec installed into .venv the Jupyter way.
# bubblewrap sandboxes the BEAM in grading runs (docs/grading-security.md).
# Every step checks before it acts, so a second run takes a second or two.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

APT_PACKAGES=(elixir erlang-dev erlang-p1-sqlite3 erlang-proper erlang-meck
              erlang-mnesia erlang-inets erlang-crypto erlang-jose erlang-jiffy
              erlang-tools erlang-runtime-tools erlang-eunit erlang-os-mon
              python3-venv make bubblewrap
              chromium)  # headless Chromium: the browser tests (tests/browser, Playwright)

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: these Debian packages are missing: ${missing[*]}" >&2
    echo "setup: run this script as root, or: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  say "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  say "creating .venv"
  "$PYTHON" -m venv .venv
fi

stamp=.venv/.course-installed
want=$(sha256sum pyproject.toml | cut -c1-16)
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  say "installing Python packages into .venv"
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e ".[test]"
  echo "$want" > "$stamp"
fi

# Compile the BEAM side (kernel runtime, grading and benchmark helpers) once;
# cached by source hash, so this is a no-op when nothing changed.
.venv/bin/python -m elixir_kernel compile
.venv/bin/python -m course.elixir_build

# The kernelspec, installed into .venv the Jupyter way, preloading the course's
# Elixir helpers (grading, benchmarks).
.venv/bin/python -m elixir_kernel install --sys-prefix --quiet \
  --code-path "$ROOT/course/elixir_helpers/ebin" --prelude "require Grade"

# Elixir syntax highlighting in JupyterLab: a prebuilt lab extension, committed
# built (kernels/jupyterlab_elixir/labextension/). Rebuilt only when its sources
# changed since that build (needs Node.js and npm), then installed into .venv the
# Jupyter way (pip puts it in .venv/share/jupyter/labextensions/jupyterlab-elixir).
LABEXT=kernels/jupyterlab_elixir
labext_sources=$(cd "$LABEXT" && cat package.json package-lock.json tsconfig.json src/*.ts | sha256sum | cut -c1-16)
if [[ $(cat "$LABEXT/labextension-sources.sha256" 2>/dev/null) != "$labext_sources" ]]; then
  say "building the JupyterLab Elixir extension (its sources changed)"
  if ! command -v npm >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  fi
  (cd "$LABEXT" && npm ci --no-audit --no-fund --loglevel=error && PATH="$ROOT/.venv/bin:$PATH" npm run build)
  echo "$labext_sources" > "$LABEXT/labextension-sources.sha256"
fi
labext_stamp=.venv/.jupyterlab-elixir-installed
labext_want=$(cat "$LABEXT/pyproject.toml" "$LABEXT/install.json" "$LABEXT/labextension/package.json" | sha256sum | cut -c1-16)
if [[ ! -f .venv/share/jupyter/labextensions/jupyterlab-elixir/package.json || ! -f $labext_stamp
      || $(cat "$labext_stamp") != "$labext_want" ]]; then
  say "installing the JupyterLab Elixir extension into .venv"
  .venv/bin/python -m pip install -q --no-deps --force-reinstall "./$LABEXT"
  echo "$labext_want" > "$labext_stamp"
fi
