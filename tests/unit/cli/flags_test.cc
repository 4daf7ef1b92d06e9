#include "engine/cli/flags.h"

#include <catch2/catch.hpp>
#include <sstream>

using tillvaxt::cli::Flags;

namespace {
Flags MakeFlags() {
  Flags f("seed", "Seeds.");
  f.Option("cases", "N", "How many", "1000");
  f.Option("data", "DIR", "Folder");
  f.Switch("demo", "Demo users");
  f.Positional("FILE", "A file", false);
  return f;
}
}  // namespace

TEST_CASE("Flags parse options, switches and positionals") {
  Flags f = MakeFlags();
  REQUIRE(f.Parse({"--cases", "20", "--data=/tmp/x", "--demo", "a.textproto"}).ok());
  CHECK(f.Get("cases") == "20");
  CHECK(f.Get("data") == "/tmp/x");
  CHECK(f.Has("demo"));
  CHECK(f.Arg("FILE") == "a.textproto");
  auto n = f.GetInt("cases", 0, 100);
  REQUIRE(n.ok());
  CHECK(*n == 20);
}

TEST_CASE("Flags collect every value of a repeated option, in order") {
  Flags f = MakeFlags();
  f.Repeated("trusted-proxy", "CIDR", "A proxy");
  REQUIRE(f.Parse({"--trusted-proxy", "10.0.0.0/8", "--trusted-proxy=::1", "--cases", "3"}).ok());
  CHECK(f.GetAll("trusted-proxy") == std::vector<std::string>{"10.0.0.0/8", "::1"});
  CHECK(f.Has("trusted-proxy"));
  CHECK(f.GetAll("cases") == std::vector<std::string>{"3"});
  Flags none = MakeFlags();
  none.Repeated("trusted-proxy", "CIDR", "A proxy");
  REQUIRE(none.Parse({}).ok());
  CHECK(none.GetAll("trusted-proxy").empty());
  CHECK_FALSE(none.Has("trusted-proxy"));
  std::ostringstream help;
  none.PrintHelp(help);
  CHECK(help.str().find("--trusted-proxy CIDR\n      A proxy (repeatable)") != std::string::npos);
}

TEST_CASE("Flags fall back to defaults") {
  Flags f = MakeFlags();
  REQUIRE(f.Parse({}).ok());
  CHECK(f.Get("cases") == "1000");
  CHECK_FALSE(f.Has("demo"));
  CHECK(f.Get("data").empty());
}

TEST_CASE("Bad flags are rejected with a message naming them") {
  {
    Flags f = MakeFlags();
    auto st = f.Parse({"--casez", "3"});
    CHECK(st.message().find("unknown flag --casez") != std::string::npos);
  }
  {
    Flags f = MakeFlags();
    auto st = f.Parse({"--cases"});
    CHECK(st.message().find("--cases needs a value") != std::string::npos);
  }
  {
    Flags f = MakeFlags();
    auto st = f.Parse({"--demo=yes"});
    CHECK(st.message().find("--demo takes no value") != std::string::npos);
  }
  {
    Flags f = MakeFlags();
    auto st = f.Parse({"a", "b"});
    CHECK(st.message().find("unexpected argument 'b'") != std::string::npos);
  }
  {
    Flags f = MakeFlags();
    REQUIRE(f.Parse({"--cases", "lots"}).ok());
    auto n = f.GetInt("cases", 0, 100);
    CHECK(n.status().message().find("--cases must be a whole number") != std::string::npos);
    REQUIRE(f.Parse({"--cases", "500"}).ok());
    CHECK(f.GetInt("cases", 0, 100).status().message().find("between 0 and 100") !=
          std::string::npos);
  }
}

TEST_CASE("--help is noticed and help lists every option") {
  Flags f = MakeFlags();
  REQUIRE(f.Parse({"--help"}).ok());
  CHECK(f.help_requested());
  std::ostringstream out;
  f.PrintHelp(out);
  CHECK(out.str().find("--cases N") != std::string::npos);
  CHECK(out.str().find("default: 1000") != std::string::npos);
  CHECK(out.str().find("--demo") != std::string::npos);
}
