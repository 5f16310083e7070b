# isolex_add_extension(<name> OUTPUT_DIR <dir> SOURCES <files...> [DEFINES <defs...>])
#
# Builds <name>.so, a dlopen-only MODULE library against abi/include/isolex.h alone:
# no link to libisolex, hidden visibility (only IX_MODINIT/IX_LEGACY_MODINIT export).
function(isolex_add_extension name)
  cmake_parse_arguments(X "" "OUTPUT_DIR" "SOURCES;DEFINES" ${ARGN})
  add_library(${name} MODULE ${X_SOURCES})
  target_include_directories(${name} PRIVATE ${ISOLEX_ABI_INCLUDE})
  target_compile_definitions(${name} PRIVATE ${X_DEFINES})
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    LIBRARY_OUTPUT_DIRECTORY ${X_OUTPUT_DIR})
  set_property(GLOBAL APPEND PROPERTY ISOLEX_EXTENSION_TARGETS ${name})
endfunction()
