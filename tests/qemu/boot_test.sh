#!/usr/bin/env bash
# Boot the kernel ISO in an emulator, capture COM1 to a file and judge it
# against the boot contract (DESIGN.md): the xomb:, mm: and ktest: lines and,
# under QEMU, the isa-debug-exit code. Prints the serial log on failure.
#
#   boot_test.sh --iso ISO --log LOG [options]
#     --emulator qemu|bochs|ovmf   (default qemu; ovmf = QEMU + UEFI firmware)
#     --cpu MODEL --mem SIZE       QEMU -cpu / -m (default qemu64, 128M)
#     --expect pass|fail|exception|halt|user-fail   (default pass)
#                                  fail: a failed test and exit 35;
#                                  exception: a reported page fault, exit 37;
#                                  halt: --halt-message, then no exit until
#                                  the timeout (early boot refusals)
#                                  user-fail: every ktest passed, a program
#                                  missed its expect= (user: FAIL), exit 35
#     --halt-message REGEX         the line an early refusal must print
#     --timeout SECONDS            wall-clock bound (default 60)
#     --firmware bios|uefi         expected in the xomb: line (default bios)
#     --cpu-1g 0|1                 expected cpu_1g= value (default: any)
#     --min-usable BYTES           mm: usable_bytes must be at least this
#     --ovmf-code FILE --ovmf-vars FILE   firmware for --emulator ovmf
#     --show                       print the serial log even on success
#     --noreserve                  back guest RAM without reserving host
#                                  memory (guests larger than the host)
#     --programs N:E:K[:P:R]       the user: summary must read programs=N
#                                  exited=E killed=K (processes=P
#                                  resources=R when given) frames_leaked=0
#     --utests U                   exactly U `utest:` summary lines
#   With --expect pass, any user: summary must show frames_leaked=0, no
#   `user: FAIL` line may appear and every utest summary must have 0 failed.
set -uo pipefail

emulator=qemu iso= log= cpu=qemu64 mem=128M expect=pass timeout_s=60
firmware=bios cpu_1g= min_usable=0 show=0 noreserve=0 halt_message=
programs= utests=
ovmf_code=/usr/share/OVMF/OVMF_CODE_4M.fd ovmf_vars=/usr/share/OVMF/OVMF_VARS_4M.fd

while [ $# -gt 0 ]; do
	[ "$1" = --show ] && { show=1; shift; continue; }
	[ "$1" = --noreserve ] && { noreserve=1; shift; continue; }
	case $1 in
	--emulator) emulator=$2 ;;
	--iso) iso=$2 ;;
	--log) log=$2 ;;
	--cpu) cpu=$2 ;;
	--mem) mem=$2 ;;
	--expect) expect=$2 ;;
	--timeout) timeout_s=$2 ;;
	--firmware) firmware=$2 ;;
	--cpu-1g) cpu_1g=$2 ;;
	--min-usable) min_usable=$2 ;;
	--ovmf-code) ovmf_code=$2 ;;
	--halt-message) halt_message=$2 ;;
	--ovmf-vars) ovmf_vars=$2 ;;
	--programs) programs=$2 ;;
	--utests) utests=$2 ;;
	*) echo "boot_test.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift 2
done
[ -n "$iso" ] && [ -n "$log" ] || { echo "boot_test.sh: --iso and --log are required" >&2; exit 2; }
[ -f "$iso" ] || { echo "boot_test.sh: no ISO at $iso" >&2; exit 2; }

# This run's files carry its PID: two runs of one test in one build tree
# (two ctest invocations) must not share a serial file or OVMF store.
final_log=$log
log=$final_log.$$
mkdir -p "$(dirname "$log")"
rm -f "$final_log"
trap 'mv -f "$log" "$final_log" 2>/dev/null; rm -f "$log".*' EXIT
qemu_common=(-accel tcg -display none -no-reboot -monitor none
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
	-serial "file:$log" -cdrom "$iso" -m "$mem")
