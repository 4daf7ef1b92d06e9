# tv_warnings: the warning set for our own code (never for generated protobuf code).
add_library(tv_warnings INTERFACE)
target_compile_options(tv_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  # Designated initializers that name only some members are how we build commands and filters
  # (`{.action = "claim"}`); the rest keep their default member initializers on purpose.
  -Wno-missing-field-initializers)
if(TV_WERROR)
  target_compile_options(tv_warnings INTERFACE -Werror)
endif()
