#include "engine/cli/common.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <ostream>

#include "engine/codec/config_loader.h"

namespace tillvaxt::cli {

std::string DefaultDataDir() {
  const char* env = std::getenv("TILLVAXT_DATA");
  return env != nullptr && *env != '\0' ? env : "data";
}

void AddDataFlags(Flags& flags) {
  flags.Option("data", "DIR", "Data folder holding the database (env TILLVAXT_DATA)",
               DefaultDataDir());
  flags.Option("config", "FILE",
               "Region configuration (textproto); default DATA/config.textproto, else the "
               "built-in Sörmland configuration");
}

base::Result<domain::Config> LoadRegionConfig(const Flags& flags, std::ostream& err,
                                              std::string* source) {
  std::vector<std::string> problems;
  base::Result<domain::Config> config = base::Internal("unreachable");
  std::string path = flags.Get("config");
  if (path.empty()) {
    auto in_data = std::filesystem::path(flags.Get("data")) / "config.textproto";
    if (std::filesystem::exists(in_data)) path = in_data.string();
  }
  if (path.empty()) {
    if (source) *source = "built-in sormland.textproto";
    config = codec::LoadConfigText(EmbeddedConfigText(), "sormland.textproto", &problems);
  } else {
    if (source) *source = path;
    config = codec::LoadConfigFile(path, &problems);
  }
  for (const std::string& p : problems) err << p << "\n";
  return config;
}

int Fail(std::ostream& err, const base::Status& status) {
  err << "tillvaxt: " << status.message() << "\n";
  switch (status.code()) {
    case base::Code::kInvalidArgument:
    case base::Code::kNotFound:
    case base::Code::kFailedPrecondition:
      return 2;
    default:
      return 1;
  }
}

bool ParseOrExit(Flags& flags, const std::vector<std::string>& args, Environment& env, int* exit) {
  base::Status st = flags.Parse(args);
  if (!st.ok()) {
    *exit = Fail(env.err, st);
    return false;
  }
  if (flags.help_requested()) {
    flags.PrintHelp(env.out);
    *exit = kExitOk;
    return false;
  }
  return true;
}

bool IsTty(std::ostream& out, Environment& env) {
  return &out == &env.err ? isatty(STDERR_FILENO) != 0 : isatty(STDOUT_FILENO) != 0;
}

}  // namespace tillvaxt::cli
