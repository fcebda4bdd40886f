# Shared by bin/start and bin/test: find Python 3.11+, make .venv, install the project into it.
# Re-installs only when pyproject.toml changed since the last install.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

find_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  echo "Zhanggui needs Python 3.11 or newer; none found on PATH." >&2
  return 1
}

ensure_venv() {  # $1: pip extras, e.g. "[dev]" or ""
  local extras="${1:-}"
  local stamp=".venv/.installed${extras//[^a-z]/-}"
  if [ ! -x .venv/bin/python ]; then
    "$(find_python)" -m venv .venv || {
      echo "python -m venv failed; on Debian/Ubuntu: apt-get install -y python3-venv" >&2; exit 1; }
  fi
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "== Installing Zhanggui and its dependencies into .venv"
    .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
    .venv/bin/python -m pip install --quiet -e ".${extras}"
    touch "$stamp"
  fi
  export PATH="$ROOT/.venv/bin:$PATH"
}

build_native() {  # $1: "--strict" to fail when the engine could be compiled here but was not (bin/test)
  echo "== Compiled pricing engine (mypyc; plain Python where no C compiler is found, same results)"
  python -m zhanggui.core.build_native ${1:-}
}
