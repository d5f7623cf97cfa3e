#!/usr/bin/env bash
# Prove that the freestanding libmm links no libc and no simulator: every
# undefined symbol of the archive must be a port hook (mm_port_*) or one of
# the four memory functions the compiler may emit calls to.
#   check_freestanding.sh LIBMM_KERNEL_ARCHIVE
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 LIBMM_KERNEL_ARCHIVE" >&2; exit 2; }

# Undefined in some member and defined in none: what the archive needs.
undefined=$(nm -u "$1" | awk 'NF == 2 && $1 == "U" { print $2 }' | sort -u)
defined=$(nm --defined-only "$1" | awk 'NF == 3 { print $3 }' | sort -u)
external=$(comm -23 <(printf '%s\n' "$undefined") <(printf '%s\n' "$defined") | sed '/^$/d')
bad=$(grep -Ev '^(mm_port_[a-z0-9_]+|memset|memcpy|memmove|memcmp)$' <<<"$external" || true)

echo "external symbols needed by $(basename "$1"):"
sed 's/^/  /' <<<"$external"
if [ -n "$bad" ]; then
	echo "check_freestanding.sh: FAIL: not provided by the kernel port:"
	sed 's/^/  /' <<<"$bad"
	exit 1
fi
echo "check_freestanding.sh: ok"
