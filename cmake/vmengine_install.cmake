# Install rules of libvmengine, split into three components that map to the Debian packages
# of cmake/vmengine_cpack.cmake:
#   lib    libvmengine.so.<major> and .so.<version>          -> libvmengine0
#   dev    vmengine.h, the libvmengine.so link, vmengine.pc,
#          lib/cmake/vmengine/ (find_package)                 -> libvmengine-dev
#   tools  the `vmengine` command-line tool (installed by tools/vmengine/CMakeLists.txt,
#          OPTIONAL: a build of the library alone installs without it) -> vmengine-tools
# `cmake --install BUILD` installs every component; `--component lib` one of them.
#
# vmengine.pc is relocatable: its prefix is ${pcfiledir} plus the path from
# <libdir>/pkgconfig back to the prefix, so `cmake --install build --prefix P` gives a file that
# is correct wherever P is, and one that still works after P is moved. It names no dependency:
# the shared library links zstd, oneTBB, RE2 and xxHash itself, so a program built against it
# needs only the library's own -dev files (no Requires.private, no other -dev package).

if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(VME_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  set(VME_PC_LIBDIR "${CMAKE_INSTALL_FULL_LIBDIR}")
  set(VME_PC_INCLUDEDIR "${CMAKE_INSTALL_FULL_INCLUDEDIR}")
else()
  file(RELATIVE_PATH _vme_pc_up "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
  string(REGEX REPLACE "/$" "" _vme_pc_up "${_vme_pc_up}")
  set(VME_PC_PREFIX "\${pcfiledir}/${_vme_pc_up}")
  set(VME_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
  set(VME_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/vmengine.pc.in ${PROJECT_BINARY_DIR}/vmengine.pc @ONLY)
configure_file(${PROJECT_SOURCE_DIR}/cmake/vmengine-uninstalled.pc.in
  ${PROJECT_BINARY_DIR}/vmengine-uninstalled.pc @ONLY)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/vmengineConfig.cmake.in
  ${PROJECT_BINARY_DIR}/vmengineConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/vmengine)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/vmengineConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)

if(TARGET vmengine)
  install(TARGETS vmengine EXPORT vmengineTargets
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT lib NAMELINK_COMPONENT dev)
  install(FILES include/vmengine.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)
  install(EXPORT vmengineTargets NAMESPACE vmengine::
    DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/vmengine COMPONENT dev)
  install(FILES ${PROJECT_BINARY_DIR}/vmengineConfig.cmake
    ${PROJECT_BINARY_DIR}/vmengineConfigVersion.cmake
    DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/vmengine COMPONENT dev)
  install(FILES ${PROJECT_BINARY_DIR}/vmengine.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
    COMPONENT dev)
endif()
