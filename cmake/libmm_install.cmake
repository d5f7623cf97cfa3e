# Installs libmm for kernels and host programs built outside this tree
# (included by libmm/CMakeLists.txt):
#   include/mm/*.h, include/mm_sim.h    public headers
#   lib/libmm_host.a, lib/libmm_kernel.a hosted (with the simulator) and
#                                        freestanding libraries
#   lib/cmake/libmm/                     find_package(libmm CONFIG):
#                                        libmm::host, libmm::kernel
#   lib/pkgconfig/libmm-{host,kernel}.pc the same for pkg-config
#   share/doc/libmm/html/                the API reference, once make docs ran
# Only what a consumer needs: the build's warnings, optimisation and
# sanitizer / coverage options stay in this tree.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(MM_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/libmm)
set(MM_INSTALL_PCDIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# What code linked with the freestanding library must be compiled with: the
# tree's kernel code generation (cmake/xomb.cmake) without -O2 / -g, which
# are the consumer's choice, and -nostdlib, which only matters at link time.
set(MM_KERNEL_COMPILE_FLAGS ${XOMB_FREESTANDING_FLAGS})
list(REMOVE_ITEM MM_KERNEL_COMPILE_FLAGS -O2 -g -nostdlib)
# A non-PIE link without libc: -mcmodel=kernel code cannot go into a PIE.
set(MM_KERNEL_LINK_FLAGS -nostdlib -static)

set_target_properties(mm_host PROPERTIES EXPORT_NAME host)
set_target_properties(mm_kernel PROPERTIES EXPORT_NAME kernel)
# The headers use C11 (_Noreturn).
target_compile_features(mm_host INTERFACE c_std_11)
target_compile_features(mm_kernel INTERFACE c_std_11)
target_include_directories(mm_host INTERFACE
	$<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_include_directories(mm_kernel INTERFACE
	$<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_compile_options(mm_kernel INTERFACE
	"$<INSTALL_INTERFACE:${MM_KERNEL_COMPILE_FLAGS}>")
target_link_options(mm_kernel INTERFACE
	"$<INSTALL_INTERFACE:${MM_KERNEL_LINK_FLAGS}>")

install(TARGETS mm_host mm_kernel EXPORT libmmTargets
	ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/include/mm
	DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
	FILES_MATCHING PATTERN "*.h")
# Of the simulator, only its public header: mm_sim_tlb.h is private.
install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/host/mm_sim.h
	DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

install(EXPORT libmmTargets NAMESPACE libmm::
	DESTINATION ${MM_INSTALL_CMAKEDIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/libmmConfig.cmake.in
	${CMAKE_CURRENT_BINARY_DIR}/libmmConfig.cmake
	INSTALL_DESTINATION ${MM_INSTALL_CMAKEDIR})
write_basic_package_version_file(
	${CMAKE_CURRENT_BINARY_DIR}/libmmConfigVersion.cmake
	VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/libmmConfig.cmake
	${CMAKE_CURRENT_BINARY_DIR}/libmmConfigVersion.cmake
	DESTINATION ${MM_INSTALL_CMAKEDIR})

# pkg-config files that find the prefix from their own place, so they stay
# right whatever --prefix `cmake --install` is given.
file(RELATIVE_PATH MM_PC_TO_PREFIX /${MM_INSTALL_PCDIR} /)
string(REGEX REPLACE "/$" "" MM_PC_TO_PREFIX "${MM_PC_TO_PREFIX}")
list(JOIN MM_KERNEL_COMPILE_FLAGS " " MM_PC_KERNEL_CFLAGS)
list(JOIN MM_KERNEL_LINK_FLAGS " " MM_PC_KERNEL_LIBS)
foreach(pc libmm-host libmm-kernel)
	configure_file(${PROJECT_SOURCE_DIR}/cmake/${pc}.pc.in
		${CMAKE_CURRENT_BINARY_DIR}/${pc}.pc @ONLY)
	install(FILES ${CMAKE_CURRENT_BINARY_DIR}/${pc}.pc
		DESTINATION ${MM_INSTALL_PCDIR})
endforeach()

# The API reference, when `make docs` has generated it.
install(DIRECTORY ${PROJECT_BINARY_DIR}/docs/html/
	DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/libmm/html OPTIONAL)
