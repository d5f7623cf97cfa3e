# Thin front end over CMake presets. Every target first installs the Debian
# packages it needs (tools/deps.sh), so a fresh machine needs nothing else.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
DEPS := tools/deps.sh
C_SOURCES = $(shell find libmm arch kernel tests bench -name '*.[ch]' 2>/dev/null)

.PHONY: all test test-asan test-default format format-check clean

all:
	$(DEPS) host kernel
	cmake --preset default
	cmake --build --preset default -j $(JOBS)

# Host tests under ASan+UBSan, then the default build (host tests, kernel,
# boot tests); the output ends with the default run's ctest summary.
test: format-check test-asan test-default

test-asan:
	$(DEPS) host
	cmake --preset asan
	cmake --build --preset asan -j $(JOBS)
	ctest --preset asan -j $(JOBS)

test-default:
	$(DEPS) host kernel bochs uefi
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

clean:
	rm -rf build
