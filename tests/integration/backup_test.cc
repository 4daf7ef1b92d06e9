// `tillvaxt backup`, `restore` and `verify` against the real binary: a backup taken while the
// server serves a write load, restored into another folder, verified and served again; and
// damaged backups (events changed, a byte flipped, cut short, not a database, no backup at all)
// refused with the reason, leaving the target as it was.
#include <sqlite3.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>

#include "tests/integration/api_harness.h"

namespace tillvaxt::apitest {
namespace {

json::object NewCaseBody(int n) {
  return {{"title", "Säkerhetskopia " + std::to_string(n) + ": ny produktionslinje"},
          {"description", "Behöver finansiering för en ny produktionslinje."},
          {"company",
           {{"name", "Kopiabolaget " + std::to_string(n) + " AB"},
            {"orgNumber", OrgNumber(static_cast<uint64_t>(n) + 9000)},
            {"municipality", "Nyköping"}}},
          {"contact", {{"name", "Kontakt " + std::to_string(n)}, {"email", "k@kopia.example"}}}};
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A backup made once (of a demo server's data, after a few writes) for the damage tests.
struct MadeBackup {
  TempDir dir;
  fs::path file;
  MadeBackup() {
    const fs::path data = dir.path() / "data";
    {
      auto server = ServerProcess::Start(data);
      server->Signal(SIGTERM);
      if (server->Wait() != 0) throw std::runtime_error("the demo server did not stop cleanly");
    }
    file = dir.path() / "demo.backup";
    auto [code, output] = RunTillvaxt({"backup", "--data", data.string(), "--to", file.string()});
    if (code != 0) throw std::runtime_error("backup failed: " + output);
  }
};

MadeBackup& Made() {
  static MadeBackup made;
  return made;
}

// A copy of the made backup (and its checksum), damaged by `damage`.
fs::path DamagedCopy(const TempDir& dir, const std::string& name,
                     const std::function<void(const fs::path&)>& damage) {
  const fs::path copy = dir.path() / name;
  fs::copy_file(Made().file, copy);
  std::string sum = ReadFile(Made().file.string() + ".sha256");
  sum = sum.substr(0, sum.find(' ')) + "  " + name + "\n";
  std::ofstream(copy.string() + ".sha256") << sum;
  damage(copy);
  return copy;
}

TEST_CASE(
    "a backup taken under a write load restores, verifies and serves every case "
    "acknowledged before it began",
    "[backup]") {
  TempDir dir;
  const fs::path data = dir.path() / "data";
  auto server = ServerProcess::Start(data);
  TokenCache tokens(server->port());
  const std::string token = tokens.Token("coord.nykoping");
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<std::string> acked;
  std::atomic<int> server_errors{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 3; ++t) {
    writers.emplace_back([&, t] {
      Api api(server->port(), token);
      for (int i = 0; !stop; ++i) {
        Reply r = api.Post("/v1/cases", NewCaseBody(t * 100000 + i));
        if (r.status == 201) {
          std::lock_guard lock(mu);
          acked.push_back(Str(r.Json(), "id"));
        } else {
          ++server_errors;
        }
      }
    });
  }
  auto count = [&] {
    std::lock_guard lock(mu);
    return acked.size();
  };
  while (count() < 40) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::vector<std::string> before;
  {
    std::lock_guard lock(mu);
    before = acked;
  }
  const fs::path file = dir.path() / "under-load.backup";
  auto [code, output] = RunTillvaxt({"backup", "--data", data.string(), "--to", file.string()});
  stop = true;
  for (auto& w : writers) w.join();
  INFO(output);
  REQUIRE(code == 0);
  CHECK(output.find("Backed up") != std::string::npos);
  CHECK(server_errors == 0);
  CHECK(fs::exists(file.string() + ".sha256"));
  CHECK_FALSE(fs::exists(file.string() + ".partial"));

  auto [vcode, verified] = RunTillvaxt({"verify", "--file", file.string()});
  INFO(verified);
  CHECK(vcode == 0);
  CHECK(verified.find("is sound (a backup; manifest and file checksum checked)") !=
        std::string::npos);

  const fs::path restored = dir.path() / "restored";
  auto [rcode, restore_out] =
      RunTillvaxt({"restore", "--from", file.string(), "--data", restored.string()});
  INFO(restore_out);
  REQUIRE(rcode == 0);
  auto [dcode, data_verified] = RunTillvaxt({"verify", "--data", restored.string()});
  INFO(data_verified);
  CHECK(dcode == 0);

  auto again = ServerProcess::Start(restored);
  Api manager(again->port(), TokenCache(again->port()).Token("manager"));
  for (const std::string& id : before) {
    INFO(id);
    CHECK(manager.Get("/v1/cases/" + id).status == 200);
  }
  again->Signal(SIGTERM);
  CHECK(again->Wait() == 0);
  server->Signal(SIGTERM);
  CHECK(server->Wait() == 0);
}

TEST_CASE(
    "damaged backups are refused with the reason by verify and restore, and the target "
    "is left as it was",
    "[backup]") {
  TempDir dir;
  struct Damage {
    std::string name;
    std::function<void(const fs::path&)> damage;
    std::string reason;
  };
  auto flip = [](const fs::path& p, size_t at) {
    std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(at));
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x5a);
    f.seekp(static_cast<std::streamoff>(at));
    f.write(&c, 1);
  };
  const size_t size = fs::file_size(Made().file);
  const std::vector<Damage> damages = {
      {"flipped-byte.backup", [&](const fs::path& p) { flip(p, size / 2); },
       "changed or damaged since the backup"},
      {"cut-short.backup", [&](const fs::path& p) { fs::resize_file(p, size / 3); },
       "not a readable SQLite database"},
      {"not-sqlite.backup",
       [](const fs::path& p) { std::ofstream(p, std::ios::trunc) << "hello, not a database"; },
       "not a readable SQLite database"},
      // Without its checksum file, the manifest still catches changed events: here an event's
      // author, which decodes as well as before.
      {"events-changed.backup",
       [](const fs::path& p) {
         fs::remove(p.string() + ".sha256");
         sqlite3* db = nullptr;
         REQUIRE(sqlite3_open(p.c_str(), &db) == SQLITE_OK);
         REQUIRE(sqlite3_exec(db, "UPDATE events SET user = 'mallory' WHERE position = 3", nullptr,
                              nullptr, nullptr) == SQLITE_OK);
         sqlite3_close(db);
       },
       "the events were changed"},
  };
  const fs::path target = dir.path() / "target";
  fs::create_directories(target);
  // A target that holds a database already (the made backup restored there).
  REQUIRE(
      RunTillvaxt({"restore", "--from", Made().file.string(), "--data", target.string()}).first ==
      0);
  const std::string target_before = ReadFile(target / "tillvaxt.db");
  for (const Damage& d : damages) {
    DYNAMIC_SECTION(d.name) {
      const fs::path copy = DamagedCopy(dir, d.name, d.damage);
      auto [vcode, verified] = RunTillvaxt({"verify", "--file", copy.string()});
      INFO(verified);
      CHECK(vcode == 1);
      CHECK(verified.find("is damaged") != std::string::npos);
      CHECK(verified.find(d.reason) != std::string::npos);
      auto [rcode, restored] =
          RunTillvaxt({"restore", "--from", copy.string(), "--data", target.string(), "--replace"});
      INFO(restored);
      CHECK(rcode == 1);
      CHECK(restored.find("nothing was changed") != std::string::npos);
      CHECK(restored.find(d.reason) != std::string::npos);
      CHECK(ReadFile(target / "tillvaxt.db") == target_before);
      CHECK_FALSE(fs::exists(target / "tillvaxt.db.restoring"));
    }
  }
}

TEST_CASE("backup, restore and verify refuse bad input naming it", "[backup]") {
  TempDir dir;
  const std::string missing = (dir.path() / "nowhere").string();
  auto [c1, o1] = RunTillvaxt({"backup", "--data", missing, "--to", (dir.path() / "x").string()});
  CHECK(c1 == 2);
  CHECK(o1.find("no database at " + missing) != std::string::npos);
  auto [c2, o2] = RunTillvaxt({"backup", "--data", missing});
  CHECK(c2 == 2);
  CHECK(o2.find("--to FILE is required") != std::string::npos);
  auto [c3, o3] =
      RunTillvaxt({"backup", "--data", fs::path(Made().file).parent_path().string() + "/data",
                   "--to", Made().file.string()});
  CHECK(c3 == 2);
  CHECK(o3.find("already exists") != std::string::npos);
  auto [c4, o4] = RunTillvaxt({"verify"});
  CHECK(c4 == 2);
  CHECK(o4.find("give either --data DIR or --file FILE") != std::string::npos);
  auto [c5, o5] = RunTillvaxt({"verify", "--file", missing});
  CHECK(c5 == 2);
  CHECK(o5.find("no database file " + missing) != std::string::npos);
  auto [c6, o6] = RunTillvaxt({"restore", "--data", missing});
  CHECK(c6 == 2);
  CHECK(o6.find("--from FILE is required") != std::string::npos);
  // A data folder's database is no backup: restoring it is refused.
  const fs::path target = dir.path() / "t";
  auto [c7, o7] = RunTillvaxt(
      {"restore", "--from", (fs::path(Made().file).parent_path() / "data" / "tillvaxt.db").string(),
       "--data", target.string()});
  CHECK(c7 == 2);
  CHECK(o7.find("not a backup") != std::string::npos);
  // A target that holds a database is replaced only with --replace.
  REQUIRE(
      RunTillvaxt({"restore", "--from", Made().file.string(), "--data", target.string()}).first ==
      0);
  auto [c8, o8] =
      RunTillvaxt({"restore", "--from", Made().file.string(), "--data", target.string()});
  CHECK(c8 == 2);
  CHECK(o8.find("pass --replace") != std::string::npos);
  CHECK(RunTillvaxt(
            {"restore", "--from", Made().file.string(), "--data", target.string(), "--replace"})
            .first == 0);
}

}  // namespace
}  // namespace tillvaxt::apitest
