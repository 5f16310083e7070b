# doc-c-blocks: every C block of the docs compiles, or is marked a fragment (the C side of
# java/core's DocExamplesTest; the rules are in check-doc-c-blocks.py's header).
#   doc-c-blocks           README.md, abi/*.md, docs/*.md and the directory READMEs
#   doc-c-blocks-selftest  the check on made-up docs: each kind of failure is caught, with
#                          its file:line (so a check that passes has looked)
# Included from the top-level CMakeLists.txt after add_compile_options, whose warnings
# (plus -Werror) the blocks are compiled with, as an extension is built here.

set(ISOLEX_DOC_C_DOCS README.md abi/*.md docs/*.md extensions/README.md test-ext/README.md
    valgrind/README.md examples/*/README.md)

find_package(Python3 COMPONENTS Interpreter)
if(NOT Python3_Interpreter_FOUND)
  # not skipped in silence: a docs check that cannot run fails, saying why
  add_test(NAME doc-c-blocks COMMAND ${CMAKE_COMMAND} -E echo
    "doc-c-blocks: python3 was not found when CMake configured; install it and configure again")
  set_tests_properties(doc-c-blocks PROPERTIES LABELS docs FAIL_REGULAR_EXPRESSION "python3 was not found")
  return()
endif()

get_directory_property(_isolex_warnings COMPILE_OPTIONS)
set(_isolex_doc_c_args
  --cc ${CMAKE_C_COMPILER} --nm ${CMAKE_NM}
  --include ${ISOLEX_ABI_INCLUDE} --include ${CMAKE_CURRENT_SOURCE_DIR}/native/include
  --flag=-std=c11 --flag=-O2 --flag=-fPIC --flag=-fvisibility=hidden --flag=-Werror)
foreach(_opt IN LISTS _isolex_warnings)
  list(APPEND _isolex_doc_c_args --flag=${_opt})
endforeach()

set(_isolex_doc_c_script ${CMAKE_CURRENT_SOURCE_DIR}/cmake/check-doc-c-blocks.py)
add_test(NAME doc-c-blocks
  COMMAND ${Python3_EXECUTABLE} ${_isolex_doc_c_script} ${_isolex_doc_c_args}
          --source-dir ${CMAKE_CURRENT_SOURCE_DIR} --work-dir ${CMAKE_CURRENT_BINARY_DIR}/doc-c-blocks
          ${ISOLEX_DOC_C_DOCS})
add_test(NAME doc-c-blocks-selftest
  COMMAND ${Python3_EXECUTABLE} ${_isolex_doc_c_script} ${_isolex_doc_c_args} --self-test
          --work-dir ${CMAKE_CURRENT_BINARY_DIR}/doc-c-blocks-selftest)
set_tests_properties(doc-c-blocks doc-c-blocks-selftest PROPERTIES LABELS docs TIMEOUT 120)
