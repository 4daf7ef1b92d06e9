// FUZZ_CHECK(condition, message): a property every input must keep. When it fails, prints the
// message and aborts, which libFuzzer reports as a crash and saves the input (crash-<sha1>).
// A plain assert would vanish in a release build; this never does.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#define FUZZ_CHECK(condition, message)                                                   \
  do {                                                                                   \
    if (!(condition)) {                                                                  \
      std::fprintf(stderr, "FUZZ_CHECK failed at %s:%d: %s\n  %s\n", __FILE__, __LINE__, \
                   #condition, std::string(message).c_str());                            \
      std::abort();                                                                      \
    }                                                                                    \
  } while (false)
