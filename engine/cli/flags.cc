#include "engine/cli/flags.h"

#include <charconv>

namespace tillvaxt::cli {

void Flags::Option(const std::string& name, const std::string& value_name, const std::string& help,
                   std::optional<std::string> default_value) {
  specs_.push_back({name, value_name, help, std::move(default_value), false, false});
}

void Flags::Switch(const std::string& name, const std::string& help) {
  specs_.push_back({name, "", help, std::nullopt, true, false});
}

void Flags::Repeated(const std::string& name, const std::string& value_name,
                     const std::string& help) {
  specs_.push_back({name, value_name, help, std::nullopt, false, true});
}

void Flags::Positional(const std::string& name, const std::string& help, bool required) {
  positionals_.push_back({name, help, required});
}

const Flags::Spec* Flags::Find(const std::string& name) const {
  for (const Spec& s : specs_) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

base::Status Flags::Parse(const std::vector<std::string>& args) {
  size_t next_positional = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      help_ = true;
      return base::Status::Ok();
    }
    if (arg.rfind("--", 0) == 0 && arg.size() > 2) {
      std::string name = arg.substr(2);
      std::optional<std::string> inline_value;
      if (auto eq = name.find('='); eq != std::string::npos) {
        inline_value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      const Spec* spec = Find(name);
      if (spec == nullptr) {
        return base::InvalidArgument("unknown flag --" + name + " (see `tillvaxt " + command_ +
                                     " --help`)");
      }
      if (spec->is_switch) {
        if (inline_value) return base::InvalidArgument("--" + name + " takes no value");
        values_[name] = "true";
        continue;
      }
      if (inline_value) {
        values_[name] = *inline_value;
      } else if (i + 1 < args.size()) {
        values_[name] = args[++i];
      } else {
        return base::InvalidArgument("--" + name + " needs a value: --" + name + " " +
                                     spec->value_name);
      }
      all_values_[name].push_back(values_[name]);
      continue;
    }
    if (next_positional >= positionals_.size()) {
      return base::InvalidArgument("unexpected argument '" + arg + "' (see `tillvaxt " + command_ +
                                   " --help`)");
    }
    args_[positionals_[next_positional++].name] = arg;
  }
  for (size_t p = next_positional; p < positionals_.size(); ++p) {
    if (positionals_[p].required) {
      return base::InvalidArgument("missing argument " + positionals_[p].name + " (see `tillvaxt " +
                                   command_ + " --help`)");
    }
  }
  return base::Status::Ok();
}

void Flags::PrintHelp(std::ostream& out) const {
  out << "Usage: tillvaxt " << command_;
  for (const Pos& p : positionals_)
    out << (p.required ? " " : " [") << p.name << (p.required ? "" : "]");
  if (!specs_.empty()) out << " [options]";
  out << "\n\n" << summary_ << "\n";
  if (!positionals_.empty()) {
    out << "\nArguments:\n";
    for (const Pos& p : positionals_) out << "  " << p.name << "\n      " << p.help << "\n";
  }
  out << "\nOptions:\n";
  for (const Spec& s : specs_) {
    out << "  --" << s.name;
    if (!s.is_switch) out << " " << s.value_name;
    out << "\n      " << s.help;
    if (s.repeated) out << " (repeatable)";
    if (s.default_value && !s.default_value->empty())
      out << " (default: " << *s.default_value << ")";
    out << "\n";
  }
  out << "  --help\n      Show this help.\n";
}

std::string Flags::Get(const std::string& name) const {
  if (auto it = values_.find(name); it != values_.end()) return it->second;
  const Spec* spec = Find(name);
  return spec != nullptr && spec->default_value ? *spec->default_value : "";
}

std::vector<std::string> Flags::GetAll(const std::string& name) const {
  auto it = all_values_.find(name);
  return it == all_values_.end() ? std::vector<std::string>() : it->second;
}

bool Flags::Has(const std::string& name) const { return values_.count(name) > 0; }

base::Result<long long> Flags::GetInt(const std::string& name, long long min, long long max) const {
  std::string text = Get(name);
  long long value = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), value);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size()) {
    return base::InvalidArgument("--" + name + " must be a whole number, not '" + text + "'");
  }
  if (value < min || value > max) {
    return base::InvalidArgument("--" + name + " must be between " + std::to_string(min) + " and " +
                                 std::to_string(max) + ", not " + text);
  }
  return value;
}

std::string Flags::Arg(const std::string& name) const {
  auto it = args_.find(name);
  return it == args_.end() ? "" : it->second;
}

}  // namespace tillvaxt::cli
