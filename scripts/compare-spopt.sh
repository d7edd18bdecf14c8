#!/usr/bin/env bash
# Compare PySAL spopt's MaxPHeuristic with pcn's formation engine on the same
# practices and adjacency, both measured by `pcn form --mode evaluate`.
#
#   scripts/compare-spopt.sh [--sizes "300 1000 2000"] [--real] [--full-iterations]
#                            [--timeout 600] [--out FILE] [--policy single|multiple|keep|drop]
#                            [--seed 1] [--pcn PATH] [--keep-temp]
#
# Makes a throwaway virtualenv in a temp dir, installs spopt, libpysal and
# geopandas into it, prints their versions and runs scripts/compare_spopt.py
# (see there and scripts/README.md). Writes nothing into the repository:
# results go to stdout and, with --out FILE, to FILE as JSON lines.
# Exit status: 0 all inputs compared, 1 something failed, 2 bad usage.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"

for arg in "$@"; do
  case "$arg" in
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exec python3 "$here/compare_spopt.py" --help ;;
  esac
done

pcn_bin="${PCN_BIN:-$repo/target/release/pcn}"
if [[ ! -x "$pcn_bin" ]] && ! printf '%s\n' "$@" | grep -qx -- '--pcn'; then
  echo "error: no pcn binary at $pcn_bin; build it with: cargo build --release -p pcn" >&2
  exit 2
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/compare-spopt.XXXXXX")"
keep=0
for arg in "$@"; do [[ "$arg" == "--keep-temp" ]] && keep=1; done
cleanup() { if [[ $keep -eq 0 ]]; then rm -rf "$tmp"; else echo "kept $tmp" >&2; fi; }
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== virtualenv: $tmp/venv"
python3 -m venv "$tmp/venv"
t0=$SECONDS
"$tmp/venv/bin/python" -m pip install --quiet --disable-pip-version-check spopt libpysal geopandas
echo "pip install spopt libpysal geopandas: $((SECONDS - t0)) s"
"$tmp/venv/bin/python" - <<'EOF'
import sys
from importlib.metadata import version
pkgs = ["spopt", "libpysal", "geopandas", "numpy", "scipy", "pandas", "shapely", "scikit-learn", "networkx"]
print("python " + sys.version.split()[0] + "; " + ", ".join(f"{p} {version(p)}" for p in pkgs))
EOF

"$tmp/venv/bin/python" "$here/compare_spopt.py" --pcn "$pcn_bin" --workdir "$tmp/work" "$@"
