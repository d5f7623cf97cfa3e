#!/usr/bin/env bash
# Zero Doxygen warnings: prints them all and fails if there is any (most
# are undocumented public functions, macros, types or members of the
# headers), else says where the HTML is.
#   check_warnings.sh <warnings.log> <html dir>
set -euo pipefail
log=${1:?usage: check_warnings.sh <warnings.log> <html dir>}
html=${2:?usage: check_warnings.sh <warnings.log> <html dir>}

[ -f "$html/index.html" ] || { echo "docs: no $html/index.html" >&2; exit 1; }
[ -f "$log" ] || { echo "docs: no warning log $log" >&2; exit 1; }
n=$(grep -c 'warning:' "$log" || true)
undoc=$(grep -c 'warning: Member .*(function).* is not documented' "$log" || true)
if [ "$n" -ne 0 ] || [ -s "$log" ]; then
	cat "$log"
	echo "docs: $n Doxygen warnings ($undoc undocumented functions); 0 required" >&2
	exit 1
fi
echo "docs: 0 warnings; $html/index.html"
