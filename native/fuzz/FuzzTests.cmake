# Included by the top-level CMakeLists.txt (the gcc build): builds native/fuzz with clang as
# an ExternalProject (into ${CMAKE_BINARY_DIR}/fuzz) and registers one CTest test per
# harness, fuzz-<target>, labelled `fuzz`:
#   fuzz_<target> -max_total_time=ISOLEX_FUZZ_SECONDS <scratch corpus> corpus/<target>
#                 regressions/<target>
# libFuzzer first runs every file of the three directories (the committed seeds and crash
# inputs: regressions are replayed in every run), then mutates for the time given, writing
# what it learns into the scratch corpus in the build directory (never into the sources)
# and a crashing input into ${CMAKE_BINARY_DIR}/fuzz/artifacts/<target>/; any crash, leak,
# timeout or failed check exits non-zero and fails the test.
#
# Without a clang that can link -fsanitize=fuzzer the tests still exist and fail, saying
# what to install: CI must run them. -DISOLEX_FUZZ=OFF leaves them out (README.md).
include_guard(GLOBAL)

option(ISOLEX_FUZZ "Build the libFuzzer harnesses of native/fuzz with clang and run them as CTest tests" ON)
set(ISOLEX_FUZZ_SECONDS 60 CACHE STRING "Seconds each fuzz-* CTest test fuzzes (libFuzzer -max_total_time)")
set(ISOLEX_FUZZ_TARGETS request queue_item moduledef)
if(NOT ISOLEX_FUZZ)
  message(STATUS "isolex: fuzz tests off (ISOLEX_FUZZ=OFF)")
  return()
endif()

# A clang whose libFuzzer links (Debian: clang and libclang-rt-14-dev).
find_program(ISOLEX_CLANG NAMES clang clang-14 DOC "clang for the libFuzzer harnesses")
set(fuzz_probe_dir ${CMAKE_BINARY_DIR}/fuzz-probe)
file(WRITE ${fuzz_probe_dir}/probe.c
  "#include <stddef.h>\n#include <stdint.h>\n"
  "int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return 0; }\n")
set(fuzz_probe_result 1)
if(ISOLEX_CLANG)
  execute_process(
    COMMAND ${ISOLEX_CLANG} -fsanitize=fuzzer,address,undefined probe.c -o probe
    WORKING_DIRECTORY ${fuzz_probe_dir}
    RESULT_VARIABLE fuzz_probe_result OUTPUT_QUIET ERROR_QUIET)
endif()

if(NOT fuzz_probe_result EQUAL 0)
  set(hint "the fuzz tests need clang with libFuzzer (Debian: apt-get install clang libclang-rt-14-dev; .ci/run installs them), or configure with -DISOLEX_FUZZ=OFF to leave them out")
  message(WARNING "isolex: ${hint}; the fuzz-* tests will fail")
  foreach(target IN LISTS ISOLEX_FUZZ_TARGETS)
    add_test(NAME fuzz-${target} COMMAND ${CMAKE_COMMAND} -E echo "fuzz-${target}: ${hint}")
    set_tests_properties(fuzz-${target} PROPERTIES LABELS fuzz
      FAIL_REGULAR_EXPRESSION "need clang")
  endforeach()
  return()
endif()

# The core's sources and the libraries it links, as the target isolex has them. An
# imported target of pkg_check_modules(PREFIX IMPORTED_TARGET ...) is visible only in the
# directory that made it: what it stands for is that directory's PREFIX_LINK_LIBRARIES.
get_target_property(fuzz_core_sources isolex SOURCES)
get_target_property(fuzz_core_links isolex LINK_LIBRARIES)
get_target_property(fuzz_core_dir isolex SOURCE_DIR)
set(fuzz_core_libs "")
foreach(lib IN LISTS fuzz_core_links)
  if(lib STREQUAL "Threads::Threads" OR lib STREQUAL "m")
    continue() # the fuzz build links both itself
  elseif(lib MATCHES "^PkgConfig::(.+)$")
    get_directory_property(lib_links DIRECTORY ${fuzz_core_dir} DEFINITION ${CMAKE_MATCH_1}_LINK_LIBRARIES)
    list(APPEND fuzz_core_libs ${lib_links})
  else()
    list(APPEND fuzz_core_libs ${lib})
  endif()
endforeach()

include(ExternalProject)
set(fuzz_dir ${CMAKE_BINARY_DIR}/fuzz)
ExternalProject_Add(isolex_fuzz
  SOURCE_DIR ${CMAKE_CURRENT_LIST_DIR}
  BINARY_DIR ${fuzz_dir}
  CMAKE_ARGS -DCMAKE_C_COMPILER=${ISOLEX_CLANG} -DCMAKE_BUILD_TYPE=RelWithDebInfo
  CMAKE_CACHE_ARGS
    -DISOLEX_CORE_SOURCES:STRING=${fuzz_core_sources}
    -DISOLEX_CORE_LIBS:STRING=${fuzz_core_libs}
    -DISOLEX_EXT_DIR:PATH=${ISOLEX_EXT_DIR}
    -DISOLEX_TEST_EXT_DIR:PATH=${ISOLEX_TEST_EXT_DIR}
  BUILD_ALWAYS ON # its own build decides what is out of date (core sources included)
  INSTALL_COMMAND "")

# The scratch corpora and artifact directories, made before the fuzz tests (libFuzzer
# refuses a corpus directory that does not exist).
set(fuzz_src ${CMAKE_CURRENT_LIST_DIR})
set(fuzz_dirs "")
foreach(target IN LISTS ISOLEX_FUZZ_TARGETS)
  list(APPEND fuzz_dirs ${fuzz_dir}/corpus/${target} ${fuzz_dir}/artifacts/${target})
endforeach()
add_test(NAME fuzz-directories COMMAND ${CMAKE_COMMAND} -E make_directory ${fuzz_dirs})
set_tests_properties(fuzz-directories PROPERTIES LABELS fuzz FIXTURES_SETUP fuzz_dirs)
foreach(target IN LISTS ISOLEX_FUZZ_TARGETS)
  add_test(NAME fuzz-${target}
    COMMAND ${fuzz_dir}/fuzz_${target}
      -max_total_time=${ISOLEX_FUZZ_SECONDS} -timeout=30 -rss_limit_mb=2048
      -print_final_stats=1 -artifact_prefix=${fuzz_dir}/artifacts/${target}/
      ${fuzz_dir}/corpus/${target} ${fuzz_src}/corpus/${target} ${fuzz_src}/regressions/${target})
  math(EXPR fuzz_timeout "${ISOLEX_FUZZ_SECONDS} + 300")
  set_tests_properties(fuzz-${target} PROPERTIES LABELS fuzz TIMEOUT ${fuzz_timeout}
    FIXTURES_REQUIRED fuzz_dirs)
endforeach()
