#!/usr/bin/env bash
# libmm as an outside project sees it: installed with `cmake --install`, then
# the examples configured against the installed tree only.
#   consumer_test.sh STEP --build <dir> --src <dir> --work <dir> [--cc <cc>]
# STEP:
#   install          cmake --install into <work>/prefix; what a consumer
#                    needs is there (and no private header); every symbol
#                    libmm_kernel.a needs is a function of mm/port.h or one
#                    of the four memory functions compilers may call
#   host-cmake       examples/host via find_package(libmm), run
#   host-pkgconfig   examples/host via pkg-config libmm-host, run
#   kernel-cmake     examples/freestanding via find_package: a static ELF in
#                    the top 2 GiB with no undefined symbol; its hosted twin runs
#   kernel-port-missing  examples/freestanding via pkg-config libmm-kernel,
#                    linked once per port function libmm_kernel.a calls,
#                    with that function removed from port.o: each link must
#                    fail naming exactly that function
# Prints what it checked; exits non-zero on the first failure.
set -euo pipefail

step=${1:?usage: consumer_test.sh STEP --build DIR --src DIR --work DIR}
shift
build='' src='' work='' cc=${CC:-cc}
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2 ;;
	--src) src=$2 ;;
	--work) work=$2 ;;
	--cc) cc=$2 ;;
	*) echo "consumer_test: unknown argument $1" >&2; exit 2 ;;
	esac
	shift 2
done
if [ -z "$build" ] || [ -z "$src" ] || [ -z "$work" ]; then
	echo "consumer_test: --build, --src and --work are required" >&2
	exit 2
fi
prefix=$work/prefix
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig

fail() { echo "consumer_test: $step: FAIL: $*" >&2; exit 1; }
ok() { echo "consumer_test: $step: $*"; }

# The port functions that the installed mm/port.h declares.
port_functions() {
	grep -oE '\bmm_port_[a-z0-9_]+\(' "$prefix/include/mm/port.h" |
		tr -d '(' | sort -u
}

# The symbols libmm_kernel.a uses and does not define, one per line.
kernel_needs() {
	local lib=$prefix/lib/libmm_kernel.a
	comm -23 <(nm -g --undefined-only "$lib" | awk 'NF == 2 { print $2 }' | sort -u) \
		<(nm -g --defined-only "$lib" | awk 'NF == 3 { print $3 }' | sort -u)
}

# Configure and build one example against the installed tree only.
build_example() { # <example> <build dir>
	rm -rf "$2"
	cmake -S "$src/examples/$1" -B "$2" -DCMAKE_PREFIX_PATH="$prefix" \
		-DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
		>"$2.configure.log" 2>&1 || { cat "$2.configure.log"; fail "configure $1"; }
	cmake --build "$2" >"$2.build.log" 2>&1 || { cat "$2.build.log"; fail "build $1"; }
}

# The compile command of <source> in the example built in <dir>.
compile_command() { # <dir> <source>
	grep -F "\"command\"" "$1/compile_commands.json" | grep -F "/$2\"" ||
		fail "no compile command for $2"
}

# What the kernel's code must be compiled with, from libmm::kernel.
KERNEL_FLAGS=(-ffreestanding -mno-red-zone -mcmodel=kernel
	-mgeneral-regs-only -fno-pic -fno-stack-protector)

# Each flag given (want=1) or each flag absent (want=0) in a command.
check_flags() { # <want> <command> <flag>...
	local want=$1 cmd=" $2 " flag
	shift 2
	for flag in "$@"; do
		case $cmd in
		*" $flag "*) [ "$want" = 1 ] || fail "$flag leaked into: $cmd" ;;
		*) [ "$want" = 0 ] || fail "$flag missing from: $cmd" ;;
		esac
	done
}

