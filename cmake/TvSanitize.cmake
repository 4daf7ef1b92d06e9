# TV_SANITIZE=ON builds everything (our code and generated code) with ASan + UBSan.
if(TV_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