# Only the pages the guest touches are ever backed: a 1 TiB guest fits.
[ $noreserve -eq 1 ] && qemu_common+=(
	-object "memory-backend-ram,id=ram0,size=$mem,reserve=off"
	-machine memory-backend=ram0)

run_qemu() {
	timeout "$timeout_s" qemu-system-x86_64 "${qemu_common[@]}" -cpu "$cpu" -boot d
}

run_ovmf() {
	local vars="$log.vars.fd"
	cp "$ovmf_vars" "$vars"
	timeout "$timeout_s" qemu-system-x86_64 "${qemu_common[@]}" -cpu "$cpu" \
		-machine q35 \
		-drive "if=pflash,format=raw,readonly=on,file=$ovmf_code" \
		-drive "if=pflash,format=raw,file=$vars"
}

# Bochs cannot return the kernel's exit code: the kernel stops it through
# the Bochs shutdown port and the serial file is the only verdict.
run_bochs() {
	local rc="$log.bochsrc" dbg="$log.bochs-rc"
	cat >"$rc" <<-BOCHSRC
	megs: 256
	romimage: file=/usr/share/bochs/BIOS-bochs-latest
	vgaromimage: file=/usr/share/vgabios/vgabios.bin
	ata0-master: type=cdrom, path="$iso", status=inserted
	boot: cdrom
	com1: enabled=1, mode=file, dev="$log"
	display_library: rfb, options="timeout=0"
	sound: driver=dummy
	speaker: enabled=0
	log: $log.bochsout
	panic: action=fatal
	error: action=report
	clock: sync=none, time0=local
	BOCHSRC
	printf 'c\nquit\n' >"$dbg"
	timeout "$timeout_s" bochs -q -f "$rc" -rc "$dbg" >"$log.bochs-stdout" 2>&1
	local st=$?
	[ $st -eq 124 ] && return 124
	return 0
}

case $emulator in
qemu) run_qemu ;;
ovmf) run_ovmf ;;
bochs) cpu=bochs-default mem=256M; run_bochs ;;
*) echo "boot_test.sh: unknown emulator $emulator" >&2; exit 2 ;;
esac
status=$?

problems=()
fail() { problems+=("$1"); }
# NULs and bytes a program may WRITE must not turn grep to binary mode.
export LC_ALL=C
serial=$(tr -d '\r\000' <"$log" 2>/dev/null)

check_exit() {
	[ "$emulator" = bochs ] && return
	[ $status -eq "$1" ] || fail "exit code $status, expected $1"
}

