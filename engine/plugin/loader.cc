#include "engine/plugin/loader.h"

#include <dlfcn.h>

#include <cstring>
#include <filesystem>

namespace tillvaxt::plugin {
namespace {

base::Status Refuse(const std::string& path, const std::string& why) {
  return base::FailedPrecondition("plugin " + path + ": " + why);
}

}  // namespace

base::Result<std::unique_ptr<PluginLibrary>> PluginLibrary::Open(const std::string& path,
                                                                  const std::string& expected_kind) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Refuse(path, "no such file");
  if (!std::filesystem::is_regular_file(path, ec)) return Refuse(path, "not a regular file");
  // RTLD_LOCAL: two plugins may define the same symbols without meeting each other.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* err = dlerror();
    return Refuse(path, std::string("cannot load it as a shared object (") +
                            (err ? err : "unknown error") + ")");
  }
  dlerror();  // clear
  void* symbol = dlsym(handle, TV_PLUGIN_ENTRY_SYMBOL);
  if (symbol == nullptr) {
    dlclose(handle);
    return Refuse(path, "not a Tillväxt plugin: it exports no " TV_PLUGIN_ENTRY_SYMBOL " function");
  }
  // POSIX guarantees that a data pointer from dlsym converts to a function pointer.
  tv_plugin_entry_fn entry;
  static_assert(sizeof entry == sizeof symbol);
  std::memcpy(&entry, &symbol, sizeof entry);
  const tv_plugin_v1* table = entry(TV_PLUGIN_ABI_VERSION);
  auto fail = [&](const std::string& why) {
    dlclose(handle);
    return Refuse(path, why);
  };
  if (table == nullptr) {
    return fail("the plugin does not support the engine's plugin ABI version " +
                std::to_string(TV_PLUGIN_ABI_VERSION));
  }
  if (table->abi_version != TV_PLUGIN_ABI_VERSION) {
    return fail("wrong plugin ABI version " + std::to_string(table->abi_version) +
                " (this engine speaks version " + std::to_string(TV_PLUGIN_ABI_VERSION) + ")");
  }
  std::string kind = table->kind ? table->kind : "";
  std::string name = table->name ? table->name : "";
  if (name.empty()) return fail("the plugin has no name");
  if (kind != TV_PLUGIN_KIND_NOTIFIER && kind != TV_PLUGIN_KIND_MATCHER) {
    return fail("unknown plugin kind '" + kind + "' (known: notifier, matcher)");
  }
  if (!expected_kind.empty() && kind != expected_kind) {
    return fail("it is a " + kind + " plugin, but the configuration lists it as " + expected_kind);
  }
  if (kind == TV_PLUGIN_KIND_MATCHER) {
    return fail("matcher plugins are not supported yet by ABI version 1 engines");
  }
  if (table->create == nullptr || table->destroy == nullptr || table->on_notification == nullptr) {
    return fail("the notifier table lacks create, on_notification or destroy");
  }
  return std::unique_ptr<PluginLibrary>(new PluginLibrary(path, handle, table));
}

PluginLibrary::~PluginLibrary() {
  if (!leaked_ && handle_ != nullptr) dlclose(handle_);
}

}  // namespace tillvaxt::plugin
