# cmake -DIN=file -DOUT=file.cc -P EmbedText.cmake: writes EmbeddedConfigText() returning IN.
file(READ ${IN} text)
file(WRITE ${OUT} "// Generated from ${IN}; do not edit.\n#include \"engine/cli/common.h\"\n"
  "namespace tillvaxt::cli {\nconst char* EmbeddedConfigText() {\n  return R\"tvcfg(${text})tvcfg\";\n}\n}\n")
