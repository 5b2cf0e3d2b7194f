# Debian packages: `cpack -G DEB` in a build directory (after building it) writes
#   libvmengine0_<version>_<arch>.deb      the shared library (component lib)
#   libvmengine-dev_<version>_<arch>.deb   header, .so link, vmengine.pc, CMake package (dev)
#   vmengine-tools_<version>_<arch>.deb    the `vmengine` command-line tool (tools)
# installing under /usr. Their dependencies on Debian's libraries come from dpkg-shlibdeps
# (libtbb12, libzstd1, libre2-9, libxxhash0, libstdc++6, libc6 on Debian 12); libvmengine-dev
# depends on the libvmengine0 of the same version (the tool links the engine statically and
# needs only Debian's libraries). libvmengine0 ships a shlibs file and the ldconfig trigger, so
# programs find the library without LD_LIBRARY_PATH.
# scripts/check_install.sh builds them and links a program against them in CI.

set(CPACK_PACKAGE_NAME vmengine)
set(CPACK_PACKAGE_VENDOR "vmengine developers")
set(CPACK_PACKAGE_CONTACT "vmengine developers <vmengine@users.noreply.github.com>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "Embeddable time-series storage engine (VictoriaMetrics 1.72 on-disk format)")
set(CPACK_PACKAGE_HOMEPAGE_URL "https://github.com/vmengine/vmengine")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_COMPONENTS_ALL lib dev tools)

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_LIB_PACKAGE_NAME libvmengine${PROJECT_VERSION_MAJOR})
set(CPACK_DEBIAN_LIB_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_LIB_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION_SUMMARY}
 The shared library libvmengine.so.${PROJECT_VERSION_MAJOR}: a C ABI over a C++20 storage engine
 that reads and writes the data directories of VictoriaMetrics 1.72 (vmstorage).")
set(CPACK_DEBIAN_DEV_PACKAGE_NAME libvmengine-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
  "libvmengine${PROJECT_VERSION_MAJOR} (= ${PROJECT_VERSION})")
set(CPACK_DEBIAN_DEV_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION_SUMMARY} (development files)
 The header vmengine.h, the pkg-config file vmengine.pc and the CMake package
 (find_package(vmengine)) for programs linked against libvmengine.")
set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME vmengine-tools)
set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION database)
set(CPACK_DEBIAN_TOOLS_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION_SUMMARY} (command-line tool)
 vmengine import, query, export, labels, stats, force-merge, delete, snapshot and check on a
 vmengine or VictoriaMetrics 1.72 data directory.")

# Debian policy: each package carries its copyright file.
foreach(_vme_comp_pkg "lib;libvmengine${PROJECT_VERSION_MAJOR}" "dev;libvmengine-dev"
    "tools;vmengine-tools")
  list(GET _vme_comp_pkg 0 _vme_comp)
  list(GET _vme_comp_pkg 1 _vme_pkg)
  install(FILES ${PROJECT_SOURCE_DIR}/LICENSE RENAME copyright
    DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/${_vme_pkg} COMPONENT ${_vme_comp})
endforeach()

include(CPack)
