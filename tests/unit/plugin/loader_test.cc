#include "engine/plugin/loader.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "engine/plugin/notifier_host.h"

using namespace tillvaxt;
using plugin::PluginLibrary;

namespace {

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

std::string TempFile(const std::string& name, const std::string& content) {
  auto path = std::filesystem::temp_directory_path() /
              ("tv_loader_" + std::to_string(::getpid()) + "_" + name);
  std::ofstream(path) << content;
  return path.string();
}

}  // namespace

TEST_CASE("A missing plugin file is refused, naming the file") {
  auto r = PluginLibrary::Open("/nonexistent/libtillvaxt_notifier_nothing.so");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == base::Code::kFailedPrecondition);
  CHECK(r.status().message() ==
        "plugin /nonexistent/libtillvaxt_notifier_nothing.so: no such file");
}

TEST_CASE("A shared object without the entry function is not a plugin") {
  auto r = PluginLibrary::Open(TV_NOT_A_PLUGIN);
  REQUIRE_FALSE(r.ok());
  CHECK(Contains(r.status().message(), std::string("plugin ") + TV_NOT_A_PLUGIN + ": "));
  CHECK(Contains(r.status().message(),
                 "not a Tillväxt plugin: it exports no tillvaxt_plugin_entry function"));
}

TEST_CASE("A file that is no shared object at all is refused with the loader's reason") {
  std::string path = TempFile("text.so", "this is not ELF\n");
  auto r = PluginLibrary::Open(path);
  std::filesystem::remove(path);
  REQUIRE_FALSE(r.ok());
  CHECK(Contains(r.status().message(), "plugin " + path + ": cannot load it as a shared object ("));
}

TEST_CASE("A plugin of another ABI version is refused with both versions named") {
  auto r = PluginLibrary::Open(TV_WRONG_ABI_PLUGIN);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message() == std::string("plugin ") + TV_WRONG_ABI_PLUGIN +
                                    ": wrong plugin ABI version 99 (this engine speaks version 1)");
}

TEST_CASE("A plugin that does not serve the engine's ABI version is refused") {
  auto r = PluginLibrary::Open(TV_REFUSES_HOST_PLUGIN);
  REQUIRE_FALSE(r.ok());
  CHECK(Contains(r.status().message(),
                 "the plugin does not support the engine's plugin ABI version 1"));
}

TEST_CASE("The shipped notifiers load and say what they are") {
  for (const char* path : {TV_EMAIL_PLUGIN, TV_WEBHOOK_PLUGIN}) {
    auto r = PluginLibrary::Open(path, "notifier");
    REQUIRE(r.ok());
    CHECK((*r)->kind() == "notifier");
    CHECK((*r)->table().abi_version == TV_PLUGIN_ABI_VERSION);
    CHECK((*r)->table().score == nullptr);
  }
  CHECK((*PluginLibrary::Open(TV_EMAIL_PLUGIN))->name() == "email");
  CHECK((*PluginLibrary::Open(TV_WEBHOOK_PLUGIN))->name() == "webhook");
  auto wrong_kind = PluginLibrary::Open(TV_EMAIL_PLUGIN, "matcher");
  REQUIRE_FALSE(wrong_kind.ok());
  CHECK(Contains(wrong_kind.status().message(),
                 "it is a notifier plugin, but the configuration lists it as matcher"));
}

TEST_CASE("Plugin paths are relative to the configuration file's folder") {
  CHECK(plugin::ResolvePluginPath("plugins/libx.so", "/etc/tillvaxt") ==
        "/etc/tillvaxt/plugins/libx.so");
  CHECK(plugin::ResolvePluginPath("../lib/libx.so", "/etc/tillvaxt") == "/etc/lib/libx.so");
  CHECK(plugin::ResolvePluginPath("/usr/lib/libx.so", "/etc/tillvaxt") == "/usr/lib/libx.so");
  CHECK(plugin::ResolvePluginPath("libx.so", "") == "libx.so");
}

TEST_CASE("Loading the configuration's plugins fails on the first bad one, naming it") {
  domain::Config config;
  std::filesystem::path email(TV_EMAIL_PLUGIN);
  config.plugins.push_back({"notifier", email.filename().string(),
                            {{"host", "127.0.0.1"}, {"from", "tillvaxt@example.se"}}});
  auto ok = plugin::PluginSet::Load(config, email.parent_path().string());
  REQUIRE(ok.ok());
  REQUIRE((*ok)->notifiers().size() == 1);
  CHECK((*ok)->notifiers()[0]->name() == "email");
  CHECK((*ok)->notifiers()[0]->path() == email.string());
  CHECK(Contains((*ok)->RenderMetrics(),
                 "tillvaxt_plugin_calls_total{plugin=\"email\",outcome=\"ok\"} 0\n"));

  config.plugins.push_back({"notifier", TV_WRONG_ABI_PLUGIN, {}});
  auto bad = plugin::PluginSet::Load(config, email.parent_path().string());
  REQUIRE_FALSE(bad.ok());
  CHECK(Contains(bad.status().message(), TV_WRONG_ABI_PLUGIN));

  // check-config reports every problem, settings included.
  config.plugins.push_back({"notifier", TV_EMAIL_PLUGIN, {{"from", "tillvaxt@example.se"}}});
  config.plugins.push_back({"notifier", "/nonexistent/x.so", {}});
  auto problems = plugin::CheckPlugins(config, email.parent_path().string());
  REQUIRE(problems.size() == 3);
  CHECK(Contains(problems[0], "wrong plugin ABI version 99"));
  CHECK(problems[1] == std::string("plugin ") + TV_EMAIL_PLUGIN +
                           ": the email notifier refused its settings: setting 'host' (the SMTP "
                           "server) is required");
  CHECK(problems[2] == "plugin /nonexistent/x.so: no such file");
}
