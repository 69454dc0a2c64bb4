# The packaged kernel tree (Debian's linux-source-6.12), for the kernel's own test suites.
#
# The kernel's sources are GPL-2.0 and never part of this repository: the folders the
# tests need are extracted from the package's tarball into the build tree, once (a stamp
# file records the tarball and the list), and compiled there at test time.
#
#   KMM_KERNEL_SOURCE_TARBALL  the tarball (default: /usr/src/linux-source-6.12.tar.xz,
#                              installed by scripts/deps.sh test)
#   KMM_KERNEL_SOURCE_DIR      set here: the extracted tree, or empty when there is none
set(KMM_KERNEL_SOURCE_TARBALL /usr/src/linux-source-6.12.tar.xz CACHE FILEPATH
	"The kernel source tarball the kernel's own test suites are built from")

# The folders the kernel test suites compile from (tests/kernel/).
set(KMM_KERNEL_SOURCE_PATHS
	tools/testing/radix-tree tools/testing/shared tools/include tools/lib tools/arch/x86/include
	lib include scripts/Makefile.lib)

set(KMM_KERNEL_SOURCE_DIR "")
if(EXISTS ${KMM_KERNEL_SOURCE_TARBALL})
	get_filename_component(kmm_ks_top ${KMM_KERNEL_SOURCE_TARBALL} NAME)
	string(REGEX REPLACE "\\.tar\\.[a-z0-9]+$" "" kmm_ks_top ${kmm_ks_top})
	set(kmm_ks_root ${PROJECT_BINARY_DIR}/kernel-source)
	set(kmm_ks_stamp ${kmm_ks_root}/${kmm_ks_top}.stamp)
	file(TIMESTAMP ${KMM_KERNEL_SOURCE_TARBALL} kmm_ks_time UTC)
	set(kmm_ks_want "${KMM_KERNEL_SOURCE_TARBALL} ${kmm_ks_time} ${KMM_KERNEL_SOURCE_PATHS}")
	set(kmm_ks_have "")
	if(EXISTS ${kmm_ks_stamp})
		file(READ ${kmm_ks_stamp} kmm_ks_have)
	endif()
	if(NOT kmm_ks_have STREQUAL kmm_ks_want)
		message(STATUS "Extracting the kernel's test sources from ${KMM_KERNEL_SOURCE_TARBALL}")
		file(REMOVE_RECURSE ${kmm_ks_root})
		file(MAKE_DIRECTORY ${kmm_ks_root})
		set(members "")
		foreach(p ${KMM_KERNEL_SOURCE_PATHS})
			list(APPEND members ${kmm_ks_top}/${p})
		endforeach()
		execute_process(COMMAND tar -xJf ${KMM_KERNEL_SOURCE_TARBALL} ${members}
			WORKING_DIRECTORY ${kmm_ks_root} RESULT_VARIABLE rc)
		if(NOT rc EQUAL 0)
			message(FATAL_ERROR "could not extract ${members} from ${KMM_KERNEL_SOURCE_TARBALL}")
		endif()
		file(WRITE ${kmm_ks_stamp} "${kmm_ks_want}")
	endif()
	set(KMM_KERNEL_SOURCE_DIR ${kmm_ks_root}/${kmm_ks_top})
else()
	message(WARNING "${KMM_KERNEL_SOURCE_TARBALL} not found (Debian package linux-source-6.12): "
		"the kernel's own test suites are not built")
endif()