# A compile command whose include directories are the prefix's and the
# example's own: none in libmm's source tree.
check_installed_only() { # <command>
	local words=() dirs=() i d real seen=0
	read -ra words <<<"${1//\"/}"
	for ((i = 0; i < ${#words[@]}; i++)); do
		case ${words[i]} in
		-I | -isystem | -iquote) dirs+=("${words[i + 1]}") ;;
		-I*) dirs+=("${words[i]#-I}") ;;
		esac
	done
	for d in "${dirs[@]}"; do
		real=$(realpath -m "$d")
		case $real/ in
		"$(realpath -m "$src/libmm")"/*) fail "source tree headers used: $d" ;;
		"$(realpath -m "$prefix/include")"/) seen=1 ;;
		esac
	done
	[ "$seen" = 1 ] || fail "installed headers not used: $1"
}

# The host example's output: every page back, counters with no stale entry.
check_tlb_demo() { # <executable>
	local out status=0
	out=$("$1") || status=$?
	echo "$out"
	[ "$status" -eq 0 ] || fail "$1 exited with $status"
	grep -qE '^tlb_demo: unmapped 16 pages, free frames ([0-9]+) before, \1 after$' <<<"$out" ||
		fail "frames not all returned"
	grep -qE '^tlb: hits=[1-9][0-9]* misses=[1-9][0-9]* invlpg=[1-9][0-9]* full_flush=[0-9]+ stale_hits=0 strict_violations=0$' <<<"$out" ||
		fail "unexpected TLB counters"
}

step_install() {
	rm -rf "$prefix"
	cmake --install "$build" --prefix "$prefix" >"$work/install.log" ||
		fail "cmake --install"
	local f
	for f in include/mm/port.h include/mm/frame.h include/mm/paging.h \
		include/mm_sim.h lib/libmm_host.a lib/libmm_kernel.a \
		lib/cmake/libmm/libmmConfig.cmake \
		lib/cmake/libmm/libmmConfigVersion.cmake \
		lib/pkgconfig/libmm-host.pc lib/pkgconfig/libmm-kernel.pc; do
		[ -f "$prefix/$f" ] || fail "$f not installed"
	done
	# Of the simulator, only mm_sim.h (mm_sim_tlb.h is private).
	[ "$(cd "$prefix/include" && echo *)" = "mm mm_sim.h" ] ||
		fail "include/ holds more than mm/ and mm_sim.h:" "$prefix"/include/*
	# Every public header of the tree, and only those.
	diff <(cd "$src/libmm/include/mm" && ls ./*.h) \
		<(cd "$prefix/include/mm" && ls ./*.h) || fail "header set differs"
	# The kernel defines every port function: libmm defines none (not
	# even a weak default that would hide a missing one).
	! nm -g --defined-only "$prefix/lib/libmm_kernel.a" | grep -q ' mm_port_' ||
		fail "libmm_kernel.a defines a port function"
	# The freestanding library needs nothing but port functions and the
	# memory functions that mm/port.h names.
	local extra
	extra=$(kernel_needs | comm -23 - <(port_functions) |
		grep -vxE 'memset|memcpy|memmove|memcmp' || true)
	[ -z "$extra" ] || fail "libmm_kernel.a needs symbols outside mm/port.h: $extra"
	ok "installed into $prefix; libmm_kernel.a needs: $(kernel_needs | tr '\n' ' ')"
	local unused
	unused=$(port_functions | comm -23 - <(kernel_needs) | tr '\n' ' ')
	[ -z "$unused" ] || ok "declared in mm/port.h, not called by libmm: $unused"
}

step_host_cmake() {
	local cmd
	build_example host "$work/host-cmake"
	cmd=$(compile_command "$work/host-cmake" tlb_demo.c)
	check_installed_only "$cmd"
	check_flags 0 "$cmd" "${KERNEL_FLAGS[@]}" \
		-fsanitize=address,undefined --coverage
	check_tlb_demo "$work/host-cmake/tlb_demo"
	ok "find_package(libmm) host example built and ran"
}

step_host_pkgconfig() {
	local exe=$work/host-pkgconfig/tlb_demo
	rm -rf "${exe%/*}" && mkdir -p "${exe%/*}"
	# shellcheck disable=SC2046 # pkg-config output is a list of flags
	"$cc" -std=c11 -Wall -Wextra -Werror $(pkg-config --cflags libmm-host) \
		"$src/examples/host/tlb_demo.c" -o "$exe" \
		$(pkg-config --libs libmm-host) || fail "pkg-config build"
	check_tlb_demo "$exe"
	ok "pkg-config libmm-host $(pkg-config --modversion libmm-host) host example built and ran"
}

step_kernel_cmake() {
	local dir=$work/kernel-cmake elf out cmd
	build_example freestanding "$dir"
	cmd=$(compile_command "$dir" start.c)
	check_installed_only "$cmd"
	check_flags 1 "$cmd" "${KERNEL_FLAGS[@]}"
	cmd=$(compile_command "$dir" twin.c)
	check_flags 0 "$cmd" "${KERNEL_FLAGS[@]}"
	elf=$dir/mini_kernel
	readelf -h "$elf" | grep -q 'Type: *EXEC' || fail "not a static executable"
	! readelf -l "$elf" | grep -qE 'INTERP|DYNAMIC' || fail "dynamically linked"
	[ -z "$(nm -u "$elf")" ] || fail "undefined symbols: $(nm -u "$elf")"
	readelf -h "$elf" | grep -qE 'Entry point address: *0xffffffff8' ||
		fail "entry point not in the top 2 GiB"
	local status=0
	out=$("$dir/mini_twin") || status=$?
	echo "$out"
	[ "$status" -eq 0 ] || fail "mini_twin exited with $status"
	[ "$(grep -c ': MM_OK$' <<<"$out")" -eq 3 ] || fail "mini_twin steps"
	ok "find_package(libmm) freestanding ELF linked; hosted twin ran"
}

step_kernel_port_missing() {
	local dir=$work/port-missing ld=$src/examples/freestanding/link.ld
	local objs=() fn o log
	rm -rf "$dir" && mkdir -p "$dir"
	for o in start port string mini; do
		# shellcheck disable=SC2046
		"$cc" -std=c11 -Wall -Wextra -Werror -O2 \
			$(pkg-config --cflags libmm-kernel) \
			-c "$src/examples/freestanding/$o.c" -o "$dir/$o.o" ||
			fail "compile $o.c"
		objs+=("$dir/$o.o")
	done
	link() { # <port object> <output>
		# shellcheck disable=SC2046
		"$cc" -Wl,-T,"$ld" -Wl,-z,noexecstack "${objs[0]}" "$1" \
			"${objs[@]:2}" $(pkg-config --libs libmm-kernel) -o "$2"
	}
	link "$dir/port.o" "$dir/complete.elf" || fail "complete port does not link"
	local n=0
	for fn in $(kernel_needs | comm -12 - <(port_functions)); do
		objcopy --strip-symbol="$fn" "$dir/port.o" "$dir/port-$fn.o"
		log=$dir/link-without-$fn.log
		if link "$dir/port-$fn.o" "$dir/without-$fn.elf" >"$log" 2>&1; then
			fail "linked without $fn"
		fi
		grep -q "undefined reference to \`$fn'" "$log" ||
			{ cat "$log"; fail "link error does not name $fn"; }
		[ "$(grep -o "undefined reference to \`[a-z0-9_]*'" "$log" | sort -u | wc -l)" -eq 1 ] ||
			{ cat "$log"; fail "link error names more than $fn"; }
		echo "  without $fn: $(grep -m1 -o "undefined reference to \`$fn'" "$log")"
		n=$((n + 1))
	done
	[ "$n" -ge 8 ] || fail "only $n port functions needed by libmm_kernel.a"
	ok "each of the $n port functions libmm calls, left out, fails the link by name"
}

mkdir -p "$work"
case $step in
install) step_install ;;
host-cmake) step_host_cmake ;;
host-pkgconfig) step_host_pkgconfig ;;
kernel-cmake) step_kernel_cmake ;;
kernel-port-missing) step_kernel_port_missing ;;
*) echo "consumer_test: unknown step $step" >&2; exit 2 ;;
esac
