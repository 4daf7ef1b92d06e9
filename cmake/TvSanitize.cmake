# TV_SANITIZE=ON builds everything (our code and generated code) with ASan + UBSan.
#
# TV_FUZZ=ON (the default when the compiler is clang and TV_SANITIZE is on: scripts/test.sh's
# sanitizer pass) also builds the libFuzzer targets of tests/fuzz/. Every library and test is
# compiled with -fsanitize=fuzzer-no-link (libFuzzer's coverage instrumentation, which the
# sanitizer runtime satisfies in the ordinary tests); only the fuzz targets link libFuzzer itself
# (-fsanitize=fuzzer, tests/fuzz/CMakeLists.txt). One build thus gives both the sanitizer pass
# of every test and the fuzz targets, instead of a third full build.
if(TV_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND TV_SANITIZE)
  set(tv_fuzz_default ON)
else()
  set(tv_fuzz_default OFF)
endif()
option(TV_FUZZ "Build the libFuzzer targets (clang with TV_SANITIZE)" ${tv_fuzz_default})
if(TV_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang" OR NOT TV_SANITIZE)
    message(FATAL_ERROR "TV_FUZZ needs clang (CXX=clang++-14) and TV_SANITIZE=ON")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
