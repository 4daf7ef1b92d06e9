// A small command-line parser for `tillvaxt` subcommands: declared options with help text,
// `--name value` and `--name=value`, boolean switches, options that may be repeated,
// positional arguments, and `--help`.
// Unknown or malformed flags are errors that name the flag. Not thread-safe (used in main).
#pragma once

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "engine/base/status.h"

namespace tillvaxt::cli {

class Flags {
 public:
  Flags(std::string command, std::string summary)
      : command_(std::move(command)), summary_(std::move(summary)) {}

  // Declarations, in the order help shows them.
  void Option(const std::string& name, const std::string& value_name, const std::string& help,
              std::optional<std::string> default_value = std::nullopt);
  void Switch(const std::string& name, const std::string& help);
  // An option that may be given any number of times; GetAll has every value in order.
  void Repeated(const std::string& name, const std::string& value_name, const std::string& help);
  void Positional(const std::string& name, const std::string& help, bool required = true);

  // Parses argv after the subcommand. INVALID_ARGUMENT names the offending flag.
  base::Status Parse(const std::vector<std::string>& args);

  bool help_requested() const { return help_; }
  void PrintHelp(std::ostream& out) const;

  std::string Get(const std::string& name) const;  // option value (the last), default, or ""
  std::vector<std::string> GetAll(const std::string& name) const;  // every value given
  bool Has(const std::string& name) const;  // given on the command line (or switch set)
  base::Result<long long> GetInt(const std::string& name, long long min, long long max) const;
  std::string Arg(const std::string& name) const;  // positional value or ""

 private:
  struct Spec {
    std::string name, value_name, help;
    std::optional<std::string> default_value;
    bool is_switch = false;
    bool repeated = false;
  };
  struct Pos {
    std::string name, help;
    bool required;
  };
  const Spec* Find(const std::string& name) const;

  std::string command_, summary_;
  std::vector<Spec> specs_;
  std::vector<Pos> positionals_;
  std::map<std::string, std::string> values_;
  std::map<std::string, std::vector<std::string>> all_values_;
  std::map<std::string, std::string> args_;
  bool help_ = false;
};

}  // namespace tillvaxt::cli
