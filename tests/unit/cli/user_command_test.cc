#include "engine/cli/user_command.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/auth/authenticator.h"
#include "engine/base/time.h"
#include "engine/store/sqlite/sqlite_user_store.h"

using namespace tillvaxt;

namespace {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tv-user-cli-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// Standard input replaced by `text` for the life of the object.
class StdinFrom {
 public:
  explicit StdinFrom(const std::string& text) : in_(text), saved_(std::cin.rdbuf(in_.rdbuf())) {}
  ~StdinFrom() { std::cin.rdbuf(saved_); }

 private:
  std::istringstream in_;
  std::streambuf* saved_;
};

// File descriptor 0 replaced by /dev/null for the life of the object: standard input that is not
// a terminal, whether or not the test runs from one.
class StdinFdFromDevNull {
 public:
  StdinFdFromDevNull() : saved_(::dup(STDIN_FILENO)) {
    const int null_fd = ::open("/dev/null", O_RDONLY);
    REQUIRE(saved_ >= 0);
    REQUIRE(null_fd >= 0);
    REQUIRE(::dup2(null_fd, STDIN_FILENO) == STDIN_FILENO);
    ::close(null_fd);
  }
  ~StdinFdFromDevNull() {
    ::dup2(saved_, STDIN_FILENO);
    ::close(saved_);
  }

 private:
  int saved_;
};

// Runs `tillvaxt user ...` against a data folder of its own, with the built-in configuration.
struct Cli {
  TempDir data;
  std::ostringstream out, err;
  cli::Environment env{out, err, nullptr, nullptr, nullptr};
  std::string opened_data;

  Cli() {
    env.open_user_store =
        [this](
            const cli::StoreOptions& options) -> base::Result<std::unique_ptr<store::UserStore>> {
      opened_data = options.data_dir;
      store::sqlite::SqliteUserStoreOptions o;
      o.allow_unversioned = true;  // no event store in this test
      auto users = store::sqlite::SqliteUserStore::Open(options.data_dir + "/tillvaxt.db", o);
      if (!users.ok()) return users.status();
      return std::unique_ptr<store::UserStore>(std::move(*users));
    };
  }

  int Run(std::vector<std::string> args, const std::string& stdin_text = "") {
    out.str("");
    err.str("");
    args.push_back("--data=" + data.path());
    StdinFrom in(stdin_text);
    return cli::UserCommand(args, env);
  }

  std::unique_ptr<store::UserStore> Users() { return env.open_user_store({data.path()}).value(); }
};

}  // namespace

TEST_CASE("user add creates a user who can then sign in") {
  Cli cli;
  int code =
      cli.Run({"add", "Coord.Eskilstuna", "--role", "coordinator", "--node", "eskilstuna", "--name",
               "Åsa Öberg", "--email", "asa@eskilstuna.se", "--digest", "--password-stdin"},
              "ett bra lösenord\n");
  INFO(cli.err.str());
  REQUIRE(code == 0);
  CHECK(cli.out.str() == "Added coordinator coord.eskilstuna (node eskilstuna)\n");
  CHECK(cli.opened_data == cli.data.path());

  auto users = cli.Users();
  auto user = users->GetUser("coord.eskilstuna");
  REQUIRE(user.ok());
  CHECK(user->role == domain::Role::kCoordinator);
  CHECK(user->node == "eskilstuna");
  CHECK(user->display_name == "Åsa Öberg");
  CHECK(user->digest);
  base::SystemClock clock;
  auth::Authenticator authenticator(*users, clock);
  CHECK(authenticator.Login("coord.eskilstuna", "ett bra lösenord", "").ok());
}

TEST_CASE("user add refuses a duplicate, a bad role and a missing or unknown scope") {
  Cli cli;
  REQUIRE(cli.Run({"add", "chef", "--role=manager", "--password-stdin"}, "ett bra lösenord\n") ==
          0);

  CHECK(cli.Run({"add", "chef", "--role=manager", "--password-stdin"}, "ett bra lösenord\n") == 2);
  CHECK(cli.err.str().find("user 'chef' already exists") != std::string::npos);

  CHECK(cli.Run({"add", "bo", "--role", "boss", "--password-stdin"}, "ett bra lösenord\n") == 2);
  CHECK(cli.err.str() ==
        "tillvaxt: --role must be coordinator, actor, manager or admin, not 'boss'\n");

  CHECK(cli.Run({"add", "bo", "--password-stdin"}, "ett bra lösenord\n") == 2);
  CHECK(cli.err.str().find("--role is required") != std::string::npos);

  CHECK(cli.Run({"add", "bo", "--role", "coordinator", "--password-stdin"}, "ett bra lösenord\n") ==
        2);
  CHECK(cli.err.str() == "tillvaxt: --node: a coordinator needs the node they coordinate\n");

  CHECK(cli.Run({"add", "bo", "--role", "coordinator", "--node", "malmo", "--password-stdin"},
                "ett bra lösenord\n") == 2);
  CHECK(cli.err.str() == "tillvaxt: --node: unknown node 'malmo' (not in the configuration)\n");

  CHECK(cli.Run({"add", "bo", "--role", "actor", "--password-stdin"}, "ett bra lösenord\n") == 2);
  CHECK(cli.err.str().find("tillvaxt: --actor: ") == 0);

  CHECK(cli.Run({"add", "bo", "--role", "admin", "--email", "nope", "--password-stdin"},
                "ett bra lösenord\n") == 2);
  CHECK(cli.err.str().find("tillvaxt: --email: ") == 0);

  CHECK(cli.Run({"add", "bo", "--role", "admin", "--password-stdin"}, "kort\n") == 2);
  CHECK(cli.err.str() == "tillvaxt: password: must be at least 10 characters long\n");

  CHECK(cli.Run({"add", "bo", "--role", "admin", "--password-stdin"}, "") == 2);
  CHECK(cli.err.str().find("no password on standard input") != std::string::npos);

  CHECK(cli.Run({"add", "b o", "--role", "admin", "--password-stdin"}, "ett bra lösenord\n") == 2);
  CHECK(cli.err.str().find("tillvaxt: USERNAME: ") == 0);

  // Only the first one was added.
  CHECK(cli.Users()->ListUsers()->size() == 1);
}

