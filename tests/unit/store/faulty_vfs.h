// A SQLite VFS for fault-injection tests: it forwards everything to the default VFS but can be
// armed to fail a chosen xWrite or xSync, as a full disk or a dying device would (SQLite sees
// SQLITE_IOERR_WRITE / SQLITE_IOERR_FSYNC). Open a store with SqliteOptions::vfs = kName.
//
// Thread-safety: arming and counting are atomic; any connection may use the VFS concurrently.
#pragma once

#include <cstdint>

namespace tillvaxt::store::testing {

class FaultyVfs {
 public:
  static constexpr const char* kName = "tv-faulty";

  // Registers the VFS once (not as the default); safe to call repeatedly.
  static void Register();

  // From now on, the `n`th write-or-sync (1 = the next one) fails; with `sticky`, every one
  // after it fails too (a device that is gone), else only that one.
  static void FailNth(int64_t n, bool sticky = false);
  static void Disarm();
  // True when a failure was injected since the last FailNth.
  static bool Fired();
  // Writes and syncs seen since Register (for choosing N).
  static int64_t Operations();
};

}  // namespace tillvaxt::store::testing
