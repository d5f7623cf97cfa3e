#!/usr/bin/env bash
# Capture the real multiboot2 boot information GRUB hands the kernel under
# QEMU, once with BIOS firmware (GRUB i386-pc, -cdrom) and once with UEFI
# (GRUB x86_64-efi under OVMF, as `make run-uefi` boots), for the mb2 fuzz
# seed corpus and the host parser tests (tests/host/test_multiboot2_qemu.c).
#
#   capture_mb2.sh [--iso ISO] [--out DIR] [--work DIR] [--timeout SECONDS]
#     --iso   the ISO whose kernel command line has mb2.dump=1
#             (default build/default/kernel/xomb-dump.iso: `make capture-mb2`
#             or `cmake --build --preset default --target iso-dump`)
#     --out   where qemu-bios.bin and qemu-uefi.bin go
#             (default tests/fuzz/corpus/mb2)
#     --work  serial logs and the writable OVMF variable store
#             (default build/default/capture-mb2)
#
# The kernel prints the info between "mb2dump: begin size=N" and
# "mb2dump: end", 32 bytes a line after an 8-digit hex offset
# (kernel/mb2_dump.c). A capture is written only when every offset is there
# in order, the byte count equals N and the info's own total_size equals N.
# The machine: QEMU TCG, -cpu max -m 512M; BIOS on the default i440fx
# machine, UEFI on q35 with OVMF_CODE_4M.fd (not the Secure Boot build).
#
# The committed captures were produced by (dpkg-query -W):
#   qemu-system-x86     1:7.2+dfsg-7+deb12u18+b3  (QEMU emulator version 7.2.22)
#   grub-pc-bin         2.06-13+deb12u2
#   grub-efi-amd64-bin  2.06-13+deb12u2
#   grub-common         2.06-13+deb12u2
#   ovmf                2022.11-6+deb12u2
#   xorriso             1.5.4-4
# The BIOS capture is the same byte for byte on every run; the UEFI one may
# differ in a few EFI memory map descriptors (where OVMF placed its pool
# allocations), so the host tests check facts, not bytes.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
iso=$root/build/default/kernel/xomb-dump.iso
out=$root/tests/fuzz/corpus/mb2
work=$root/build/default/capture-mb2
timeout_s=300
ovmf_code=/usr/share/OVMF/OVMF_CODE_4M.fd
ovmf_vars=/usr/share/OVMF/OVMF_VARS_4M.fd

while [ $# -gt 0 ]; do
	case $1 in
	--iso) iso=$2 ;;
	--out) out=$2 ;;
	--work) work=$2 ;;
	--timeout) timeout_s=$2 ;;
	*) echo "capture_mb2.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift 2
done
[ -f "$iso" ] || { echo "capture_mb2.sh: no ISO at $iso" >&2; exit 2; }
mkdir -p "$work" "$out"

qemu_common=(-accel tcg -cpu max -m 512M -cdrom "$iso" -boot d
	-display none -no-reboot -monitor none
	-device "isa-debug-exit,iobase=0xf4,iosize=0x04")

# boot FIRMWARE LOG: boot the ISO once, COM1 to LOG. Exit 33 means the
# kernel's own tests passed too; anything else is reported, not fatal, since
# the dump is printed before them.
boot() {
	local firmware=$1 log=$2 st=0
	local extra=()

	if [ "$firmware" = uefi ]; then
		cp "$ovmf_vars" "$work/OVMF_VARS_4M.fd"
		extra=(-machine q35
			-drive "if=pflash,format=raw,readonly=on,file=$ovmf_code"
			-drive "if=pflash,format=raw,file=$work/OVMF_VARS_4M.fd")
	fi
	rm -f "$log"
	timeout "$timeout_s" qemu-system-x86_64 "${qemu_common[@]}" \
		"${extra[@]}" -serial "file:$log" || st=$?
	[ $st -eq 33 ] || echo "capture_mb2.sh: $firmware: QEMU exited with" \
		"$st (33 = kernel tests passed); checking the dump anyway" >&2
}

# extract LOG BIN: the dump in LOG as raw bytes in BIN, or fail (scratch
# files stay in the work directory; BIN appears only when complete).
extract() {
	local log=$1 bin=$2 hex=$1.hex tmp=$1.bin size

	tr -d '\r' <"$log" | awk -v hex="$hex" '
		function hexval(s,  v, i) {
			v = 0
			for (i = 1; i <= length(s); i++)
				v = v * 16 + index("0123456789abcdef",
					substr(s, i, 1)) - 1
			return v
		}
		function bad(msg) {
			print "capture_mb2.sh: " msg >"/dev/stderr"
			failed = 1
			exit 1
		}
		/^mb2dump: begin size=[0-9]+$/ {
			if (seen++)
				bad("more than one dump")
			sub(/.*size=/, "")
			size = $0 + 0
			inside = 1
			next
		}
		/^mb2dump: end$/ && inside { done = 1; inside = 0; next }
		inside && /^mb2dump: [0-9a-f]+ [0-9a-f]+$/ {
			if (length($2) != 8 || hexval($2) != next_off)
				bad("offset " $2 " out of order")
			next_off += length($3) / 2
			print $3 >hex
		}
		END {
			if (failed)
				exit 1
			if (!done)
				bad("no complete dump")
			if (next_off != size)
				bad("got " next_off " bytes, begin said " size)
			print size
		}' >"$log.size" || return 1
	size=$(cat "$log.size")
	perl -ne 'chomp; print pack("H*", $_)' "$hex" >"$tmp" || return 1
	rm -f "$hex"
	[ "$(stat -c %s "$tmp")" -eq "$size" ] || {
		echo "capture_mb2.sh: $bin: byte count differs from $size" >&2
		return 1
	}
	[ "$(od -An -tu4 -N4 "$tmp" | tr -d ' ')" -eq "$size" ] || {
		echo "capture_mb2.sh: $bin: total_size differs from $size" >&2
		return 1
	}
	mv "$tmp" "$bin"
}

for firmware in bios uefi; do
	log=$work/serial-$firmware.txt
	echo "capture_mb2.sh: booting $iso under $firmware"
	boot "$firmware" "$log"
	if ! extract "$log" "$out/qemu-$firmware.bin"; then
		echo "capture_mb2.sh: $firmware: no usable dump; serial log:" >&2
		cat "$log" >&2
		exit 1
	fi
	echo "capture_mb2.sh: $out/qemu-$firmware.bin" \
		"($(stat -c %s "$out/qemu-$firmware.bin") bytes)"
done
