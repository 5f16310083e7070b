# The project's version has one source: the <version> of isolex-parent in the root pom.xml
# (what Maven stamps on the jars and the SDK tarball). Included before project(), it sets
#   ISOLEX_VERSION_STRING  the pom's version as written, e.g. 0.1.0-SNAPSHOT: Host.version()
#                          (native/src/version.c.in), isolex.pc's Version, the tarball name
#   ISOLEX_VERSION         its numeric part, e.g. 0.1.0: CMake's project(VERSION) and the
#                          version find_package(isolex) compares (CMake versions are numbers only)
# The configure step reruns when pom.xml changes, so a version bump reaches every one of them.
include_guard(GLOBAL)

set(isolex_pom ${CMAKE_CURRENT_LIST_DIR}/../pom.xml)
file(READ ${isolex_pom} isolex_pom_text)
string(REGEX MATCH "<artifactId>isolex-parent</artifactId>[ \t\r\n]*<version>([^<]+)</version>"
       isolex_pom_match "${isolex_pom_text}")
if(NOT isolex_pom_match)
  message(FATAL_ERROR "cmake/IsolexVersion.cmake: no <version> right after "
                      "<artifactId>isolex-parent</artifactId> in ${isolex_pom}; keep them adjacent")
endif()
set(ISOLEX_VERSION_STRING ${CMAKE_MATCH_1})
string(REGEX MATCH "^[0-9]+\\.[0-9]+\\.[0-9]+" ISOLEX_VERSION "${ISOLEX_VERSION_STRING}")
if(NOT ISOLEX_VERSION)
  message(FATAL_ERROR "cmake/IsolexVersion.cmake: the pom's version '${ISOLEX_VERSION_STRING}' "
                      "does not start with MAJOR.MINOR.PATCH")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${isolex_pom})
unset(isolex_pom_text)
unset(isolex_pom_match)
