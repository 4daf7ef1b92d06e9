// Loading plugin shared objects: dlopen, the entry symbol, the ABI version check.
//
// A PluginLibrary owns one dlopen handle and the plugin's callback table (plugins/abi). Open
// refuses, with a message naming the file and why: a missing file, a file dlopen cannot load,
// a shared object without the tillvaxt_plugin_entry symbol ("not a Tillväxt plugin"), an entry
// that refuses the engine's ABI version, a table of another ABI version, an unknown kind or a
// missing callback. Nothing of the plugin runs before these checks but the entry function.
//
// Thread-safety: Open may be called from any thread; a PluginLibrary is immutable after Open.
// The handle is closed in the destructor, so every instance made from the table must be
// destroyed before the library (NotifierHost keeps its library alive).
#pragma once

#include <memory>
#include <string>

#include "engine/base/status.h"
#include "plugins/abi/tillvaxt_plugin.h"

namespace tillvaxt::plugin {

class PluginLibrary {
 public:
  // `path` as given (absolute, or relative to the working directory). `expected_kind`, when not
  // empty, must equal the table's kind (the configuration's `kind`).
  static base::Result<std::unique_ptr<PluginLibrary>> Open(const std::string& path,
                                                           const std::string& expected_kind = "");
  ~PluginLibrary();
  PluginLibrary(const PluginLibrary&) = delete;
  PluginLibrary& operator=(const PluginLibrary&) = delete;

  const std::string& path() const { return path_; }
  const tv_plugin_v1& table() const { return *table_; }
  std::string name() const { return table_->name ? table_->name : ""; }
  std::string kind() const { return table_->kind ? table_->kind : ""; }

  // Keeps the shared object loaded for the life of the process (a plugin stuck in a call at
  // shutdown cannot be unloaded safely).
  void Leak() { leaked_ = true; }

 private:
  PluginLibrary(std::string path, void* handle, const tv_plugin_v1* table)
      : path_(std::move(path)), handle_(handle), table_(table) {}
  std::string path_;
  void* handle_;
  const tv_plugin_v1* table_;
  bool leaked_ = false;
};

}  // namespace tillvaxt::plugin
