# The C SDK: what `cmake --install target/cmake --prefix DIR` puts into DIR (and what the
# Maven module sdk/ archives as isolex-sdk-VERSION-linux-x86_64.tar.gz). The layout is a
# contract -- ixdriver finds the shipped extensions, check-extension its ixdriver and
# suppressions, the package and pkg-config files the header, each relative to itself, so
# the tree works wherever it is unpacked -- and is fixed (no GNUInstallDirs: lib64 or
# lib/<multiarch> would move the files those relative paths name):
#
#   include/isolex.h                         the ABI, all an extension compiles against
#   lib/libisolex.so.1, lib/libisolex.so     the core (ixdriver's; nothing else links it)
#   lib/cmake/isolex/                        isolexConfig.cmake (+ Version, Targets) and
#                                            IsolexExtension.cmake: find_package(isolex)
#   lib/pkgconfig/isolex.pc                  the same for pkg-config
#   lib/isolex/extensions/{counter,fact}.so  the shipped extensions, prebuilt
#   bin/ixdriver                             the C driver (RPATH $ORIGIN/../lib)
#   bin/check-extension                      valgrind/check-extension
#   bin/ixaudit                              `isolex audit` (native/tools/audit; RPATH as
#                                            ixdriver's; built when libdw is found)
#   bin/ixworker                             interpreters in a worker process (native/worker,
#                                            ABI.md 13; RPATH as ixdriver's)
#   share/isolex/valgrind/                   isolex.supp and memcheck-filter.py, for it
#   share/doc/isolex/                        README.md (sdk/README.md) and ABI.md
#
# sdk/README.md documents it for users; sdk/src/build/check-sdk.sh checks the tarball.
#
# Included before the targets exist (native/driver compiles the relative path to the
# extensions into ixdriver); the root CMakeLists.txt calls isolex_install_sdk() at its end,
# once they all do.
include_guard(GLOBAL)
include(CMakePackageConfigHelpers)

set(ISOLEX_INSTALL_INCLUDEDIR include)
set(ISOLEX_INSTALL_BINDIR bin)
set(ISOLEX_INSTALL_LIBDIR lib)
set(ISOLEX_INSTALL_CMAKEDIR lib/cmake/isolex)
set(ISOLEX_INSTALL_EXTDIR lib/isolex/extensions)
set(ISOLEX_INSTALL_VALGRINDDIR share/isolex/valgrind)
set(ISOLEX_INSTALL_DOCDIR share/doc/isolex)
# From bin/ to lib/ (ixdriver's RPATH) and to the extensions (ixdriver's default module path)
file(RELATIVE_PATH ISOLEX_INSTALL_BIN_TO_LIB /sdk/${ISOLEX_INSTALL_BINDIR} /sdk/${ISOLEX_INSTALL_LIBDIR})
file(RELATIVE_PATH ISOLEX_INSTALL_BIN_TO_EXTDIR /sdk/${ISOLEX_INSTALL_BINDIR} /sdk/${ISOLEX_INSTALL_EXTDIR})

