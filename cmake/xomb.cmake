# Flags shared by our targets. Everything is target-based: no global flags.

# Warnings for every file we write, host or freestanding.
set(XOMB_WARNINGS -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
	-Wmissing-prototypes -Wpointer-arith -Wvla)

# Code generation for the freestanding (kernel) build: no libc, no red zone,
# no SSE, linked in the top 2 GiB.
set(XOMB_FREESTANDING_FLAGS -ffreestanding -fno-builtin -nostdlib -m64
	-mno-red-zone -mcmodel=kernel -mgeneral-regs-only -fno-pic -fno-pie
	-fno-stack-protector -fno-asynchronous-unwind-tables -O2 -g)

# xomb_host_target(<target>): warnings plus the sanitizer / coverage
# instrumentation selected by the preset.
function(xomb_host_target target)
	target_compile_options(${target} PRIVATE ${XOMB_WARNINGS})
	if(XOMB_SANITIZE)
		target_compile_options(${target} PRIVATE
			-fsanitize=address,undefined -fno-sanitize-recover=all
			-fno-omit-frame-pointer)
		target_link_options(${target} PRIVATE
			-fsanitize=address,undefined -fno-sanitize-recover=all)
	endif()
	if(XOMB_COVERAGE)
		target_compile_options(${target} PRIVATE --coverage -O0)
		target_link_options(${target} PRIVATE --coverage)
	endif()
endfunction()

# xomb_freestanding_target(<target>): kernel code generation, no libc.
function(xomb_freestanding_target target)
	target_compile_options(${target} PRIVATE ${XOMB_WARNINGS}
		${XOMB_FREESTANDING_FLAGS})
endfunction()
