# tv_module(NAME SOURCES ... [DEPS ...] [PRIVATE_DEPS ...] [TESTS ...] [TEST_DEPS ...])
#
# One static library per engine folder (tv_<name>), with our warnings, linking only the modules
# below it. TESTS names test sources (relative to the top folder); they become one Catch2
# executable tv_<name>_tests whose cases CTest discovers.
function(tv_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS;PRIVATE_DEPS;TESTS;TEST_DEPS" ${ARGN})
  add_library(tv_${name} STATIC ${M_SOURCES})
  target_include_directories(tv_${name} PUBLIC ${TV_SOURCE_DIR})
  target_link_libraries(tv_${name} PUBLIC ${M_DEPS} PRIVATE tv_warnings ${M_PRIVATE_DEPS})
  if(TV_BUILD_TESTS AND M_TESTS)
    list(TRANSFORM M_TESTS PREPEND ${TV_SOURCE_DIR}/)
    add_executable(tv_${name}_tests ${M_TESTS})
    target_link_libraries(tv_${name}_tests PRIVATE tv_${name} ${M_TEST_DEPS} tv_warnings
                          Catch2::Catch2WithMain)
    target_compile_definitions(tv_${name}_tests PRIVATE TV_SOURCE_DIR="${TV_SOURCE_DIR}")
    catch_discover_tests(tv_${name}_tests TEST_PREFIX "${name}: " PROPERTIES LABELS ${name})
  endif()
endfunction()
