# isolex_add_extension(<name> SOURCES <files...> [OUTPUT_DIR <dir>] [DEFINES <defs...>])
#
# Builds <name>.so, a dlopen-only MODULE library (no "lib" prefix) against isolex.h alone:
# it links nothing of the host (the target isolex::headers carries the include directory
# and no library), and its symbols are hidden (only IX_MODINIT/IX_LEGACY_MODINIT export).
# OUTPUT_DIR defaults to the current binary directory; DEFINES are private compile
# definitions. Link anything else the extension needs yourself, as
# target_link_libraries(<name> PRIVATE m) for libm.
#
# The one definition, used both inside this build (extensions/, test-ext/) and by the
# installed package (lib/cmake/isolex/, included by isolexConfig.cmake): isolex::headers is
# an alias of the build's isolex_headers there, the imported target of isolexTargets.cmake
# here.
include_guard(GLOBAL)

function(isolex_add_extension name)
  cmake_parse_arguments(PARSE_ARGV 1 X "" "OUTPUT_DIR" "SOURCES;DEFINES")
  if(X_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "isolex_add_extension(${name}): unexpected arguments "
                        "'${X_UNPARSED_ARGUMENTS}' (SOURCES, OUTPUT_DIR, DEFINES)")
  endif()
  if(NOT X_SOURCES)
    message(FATAL_ERROR "isolex_add_extension(${name}): no SOURCES given")
  endif()
  if(NOT X_OUTPUT_DIR)
    set(X_OUTPUT_DIR ${CMAKE_CURRENT_BINARY_DIR})
  endif()
  if(NOT TARGET isolex::headers)
    message(FATAL_ERROR "isolex_add_extension(${name}): no target isolex::headers; "
                        "call find_package(isolex) first")
  endif()
  add_library(${name} MODULE ${X_SOURCES})
  target_link_libraries(${name} PRIVATE isolex::headers)
  target_compile_definitions(${name} PRIVATE ${X_DEFINES})
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    SUFFIX ".so"
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${X_OUTPUT_DIR})
  # Inside this build: ixdriver depends on every extension (native/driver/CMakeLists.txt).
  set_property(GLOBAL APPEND PROPERTY ISOLEX_EXTENSION_TARGETS ${name})
endfunction()
