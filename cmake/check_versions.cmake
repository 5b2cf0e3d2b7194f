# The project has one version source: `project(vmengine VERSION x.y.z)` in CMakeLists.txt.
# vme_check_versions(ROOT VERSION) checks that every other place that states the version agrees
# with it, and stops with one message per mismatch naming both files:
#   include/vmengine.h                 VME_VERSION_MAJOR/MINOR/PATCH, VME_VERSION_STRING, and
#                                      VME_ABI_VERSION == MAJOR (the shared library's SOVERSION)
#   bindings/rust/vmengine-sys         its package version (own or [workspace.package])
#   bindings/rust/vmengine/Cargo.toml  the version it requires of vmengine-sys
#   bindings/rust/Cargo.lock           the locked versions of vmengine and vmengine-sys
#   bindings/java/pom.xml              the <version> of artifact vmengine
# (the Go binding has no version field). A missing binding directory is skipped.
#
# Used twice: included by CMakeLists.txt (a mismatch fails configure), and run as the CTest test
# version_consistency, which catches an edit made after configure:
#   cmake -DVME_ROOT=<source dir> -DVME_VERSION=x.y.z -P cmake/check_versions.cmake

function(_vme_version_error var file what found want)
  set(${var} "${${var}}\n  ${file}: ${what} is \"${found}\", but CMakeLists.txt (project VERSION) says \"${want}\""
      PARENT_SCOPE)
endfunction()

# Sets OUT to the first capture group of REGEX in the text of FILE, or to "" (no match).
function(_vme_match out file regex)
  file(READ "${file}" text)
  if(text MATCHES "${regex}")
    set(${out} "${CMAKE_MATCH_1}" PARENT_SCOPE)
  else()
    set(${out} "" PARENT_SCOPE)
  endif()
endfunction()

function(vme_check_versions root version)
  if(NOT version MATCHES "^([0-9]+)\\.([0-9]+)\\.([0-9]+)$")
    message(FATAL_ERROR "CMakeLists.txt: project VERSION \"${version}\" is not MAJOR.MINOR.PATCH")
  endif()
  set(parts "${CMAKE_MATCH_1};${CMAKE_MATCH_2};${CMAKE_MATCH_3}")
  set(errors "")

  # The public header.
  set(h "include/vmengine.h")
  set(i 0)
  foreach(name MAJOR MINOR PATCH)
    list(GET parts ${i} want)
    math(EXPR i "${i} + 1")
    _vme_match(found "${root}/${h}" "#define VME_VERSION_${name} ([0-9]+)")
    if(NOT found STREQUAL want)
      _vme_version_error(errors "${h}" "VME_VERSION_${name}" "${found}" "${want}")
    endif()
  endforeach()
  _vme_match(found "${root}/${h}" "#define VME_VERSION_STRING \"([^\"]*)\"")
  if(NOT found STREQUAL version)
    _vme_version_error(errors "${h}" "VME_VERSION_STRING" "${found}" "${version}")
  endif()
  list(GET parts 0 major)
  _vme_match(found "${root}/${h}" "#define VME_ABI_VERSION ([0-9]+)")
  if(NOT found STREQUAL major)
    _vme_version_error(errors "${h}" "VME_ABI_VERSION (the SOVERSION, = MAJOR)" "${found}" "${major}")
  endif()

  # The Rust workspace: vmengine-sys and the version the vmengine crate asks of it.
  set(rust "${root}/bindings/rust")
  if(EXISTS "${rust}/vmengine-sys/Cargo.toml")
    set(f "bindings/rust/vmengine-sys/Cargo.toml")
    file(READ "${root}/${f}" text)
    if(text MATCHES "\\[package\\][^[]*\nversion\\.workspace *= *true")
      set(f "bindings/rust/Cargo.toml")
      _vme_match(found "${root}/${f}" "\\[workspace\\.package\\][^[]*\nversion *= *\"([^\"]*)\"")
      set(what "[workspace.package] version (inherited by vmengine-sys)")
    else()
      _vme_match(found "${root}/${f}" "\\[package\\][^[]*\nversion *= *\"([^\"]*)\"")
      set(what "[package] version")
    endif()
    if(NOT found STREQUAL version)
      _vme_version_error(errors "${f}" "${what}" "${found}" "${version}")
    endif()
  endif()
  if(EXISTS "${rust}/vmengine/Cargo.toml")
    set(f "bindings/rust/vmengine/Cargo.toml")
    _vme_match(found "${root}/${f}" "\nvmengine-sys *= *{[^}]*version *= *\"=?([^\"]*)\"")
    if(NOT found STREQUAL version)
      _vme_version_error(errors "${f}" "the version required of vmengine-sys" "${found}" "${version}")
    endif()
  endif()
  if(EXISTS "${rust}/Cargo.lock")
    set(f "bindings/rust/Cargo.lock")
    foreach(crate vmengine vmengine-sys)
      _vme_match(found "${root}/${f}" "\nname = \"${crate}\"\nversion = \"([^\"]*)\"")
      if(NOT found STREQUAL version)
        _vme_version_error(errors "${f}" "the locked version of ${crate}" "${found}" "${version}")
      endif()
    endforeach()
  endif()

  # The Java binding.
  if(EXISTS "${root}/bindings/java/pom.xml")
    set(f "bindings/java/pom.xml")
    _vme_match(found "${root}/${f}" "<artifactId>vmengine</artifactId>[ \t\r\n]*<version>([^<]*)</version>")
    if(NOT found STREQUAL version)
      _vme_version_error(errors "${f}" "the <version> of artifact vmengine" "${found}" "${version}")
    endif()
  endif()

  if(errors)
    message(FATAL_ERROR "vmengine version mismatch (CMakeLists.txt is the one version source; "
                        "change the files below to match it):${errors}")
  endif()
endfunction()

if(CMAKE_SCRIPT_MODE_FILE STREQUAL CMAKE_CURRENT_LIST_FILE)
  if(NOT DEFINED VME_ROOT OR NOT DEFINED VME_VERSION)
    message(FATAL_ERROR "usage: cmake -DVME_ROOT=DIR -DVME_VERSION=x.y.z -P check_versions.cmake")
  endif()
  vme_check_versions("${VME_ROOT}" "${VME_VERSION}")
  message(STATUS "versions agree: ${VME_VERSION}")
endif()
