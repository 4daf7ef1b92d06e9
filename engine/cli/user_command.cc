#include "engine/cli/user_command.h"

#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <ostream>

#include "engine/auth/authenticator.h"
#include "engine/auth/passwords.h"
#include "engine/base/time.h"
#include "engine/cli/common.h"
#include "engine/cli/flags.h"

namespace tillvaxt::cli {
namespace {

constexpr const char* kUsage =
    "Usage: tillvaxt user <command> [options]\n\n"
    "Manages the people who sign in to Tillväxt: coordinators (one node each), actor users (one\n"
    "actor organisation each), managers and administrators.\n\n"
    "Commands:\n"
    "  add USERNAME     Add a user (--role, and --node or --actor for the scope)\n"
    "  passwd USERNAME  Set a new password; ends the user's sessions\n"
    "  list             List the users (--format table|json)\n"
    "  disable USERNAME Refuse the user's sign-ins and end their sessions\n"
    "  enable USERNAME  Allow a disabled user again\n\n"
    "Run `tillvaxt user <command> --help` for a command's options.\n";

// The command-line spelling of a field an Authenticator check names.
std::string FlagOf(const std::string& field) {
  if (field == "node" || field == "actor" || field == "role" || field == "email") {
    return "--" + field;
  }
  if (field == "displayName") return "--name";
  if (field == "username") return "USERNAME";
  return field;
}

// Fail(), with a field violation's field spelled as its flag: "--node: a coordinator needs ...".
int FailNamingFlag(std::ostream& err, const base::Status& status) {
  if (status.details().size() == 1) {
    const base::FieldViolation& v = status.details()[0];
    return Fail(
        err, base::Status(status.code(), FlagOf(v.field) + ": " + v.description, status.details()));
  }
  return Fail(err, status);
}

void AddPasswordFlag(Flags& flags) {
  flags.Switch("password-stdin",
               "Read the password from standard input (one line) instead of asking on the "
               "terminal");
}

base::Result<std::unique_ptr<store::UserStore>> OpenUsers(const Flags& flags, Environment& env,
                                                          bool create) {
  if (!env.open_user_store) return base::Internal("this build of tillvaxt has no user store");
  return env.open_user_store(StoreOptions{flags.Get("data"), create, false});
}

std::string ReadLine(std::istream& in, bool* got) {
  std::string line;
  *got = static_cast<bool>(std::getline(in, line));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// One line from the terminal with echo off (restored before returning).
base::Result<std::string> Prompt(const std::string& prompt, std::ostream& err) {
  termios saved{};
  if (tcgetattr(STDIN_FILENO, &saved) != 0) {
    return base::Internal("cannot read the terminal's settings");
  }
  termios quiet = saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  quiet.c_lflag |= ECHONL;
  err << prompt << std::flush;
  if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0) {
    return base::Internal("cannot turn off the terminal's echo");
  }
  bool got = false;
  std::string line = ReadLine(std::cin, &got);
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
  if (!got) return base::InvalidArgument("no password given");
  return line;
}

// The new password: from stdin with --password-stdin, else asked twice on the terminal.
// Checked against the password policy.
base::Result<std::string> ReadNewPassword(const Flags& flags, const std::string& username,
                                          Environment& env) {
  std::string password;
  if (flags.Has("password-stdin")) {
    bool got = false;
    password = ReadLine(std::cin, &got);
    if (!got) return base::InvalidArgument("--password-stdin: no password on standard input");
  } else {
    if (isatty(STDIN_FILENO) == 0) {
      return base::InvalidArgument(
          "standard input is not a terminal: pass the password with --password-stdin");
    }
    auto first = Prompt("New password for " + username + ": ", env.err);
    if (!first.ok()) return first.status();
    TV_RETURN_IF_ERROR(auth::CheckPasswordPolicy(*first));
    auto again = Prompt("Repeat the password: ", env.err);
    if (!again.ok()) return again.status();
    if (*first != *again) return base::InvalidArgument("the two passwords differ");
    password = std::move(*first);
  }
  TV_RETURN_IF_ERROR(auth::CheckPasswordPolicy(password));
  return password;
}

const char* RoleWord(domain::Role role) {
  switch (role) {
    case domain::Role::kCoordinator:
      return "coordinator";
    case domain::Role::kActor:
      return "actor";
    case domain::Role::kManager:
      return "manager";
    case domain::Role::kAdmin:
      return "admin";
    default:
      return "?";
  }
}

int Add(const std::vector<std::string>& args, Environment& env) {
  Flags flags("user add",
              "Adds a user who signs in with a password. A coordinator works for one node\n"
              "(--node), an actor user for one actor organisation (--actor); managers and\n"
              "administrators see everything. The node or actor must be in the configuration.");
  flags.Positional("USERNAME", "Lower-case letters, digits, '.', '_', '-', '@'; at most 64");
  flags.Option("role", "coordinator|actor|manager|admin", "The user's role (required)");
  flags.Option("node", "N", "The node a coordinator works for (a node id of the configuration)");
  flags.Option("actor", "A", "The actor organisation an actor user works for (an actor id)");
  flags.Option("name", "NAME", "The name shown in the web app");
  flags.Option("email", "E", "Where notifications go");
  flags.Switch("digest", "Send notifications as a weekly digest instead of one mail per event");
  AddPasswordFlag(flags);
  AddDataFlags(flags);
  int exit = 0;
  if (!ParseOrExit(flags, args, env, &exit)) return exit;

  if (!flags.Has("role")) {
    return Fail(env.err,
                base::InvalidArgument("--role is required: coordinator, actor, manager or admin"));
  }
  std::optional<domain::Role> role = auth::ParseRole(flags.Get("role"));
  if (!role) {
    return Fail(env.err, base::InvalidArgument("--role must be coordinator, actor, manager or "
                                               "admin, not '" +
                                               flags.Get("role") + "'"));
  }
  auth::NewUser user;
  user.username = auth::NormaliseUsername(flags.Arg("USERNAME"));
  user.role = *role;
  user.node = flags.Get("node");
  user.actor = flags.Get("actor");
  user.display_name = flags.Get("name");
  user.email = flags.Get("email");
  user.digest = flags.Has("digest");

  auto config = LoadRegionConfig(flags, env.err);
  if (!config.ok()) return Fail(env.err, config.status());
  // Refuse bad input before asking for a password.
  base::Status checked = auth::Authenticator::CheckNewUser(user, &*config);
  if (!checked.ok()) return FailNamingFlag(env.err, checked);

  auto users = OpenUsers(flags, env, true);
  if (!users.ok()) return Fail(env.err, users.status());
  base::SystemClock clock;
  auth::Authenticator authenticator(**users, clock);
  auto existing = authenticator.GetUser(user.username);
  if (existing.ok()) {
    return Fail(env.err, base::FailedPrecondition("user '" + user.username +
                                                  "' already exists (change its password with "
                                                  "`tillvaxt user passwd`)"));
  }
  if (existing.status().code() != base::Code::kNotFound) return Fail(env.err, existing.status());

  auto password = ReadNewPassword(flags, user.username, env);
  if (!password.ok()) return FailNamingFlag(env.err, password.status());
  user.password = std::move(*password);
  base::Status added = authenticator.AddUser(user, &*config);
  if (!added.ok()) return FailNamingFlag(env.err, added);
  env.out << "Added " << RoleWord(user.role) << " " << user.username;
  if (!user.node.empty()) env.out << " (node " << user.node << ")";
  if (!user.actor.empty()) env.out << " (actor " << user.actor << ")";
  env.out << "\n";
  return kExitOk;
}

int Passwd(const std::vector<std::string>& args, Environment& env) {
  Flags flags("user passwd", "Sets a new password for a user and ends all of the user's sessions.");
  flags.Positional("USERNAME", "The user");
  AddPasswordFlag(flags);
  AddDataFlags(flags);
  int exit = 0;
  if (!ParseOrExit(flags, args, env, &exit)) return exit;
  auto users = OpenUsers(flags, env, false);
  if (!users.ok()) return Fail(env.err, users.status());
  base::SystemClock clock;
  auth::Authenticator authenticator(**users, clock);
  std::string username = auth::NormaliseUsername(flags.Arg("USERNAME"));
  auto existing = authenticator.GetUser(username);
  if (!existing.ok()) return Fail(env.err, existing.status());
  auto password = ReadNewPassword(flags, username, env);
  if (!password.ok()) return FailNamingFlag(env.err, password.status());
  base::Status changed = authenticator.SetPassword(username, *password);
  if (!changed.ok()) return FailNamingFlag(env.err, changed);
  env.out << "Changed the password of " << username << " and ended their sessions\n";
  return kExitOk;
}

int SetDisabled(const std::vector<std::string>& args, Environment& env, bool disabled) {
  Flags flags(disabled ? "user disable" : "user enable",
              disabled ? "Refuses the user's sign-ins and ends their sessions. The user and the\n"
                         "history of what they did stay."
                       : "Allows a disabled user to sign in again.");
  flags.Positional("USERNAME", "The user");
  AddDataFlags(flags);
  int exit = 0;
  if (!ParseOrExit(flags, args, env, &exit)) return exit;
  auto users = OpenUsers(flags, env, false);
  if (!users.ok()) return Fail(env.err, users.status());
  base::SystemClock clock;
  auth::Authenticator authenticator(**users, clock);
  std::string username = auth::NormaliseUsername(flags.Arg("USERNAME"));
  base::Status st = authenticator.SetDisabled(username, disabled);
  if (!st.ok()) return Fail(env.err, st);
  env.out << (disabled ? "Disabled " : "Enabled ") << username
          << (disabled ? " and ended their sessions\n" : "\n");
  return kExitOk;
}

// Columns line up by characters, not bytes ("Åsa" is three wide).
size_t Width(const std::string& s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

int List(const std::vector<std::string>& args, Environment& env) {
  Flags flags("user list", "Lists the users: role, scope, name, email and whether disabled.");
  flags.Option("format", "table|json", "Output format", "table");
  AddDataFlags(flags);
  int exit = 0;
  if (!ParseOrExit(flags, args, env, &exit)) return exit;
  std::string format = flags.Get("format");
  if (format != "table" && format != "json") {
    return Fail(env.err,
                base::InvalidArgument("--format must be table or json, not '" + format + "'"));
  }
  auto users = OpenUsers(flags, env, false);
  if (!users.ok()) return Fail(env.err, users.status());
  base::SystemClock clock;
  auth::Authenticator authenticator(**users, clock);
  auto all = authenticator.ListUsers();
  if (!all.ok()) return Fail(env.err, all.status());

  if (format == "json") {
    env.out << "[";
    for (size_t i = 0; i < all->size(); ++i) {
      const store::UserRecord& u = (*all)[i];
      env.out << (i == 0 ? "\n" : ",\n") << "  {\"username\": " << JsonString(u.username)
              << ", \"role\": " << JsonString(domain::RoleName(u.role))
              << ", \"node\": " << JsonString(u.node) << ", \"actor\": " << JsonString(u.actor)
              << ", \"displayName\": " << JsonString(u.display_name)
              << ", \"email\": " << JsonString(u.email)
              << ", \"disabled\": " << (u.disabled ? "true" : "false")
              << ", \"digest\": " << (u.digest ? "true" : "false")
              << ", \"createTime\": " << JsonString(base::FormatRfc3339(u.create_time)) << "}";
    }
    env.out << (all->empty() ? "]\n" : "\n]\n");
    return kExitOk;
  }

  std::vector<std::vector<std::string>> rows = {
      {"USERNAME", "ROLE", "SCOPE", "NAME", "EMAIL", "STATUS"}};
  for (const store::UserRecord& u : *all) {
    std::string scope = !u.node.empty()    ? "node " + u.node
                        : !u.actor.empty() ? "actor " + u.actor
                                           : "all";
    rows.push_back({u.username, RoleWord(u.role), scope, u.display_name, u.email,
                    u.disabled ? "disabled" : "active"});
  }
  std::vector<size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], Width(row[c]));
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(widths[c] - Width(row[c]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    env.out << line << "\n";
  }
  env.out << all->size() << (all->size() == 1 ? " user\n" : " users\n");
  return kExitOk;
}

}  // namespace

int UserCommand(const std::vector<std::string>& args, Environment& env) {
  if (args.empty()) {
    env.err << kUsage;
    return kExitBadInput;
  }
  const std::string& command = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "--help" || command == "-h" || command == "help") {
    env.out << kUsage;
    return kExitOk;
  }
  if (command == "add") return Add(rest, env);
  if (command == "passwd") return Passwd(rest, env);
  if (command == "list") return List(rest, env);
  if (command == "disable") return SetDisabled(rest, env, true);
  if (command == "enable") return SetDisabled(rest, env, false);
  env.err << "tillvaxt: unknown user command '" << command << "'\n\n" << kUsage;
  return kExitBadInput;
}

}  // namespace tillvaxt::cli
