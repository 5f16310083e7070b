# Sanitizer variants of the core and the driver: the same sources as libisolex and ixdriver,
# built again with a sanitizer's flags, and CTest tests that run driver scenarios on them.
# The extensions are not rebuilt: a sanitizer watches the core (and the driver); that the
# extensions run uninstrumented is fine, because races and memory errors inside the core
# are what these tests are for.
#
#   isolex_add_sanitized_variant(<suffix> <flag>...)
#     Builds lib/libisolex_<suffix>.so from ${ISOLEX_CORE_SOURCES} and bin/ixdriver_<suffix>
#     from ${ISOLEX_DRIVER_SOURCES} (both variables must be visible to the caller, as
#     absolute paths), each compiled and linked with the flags and otherwise configured
#     like the targets isolex and ixdriver (their include directories, definitions, options
#     and libraries are copied from them, so call this after both exist). Sets
#     ISOLEX_HAVE_<suffix> in the caller's scope: TRUE when built; FALSE when
#     ISOLEX_SANITIZER_TESTS is OFF or the compiler cannot compile and link a program with
#     the flags (no libtsan, say), with a message saying which.
#
#   isolex_add_sanitized_tests(<suffix> [ENVIRONMENT <VAR=value>...] SCENARIOS <scenario>...)
#     One CTest test <suffix>-<scenario> per scenario, running ixdriver_<suffix>, labelled
#     <suffix>. A scenario may carry one argument as <scenario>:<arg> ("threads:2" runs
#     `ixdriver_<suffix> threads 2`; the test is still <suffix>-threads). Does nothing when
#     the variant was not built.
#
# Used by native/driver/CMakeLists.txt (tsan). ASan and UBSan are the same two calls with
# their own flags and options.
include_guard(GLOBAL)
include(CheckCSourceCompiles)
include(CMakePushCheckState)

option(ISOLEX_SANITIZER_TESTS
  "Build sanitizer variants of libisolex and ixdriver and register their tests" ON)

# Copy the listed properties of target `from` to target `to`, where `from` has them.
function(isolex_copy_target_properties from to)
  foreach(prop IN LISTS ARGN)
    get_target_property(value ${from} ${prop})
    if(value)
      set_property(TARGET ${to} PROPERTY ${prop} "${value}")
    endif()
  endforeach()
endfunction()

function(isolex_add_sanitized_variant suffix)
  set(flags ${ARGN})
  set(ISOLEX_HAVE_${suffix} FALSE PARENT_SCOPE)
  if(NOT ISOLEX_SANITIZER_TESTS)
    message(STATUS "isolex: ${suffix} variant not built (ISOLEX_SANITIZER_TESTS is OFF)")
    return()
  endif()
  if(NOT flags)
    message(FATAL_ERROR "isolex_add_sanitized_variant(${suffix}): no flags given")
  endif()
  if(NOT ISOLEX_CORE_SOURCES OR NOT ISOLEX_DRIVER_SOURCES)
    message(FATAL_ERROR "isolex_add_sanitized_variant(${suffix}): ISOLEX_CORE_SOURCES and "
                        "ISOLEX_DRIVER_SOURCES must be set where it is called")
  endif()

  # Compile and link a program with the flags: without the runtime library (libtsan,
  # libasan ...) the link fails, and the variant is skipped rather than broken.
  list(JOIN flags " " flags_text)
  cmake_push_check_state(RESET)
  set(CMAKE_REQUIRED_FLAGS "${flags_text}")
  set(CMAKE_REQUIRED_LINK_OPTIONS ${flags})
  set(CMAKE_REQUIRED_QUIET ON)
  # The result is cached under a name that includes the flags, so changed flags are
  # checked again.
  string(MAKE_C_IDENTIFIER "ISOLEX_SANITIZER_${suffix}_${flags_text}_WORKS" works)
  check_c_source_compiles("int main(void) { return 0; }" ${works})
  cmake_pop_check_state()
  if(NOT ${works})
    message(STATUS "isolex: ${suffix} variant not built: the compiler cannot build and link "
                   "with '${flags_text}' (is its runtime library installed?); "
                   "its tests are skipped")
    return()
  endif()

  add_library(isolex_${suffix} SHARED ${ISOLEX_CORE_SOURCES})
  isolex_copy_target_properties(isolex isolex_${suffix}
    INCLUDE_DIRECTORIES INTERFACE_INCLUDE_DIRECTORIES COMPILE_DEFINITIONS COMPILE_OPTIONS
    LINK_LIBRARIES LINK_OPTIONS LIBRARY_OUTPUT_DIRECTORY)
  target_compile_options(isolex_${suffix} PRIVATE ${flags})
  target_link_options(isolex_${suffix} PRIVATE ${flags})

  add_executable(ixdriver_${suffix} ${ISOLEX_DRIVER_SOURCES})
  isolex_copy_target_properties(ixdriver ixdriver_${suffix}
    INCLUDE_DIRECTORIES COMPILE_DEFINITIONS COMPILE_OPTIONS LINK_OPTIONS
    RUNTIME_OUTPUT_DIRECTORY)
  target_link_libraries(ixdriver_${suffix} PRIVATE isolex_${suffix})
  target_compile_options(ixdriver_${suffix} PRIVATE ${flags})
  target_link_options(ixdriver_${suffix} PRIVATE ${flags})
  set_property(GLOBAL APPEND PROPERTY ISOLEX_DRIVER_TARGETS ixdriver_${suffix})

  message(STATUS "isolex: ${suffix} variant: libisolex_${suffix}, ixdriver_${suffix} "
                 "(${flags_text})")
  set(ISOLEX_HAVE_${suffix} TRUE PARENT_SCOPE)
endfunction()

function(isolex_add_sanitized_tests suffix)
  cmake_parse_arguments(X "" "" "ENVIRONMENT;SCENARIOS" ${ARGN})
  if(NOT TARGET ixdriver_${suffix})
    return()
  endif()
  foreach(entry IN LISTS X_SCENARIOS)
    string(REPLACE ":" ";" words "${entry}")
    list(GET words 0 scenario)
    add_test(NAME ${suffix}-${scenario} COMMAND ixdriver_${suffix} ${words})
    set_tests_properties(${suffix}-${scenario} PROPERTIES LABELS ${suffix} TIMEOUT 300)
    if(X_ENVIRONMENT)
      set_tests_properties(${suffix}-${scenario} PROPERTIES ENVIRONMENT "${X_ENVIRONMENT}")
    endif()
  endforeach()
endfunction()
