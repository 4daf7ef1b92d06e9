// Fuzz target: what `tillvaxt check-config FILE` runs on a configuration: the protobuf text
// parser with its FILE:LINE errors and domain::CheckConfig with its field paths mapped back to
// lines (codec::LoadConfigText). The input is the file's text. Plugins named in it are not
// loaded (check-config dlopens them; a fuzzer must not load files it names).
//
// A finding: a sanitizer report, an exception, or a broken promise of config_loader.h: a
// refusal lists at least one problem, each "FILE:LINE: message" with a line in the file; an
// accepted configuration's workflow survives SerializeWorkflow and ParseWorkflow unchanged.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/codec/config_loader.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

constexpr char kName[] = "fuzz.textproto";

// True when `problem` is "fuzz.textproto:LINE: message" with 1 <= LINE <= lines.
bool NamesALine(const std::string& problem, size_t lines) {
  const std::string prefix = std::string(kName) + ":";
  if (problem.rfind(prefix, 0) != 0) return false;
  size_t pos = prefix.size();
  size_t line = 0;
  size_t digits = 0;
  while (pos < problem.size() && problem[pos] >= '0' && problem[pos] <= '9' && digits < 9) {
    line = line * 10 + static_cast<size_t>(problem[pos] - '0');
    ++pos;
    ++digits;
  }
  return digits > 0 && line >= 1 && line <= lines && problem.compare(pos, 2, ": ") == 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> problems;
  auto config = tillvaxt::codec::LoadConfigText(text, kName, &problems);
  if (!config.ok()) {
    FUZZ_CHECK(!problems.empty(), "refused without a problem: " + config.status().ToString());
    const size_t lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
    for (const std::string& p : problems) {
      FUZZ_CHECK(NamesALine(p, lines), "a problem that names no line of the file: " + p);
    }
    return 0;
  }
  const std::string bytes = tillvaxt::codec::SerializeWorkflow(*config);
  auto workflow = tillvaxt::codec::ParseWorkflow(bytes);
  FUZZ_CHECK(workflow.ok(),
             "an accepted workflow does not parse back: " + workflow.status().ToString());
  FUZZ_CHECK(tillvaxt::codec::SerializeWorkflow(*workflow) == bytes,
             "an accepted workflow changes through SerializeWorkflow and ParseWorkflow");
  return 0;
}
