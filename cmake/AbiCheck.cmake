# The ABI check (ABI.md 1.4): isolex.h stays append-only against the committed baseline,
# checked with libabigail's abidw/abidiff (Debian: abigail-tools; .ci/run installs it). The
# rules and how appends are told apart are in check-abi.py's header.
#   abi-check           abi/include/isolex.h against abi/baseline/isolex-abi-1.N.xml (newest)
#   abi-check-selftest  edited copies of the header: a swap of two table entries, a retyped
#                       entry, a member appended to IxModuleDef or IxBufferView, a changed
#                       enumerator, constant, slot id or flag fail with abidiff's report;
#                       appends to the table pass
# Included from the top-level CMakeLists.txt.

find_package(Python3 COMPONENTS Interpreter)
find_program(ISOLEX_ABIDIFF abidiff)
find_program(ISOLEX_ABIDW abidw)
if(NOT Python3_Interpreter_FOUND OR NOT ISOLEX_ABIDIFF OR NOT ISOLEX_ABIDW)
  # not skipped in silence: a check that cannot run fails, saying why
  foreach(_test abi-check abi-check-selftest)
    add_test(NAME ${_test} COMMAND ${CMAKE_COMMAND} -E echo
      "${_test}: python3, abidw or abidiff was not found when CMake configured; install "
      "python3 and libabigail (Debian: abigail-tools) and configure again")
    set_tests_properties(${_test} PROPERTIES LABELS abi FAIL_REGULAR_EXPRESSION "was not found")
  endforeach()
  return()
endif()

set(_isolex_abi_script ${CMAKE_CURRENT_SOURCE_DIR}/cmake/check-abi.py)
set(_isolex_abi_args --source-dir ${CMAKE_CURRENT_SOURCE_DIR} --cc ${CMAKE_C_COMPILER})
add_test(NAME abi-check
  COMMAND ${Python3_EXECUTABLE} ${_isolex_abi_script} ${_isolex_abi_args}
          --work-dir ${CMAKE_CURRENT_BINARY_DIR}/abi-check)
add_test(NAME abi-check-selftest
  COMMAND ${Python3_EXECUTABLE} ${_isolex_abi_script} ${_isolex_abi_args} --self-test
          --work-dir ${CMAKE_CURRENT_BINARY_DIR}/abi-check-selftest)
set_tests_properties(abi-check abi-check-selftest PROPERTIES LABELS abi TIMEOUT 120)