TEST_CASE("user add without --password-stdin refuses when stdin is not a terminal") {
  StdinFdFromDevNull not_a_terminal;
  REQUIRE_FALSE(isatty(STDIN_FILENO));
  Cli cli;
  CHECK(cli.Run({"add", "chef", "--role=manager"}) == 2);
  CHECK(cli.err.str().find("--password-stdin") != std::string::npos);
}

TEST_CASE("user list prints a table or JSON, never the hashes") {
  Cli cli;
  REQUIRE(cli.Run({"add", "actor.almi-malardalen", "--role", "actor", "--actor", "almi-malardalen",
                   "--name", "Almi \"Mälardalen\"", "--password-stdin"},
                  "ett bra lösenord\n") == 0);
  REQUIRE(cli.Run({"add", "admin", "--role", "admin", "--password-stdin"}, "ett bra lösenord\n") ==
          0);

  REQUIRE(cli.Run({"list"}) == 0);
  std::string table = cli.out.str();
  CHECK(table.find("USERNAME               ROLE   SCOPE                  NAME") == 0);
  CHECK(table.find("actor.almi-malardalen  actor  actor almi-malardalen  Almi \"Mälardalen\"") !=
        std::string::npos);
  CHECK(table.find("admin                  admin  all") != std::string::npos);
  CHECK(table.find("2 users\n") != std::string::npos);
  CHECK(table.find("argon2") == std::string::npos);

  REQUIRE(cli.Run({"list", "--format", "json"}) == 0);
  std::string json = cli.out.str();
  CHECK(json.find("\"username\": \"actor.almi-malardalen\", \"role\": \"ACTOR\"") !=
        std::string::npos);
  CHECK(json.find("\"displayName\": \"Almi \\\"Mälardalen\\\"\"") != std::string::npos);
  CHECK(json.find("argon2") == std::string::npos);
  CHECK(json.front() == '[');

  CHECK(cli.Run({"list", "--format", "xml"}) == 2);
}

TEST_CASE("user passwd and disable act on existing users only") {
  Cli cli;
  REQUIRE(cli.Run({"add", "chef", "--role=manager", "--password-stdin"}, "ett bra lösenord\n") ==
          0);
  CHECK(cli.Run({"passwd", "chef", "--password-stdin"}, "ett annat lösenord\n") == 0);
  CHECK(cli.Run({"passwd", "nobody", "--password-stdin"}, "ett annat lösenord\n") == 2);
  CHECK(cli.err.str() == "tillvaxt: no user 'nobody'\n");
  CHECK(cli.Run({"passwd", "chef", "--password-stdin"}, "kort\n") == 2);

  CHECK(cli.Run({"disable", "chef"}) == 0);
  CHECK(cli.Run({"disable", "nobody"}) == 2);
  auto users = cli.Users();
  base::SystemClock clock;
  auth::Authenticator authenticator(*users, clock);
  CHECK(authenticator.Login("chef", "ett annat lösenord", "").status().code() ==
        base::Code::kUnauthenticated);
  REQUIRE(cli.Run({"list"}) == 0);
  CHECK(cli.out.str().find("disabled") != std::string::npos);
  CHECK(cli.Run({"enable", "chef"}) == 0);
  CHECK(authenticator.Login("chef", "ett annat lösenord", "").ok());
}

TEST_CASE("user --help, subcommand help, and unknown subcommands") {
  Cli cli;
  CHECK(cli::UserCommand({}, cli.env) == 2);
  CHECK(cli::UserCommand({"--help"}, cli.env) == 0);
  CHECK(cli.out.str().find("passwd USERNAME") != std::string::npos);
  CHECK(cli.Run({"add", "--help"}) == 0);
  CHECK(cli.out.str().find("--password-stdin") != std::string::npos);
  CHECK(cli.out.str().find("--data DIR") != std::string::npos);
  CHECK(cli.Run({"frobnicate"}) == 2);
  CHECK(cli.err.str().find("unknown user command 'frobnicate'") != std::string::npos);
  CHECK(cli.Run({"list", "--bogus"}) == 2);
}

TEST_CASE("user commands fail cleanly when the build has no user store") {
  Cli cli;
  cli.env.open_user_store = nullptr;
  CHECK(cli.Run({"list"}) == 1);
  CHECK(cli.err.str() == "tillvaxt: this build of tillvaxt has no user store\n");
}
