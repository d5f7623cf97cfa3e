#!/usr/bin/env bash
# Build a GRUB ISO that boots a multiboot2 kernel.
#   mkiso.sh KERNEL_ELF GRUB_CFG WORK_DIR OUTPUT_ISO [MODULE_FILE...]
# Each MODULE_FILE is copied to /boot/ under its own name (user programs).
# With grub-efi-amd64-bin installed the ISO boots under BIOS and UEFI.
# grub-mkrescue's chatter is kept in WORK_DIR/mkrescue.log and shown only on
# failure.
set -euo pipefail
[ $# -ge 4 ] || { echo "usage: $0 KERNEL_ELF GRUB_CFG WORK_DIR OUTPUT_ISO [MODULE_FILE...]" >&2; exit 2; }
elf=$1 cfg=$2 work=$3 iso=$4
shift 4

rm -rf "$work/root"
mkdir -p "$work/root/boot/grub"
cp "$elf" "$work/root/boot/xomb.elf"
cp "$cfg" "$work/root/boot/grub/grub.cfg"
for m in "$@"; do
	cp "$m" "$work/root/boot/"
done
if ! grub-mkrescue --compress=xz --fonts= --locales= --themes= \
	-o "$iso.tmp" "$work/root" >"$work/mkrescue.log" 2>&1; then
	cat "$work/mkrescue.log" >&2
	exit 1
fi
mv "$iso.tmp" "$iso"
