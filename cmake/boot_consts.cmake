# cmake -DOBJCOPY=<objcopy> -DOBJECT=<boot_consts.c.o> -DOUT_DIR=<dir>
#       -P boot_consts.cmake
# Turns the "<where> <NAME> <value>" lines that arch/x86_64/boot_consts.c
# leaves in section .xomb_consts into OUT_DIR/boot_consts.inc (NASM) and
# OUT_DIR/boot_consts.ld (linker script), values in hex. Both are rewritten
# on every run, so they are newer than the object they come from.
cmake_minimum_required(VERSION 3.25)
foreach(var OBJCOPY OBJECT OUT_DIR)
	if(NOT DEFINED ${var})
		message(FATAL_ERROR "boot_consts.cmake: ${var} is not set")
	endif()
endforeach()

set(dump ${OUT_DIR}/boot_consts.txt)
file(MAKE_DIRECTORY ${OUT_DIR})
execute_process(
	COMMAND ${OBJCOPY} --dump-section .xomb_consts=${dump}
		${OBJECT} ${OUT_DIR}/boot_consts.scratch.o
	RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
	message(FATAL_ERROR "boot_consts.cmake: no .xomb_consts in ${OBJECT}")
endif()
file(STRINGS ${dump} lines)

set(header "generated from arch/x86_64/boot_consts.c: do not edit")
set(inc_text "; ${header}\n")
set(ld_text "/* ${header} */\n")
set(count 0)
foreach(line IN LISTS lines)
	if(NOT line MATCHES "^(asm|ld|both) ([A-Z0-9_]+) \\$?(-?[0-9]+)$")
		message(FATAL_ERROR "boot_consts.cmake: bad line '${line}'")
	endif()
	set(name ${CMAKE_MATCH_2})
	math(EXPR value "${CMAKE_MATCH_3}" OUTPUT_FORMAT HEXADECIMAL)
	if(NOT CMAKE_MATCH_1 STREQUAL "ld")
		string(APPEND inc_text "%define ${name} ${value}\n")
	endif()
	if(NOT CMAKE_MATCH_1 STREQUAL "asm")
		string(APPEND ld_text "${name} = ${value};\n")
	endif()
	math(EXPR count "${count} + 1")
endforeach()
if(count EQUAL 0)
	message(FATAL_ERROR "boot_consts.cmake: ${OBJECT} holds no constants")
endif()

file(WRITE ${OUT_DIR}/boot_consts.inc "${inc_text}")
file(WRITE ${OUT_DIR}/boot_consts.ld "${ld_text}")