function(isolex_install_sdk)
  set(here ${CMAKE_CURRENT_FUNCTION_LIST_DIR})

  install(FILES ${ISOLEX_ABI_INCLUDE}/isolex.h DESTINATION ${ISOLEX_INSTALL_INCLUDEDIR})
  install(TARGETS isolex LIBRARY DESTINATION ${ISOLEX_INSTALL_LIBDIR})
  # Relative to itself, so the unpacked SDK runs wherever it is (its default module path is
  # too: native/driver/main.c).
  set_target_properties(ixdriver PROPERTIES INSTALL_RPATH "$ORIGIN/${ISOLEX_INSTALL_BIN_TO_LIB}")
  install(TARGETS ixdriver RUNTIME DESTINATION ${ISOLEX_INSTALL_BINDIR})
  install(PROGRAMS ${PROJECT_SOURCE_DIR}/valgrind/check-extension DESTINATION ${ISOLEX_INSTALL_BINDIR})
  set_target_properties(ixworker PROPERTIES INSTALL_RPATH "$ORIGIN/${ISOLEX_INSTALL_BIN_TO_LIB}")
  install(TARGETS ixworker RUNTIME DESTINATION ${ISOLEX_INSTALL_BINDIR})
  if(TARGET ixaudit)
    set_target_properties(ixaudit PROPERTIES INSTALL_RPATH "$ORIGIN/${ISOLEX_INSTALL_BIN_TO_LIB}")
    install(TARGETS ixaudit RUNTIME DESTINATION ${ISOLEX_INSTALL_BINDIR})
  endif()
  install(FILES ${PROJECT_SOURCE_DIR}/valgrind/isolex.supp ${PROJECT_SOURCE_DIR}/valgrind/memcheck-filter.py
          DESTINATION ${ISOLEX_INSTALL_VALGRINDDIR})
  install(TARGETS counter fact LIBRARY DESTINATION ${ISOLEX_INSTALL_EXTDIR})
  install(FILES ${PROJECT_SOURCE_DIR}/sdk/README.md ${PROJECT_SOURCE_DIR}/abi/ABI.md
          DESTINATION ${ISOLEX_INSTALL_DOCDIR})

  # ---------------------------------------------------------------- find_package(isolex)
  # isolexTargets.cmake: the imported isolex::headers, its include directory relative to the
  # file (CMake's export computes the prefix from its own location).
  install(TARGETS isolex_headers EXPORT isolexTargets)
  install(EXPORT isolexTargets NAMESPACE isolex:: DESTINATION ${ISOLEX_INSTALL_CMAKEDIR})
  set(isolex_package_dir ${CMAKE_CURRENT_BINARY_DIR}/package)
  configure_package_config_file(${here}/isolexConfig.cmake.in
    ${isolex_package_dir}/isolexConfig.cmake
    INSTALL_DESTINATION ${ISOLEX_INSTALL_CMAKEDIR}
    PATH_VARS ISOLEX_INSTALL_INCLUDEDIR ISOLEX_INSTALL_BINDIR ISOLEX_INSTALL_EXTDIR)
  # SameMinorVersion: in 0.x every minor release may change the package's API
  # (isolex_add_extension, the variables), so find_package(isolex 0.1) takes 0.1.z only;
  # SameMajorVersion would let 0.1 accept 0.2. From 1.0 on, SameMajorVersion. (Whether a
  # built extension loads is the ABI's rule, IX_ABI_MAJOR/MINOR, not this version's.)
  write_basic_package_version_file(${isolex_package_dir}/isolexConfigVersion.cmake
    VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
  install(FILES ${isolex_package_dir}/isolexConfig.cmake ${isolex_package_dir}/isolexConfigVersion.cmake
          ${here}/IsolexExtension.cmake
          DESTINATION ${ISOLEX_INSTALL_CMAKEDIR})

  # ---------------------------------------------------------------- pkg-config
  configure_file(${here}/isolex.pc.in ${isolex_package_dir}/isolex.pc @ONLY)
  install(FILES ${isolex_package_dir}/isolex.pc DESTINATION ${ISOLEX_INSTALL_LIBDIR}/pkgconfig)

  # ---------------------------------------------------------------- test
  # sdk-example: installs this build into a temporary prefix and runs the whole out-of-tree
  # flow of examples/c-extension-cmake on it (its ci-check: CMake and pkg-config builds, then
  # the installed check-extension, under memcheck).
  find_program(VALGRIND_EXECUTABLE valgrind)
  if(VALGRIND_EXECUTABLE)
    add_test(NAME sdk-example
      COMMAND sh ${here}/check-sdk-install.sh ${CMAKE_BINARY_DIR}
              ${PROJECT_SOURCE_DIR}/examples/c-extension-cmake/ci-check)
    set_tests_properties(sdk-example PROPERTIES LABELS "sdk;memcheck" TIMEOUT 600)
    # sdk-example-migration: the same for examples/migration, before/ and after/ built on
    # their own from the installed SDK
    add_test(NAME sdk-example-migration
      COMMAND sh ${here}/check-sdk-install.sh ${CMAKE_BINARY_DIR}
              ${PROJECT_SOURCE_DIR}/examples/migration/ci-check)
    set_tests_properties(sdk-example-migration PROPERTIES LABELS "sdk;memcheck" TIMEOUT 600)
  endif()
endfunction()