# The three machine-readable lines of the boot contract.
check_contract() {
	local xomb_re mm_line usable
	xomb_re="^xomb: boot method=multiboot2 firmware=$firmware cpu_nx=[01] cpu_1g=${cpu_1g:-[01]}\$"
	grep -Eq "$xomb_re" <<<"$serial" || fail "no line matching /$xomb_re/"
	mm_line=$(grep -E '^mm: usable_bytes=[0-9]+ total_frames=[0-9]+ free_frames=[0-9]+ reserved_frames=[0-9]+$' <<<"$serial" | tail -n1)
	if [ -z "$mm_line" ]; then
		fail "no mm: line"
		return
	fi
	usable=${mm_line#mm: usable_bytes=}
	usable=${usable%% *}
	[ "$usable" -ge "$min_usable" ] || fail "usable_bytes=$usable < $min_usable"
}

# Sets passed / failed from the ktest summary line.
check_summary() {
	kt_line=$(grep -E '^ktest: [0-9]+ passed, [0-9]+ failed$' <<<"$serial" | tail -n1)
	if [ -z "$kt_line" ]; then
		fail "no ktest: summary line"
		passed=0 failed=0
		return
	fi
	read -r _ passed _ failed _ <<<"$kt_line"
	passed=${passed%,}
	[ "$passed" -gt 0 ] || fail "no test passed"
}

# User mode (issue 12): the kernel's summary line (the last one: a program
# cannot print after it), each program's verdict, the utest summaries.
check_user() {
	local sum_line n e k np nr ut_lines bad
	sum_line=$(grep -E '^user: programs=[0-9]+ exited=[0-9]+ killed=[0-9]+ processes=[0-9]+ resources=[0-9]+ frames_leaked=-?[0-9]+$' <<<"$serial" | tail -n1)
	if [ -n "$programs" ]; then
		IFS=: read -r n e k np nr <<<"$programs"
		local want="user: programs=$n exited=$e killed=$k processes=${np:-[0-9]+} resources=${nr:-[0-9]+} frames_leaked=0"
		[[ "$sum_line" =~ ^${want}$ ]] ||
			fail "user summary '$sum_line', expected $want"
	fi
	if [ -n "$sum_line" ] && [ "${sum_line##* }" != frames_leaked=0 ]; then
		fail "user programs leaked frames: $sum_line"
	fi
	if [ "$expect" = user-fail ]; then
		grep -q '^user: FAIL' <<<"$serial" || fail "no user: FAIL line"
	elif grep -q '^user: FAIL' <<<"$serial"; then
		fail "a program did not meet its expect= (user: FAIL)"
	fi
	ut_lines=$(grep -Ec '^utest: [0-9]+ passed, [0-9]+ failed$' <<<"$serial")
	bad=$(grep -E '^utest: [0-9]+ passed, [0-9]+ failed$' <<<"$serial" | grep -Evc ' 0 failed$')
	[ "$bad" -eq 0 ] || fail "$bad utest summary line(s) with failures"
	[ -z "$utests" ] || [ "$ut_lines" -eq "$utests" ] ||
		fail "$ut_lines utest summary line(s), expected $utests"
}

no_exception() {
	grep -q 'unexpected exception' <<<"$serial" && fail "unexpected CPU exception"
}

case $expect in
pass)
	check_exit 33; check_contract; check_summary; no_exception; check_user
	[ "$failed" -eq 0 ] || fail "$failed kernel test(s) failed" ;;
fail)
	check_exit 35; check_contract; check_summary; no_exception
	[ "$failed" -gt 0 ] || fail "expected a failed kernel test"
	grep -q '^ktest: FAIL deliberate_failure$' <<<"$serial" ||
		fail "the deliberate failure was not reported" ;;
user-fail)
	check_exit 35; check_contract; check_summary; no_exception; check_user
	[ "$failed" -eq 0 ] || fail "$failed kernel test(s) failed" ;;
exception)
	check_exit 37
	grep -Eq '^xomb: unexpected exception 14 \(page fault\) error=0x[0-9a-f]+ cr2=0x[0-9a-f]+ rip=0x[0-9a-f]+$' <<<"$serial" ||
		fail "no report of the page fault with error, CR2 and RIP"
	kt_line="unexpected exception reported" ;;
halt)
	[ $status -eq 124 ] || fail "exit code $status: the kernel did not halt"
	grep -Eq "^$halt_message\$" <<<"$serial" || fail "no line /$halt_message/"
	kt_line="halted with: $halt_message" ;;
*)
	echo "boot_test.sh: unknown --expect $expect" >&2; exit 2 ;;
esac
[ $status -eq 124 ] && [ "$expect" != halt ] && fail "timed out after ${timeout_s}s"

if [ ${#problems[@]} -gt 0 ]; then
	echo "---- serial log ($final_log) ----"
	printf '%s\n' "$serial"
	echo "---- end of serial log ----"
	if [ "$emulator" = bochs ]; then
		echo "---- bochs output (last lines) ----"
		tail -n 20 "$log.bochs-stdout" 2>/dev/null
	fi
	printf 'boot_test.sh: FAIL: %s\n' "${problems[@]}"
	exit 1
fi
[ $show -eq 1 ] && printf '%s\n' "$serial"
echo "boot_test.sh: ok ($emulator cpu=$cpu mem=$mem): $kt_line"
exit 0
