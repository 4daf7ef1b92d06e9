/* The Tillväxt plugin ABI, version 1: the only header a plugin includes from this project.
 *
 * A plugin is a shared object that exports one C function, tillvaxt_plugin_entry. The engine
 * dlopen()s the file, looks the symbol up, calls it with the ABI version the engine speaks and
 * gets back a table of callbacks (struct tv_plugin_v1). A table whose abi_version differs from
 * the engine's is refused, with a message naming the file, before any other callback is called.
 *
 * Kinds:
 *   "notifier"  receives each notification (JSON, see docs/PLUGINS.md) through on_notification.
 *   "matcher"   reserved for a later version (scoring a case against an actor or offer); the
 *               engine of ABI version 1 refuses to load it.
 *
 * Ownership, in one rule: whoever allocates frees. Everything the engine passes in is owned by
 * the engine and valid only for the duration of the call; the plugin copies what it keeps.
 * Everything the plugin hands out (the table, its strings, instances) is owned by the plugin.
 *
 * Threads: the engine calls create, on_notification and destroy for one instance from one
 * thread at a time (each instance has its own worker thread), never concurrently. A plugin that
 * starts threads of its own must stop them in destroy. The host callbacks may be called from
 * any thread, concurrently, between create and the return of destroy.
 *
 * Pure C (C99 and C++ alike); no structure here ever changes size or layout within a version.
 */
#ifndef TILLVAXT_PLUGIN_H_
#define TILLVAXT_PLUGIN_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI version this header describes. Bumped on any incompatible change. */
#define TV_PLUGIN_ABI_VERSION 1u

/* The name of the exported entry function, for dlsym. */
#define TV_PLUGIN_ENTRY_SYMBOL "tillvaxt_plugin_entry"

#define TV_PLUGIN_KIND_NOTIFIER "notifier"
#define TV_PLUGIN_KIND_MATCHER "matcher"

/* Return values of on_notification. Anything other than TV_OK counts as a failed call. */
#define TV_OK 0
#define TV_ERR_INVALID 1     /* the input could not be used; retrying will not help */
#define TV_ERR_UNAVAILABLE 2 /* the destination failed or timed out; the plugin gave up */
#define TV_ERR_INTERNAL 3    /* anything else */

/* Levels for tv_host_v1.log. */
#define TV_LOG_DEBUG 0
#define TV_LOG_INFO 1
#define TV_LOG_WARNING 2
#define TV_LOG_ERROR 3

/* What the engine offers a plugin instance. The structure and `ctx` are owned by the engine
 * and stay valid from create until destroy returns; the plugin may keep the pointer. */
struct tv_host_v1 {
  void* ctx; /* opaque; pass back to the callbacks */
  /* Writes one line to the engine's log, prefixed with the plugin's name. `message` is
   * owned by the caller (the plugin), NUL-terminated UTF-8, and only read during the call.
   * Thread-safe. */
  void (*log)(void* ctx, int level, const char* message);
};

/* The callback table. Owned by the plugin (normally a static constant); it must stay valid
 * until the shared object is unloaded. */
struct tv_plugin_v1 {
  uint32_t abi_version; /* must be TV_PLUGIN_ABI_VERSION */
  const char* kind;     /* TV_PLUGIN_KIND_NOTIFIER or TV_PLUGIN_KIND_MATCHER; plugin-owned */
  const char* name;     /* short name for logs and metrics, e.g. "email"; plugin-owned */

  /* Makes an instance from the settings of the configuration's `plugins { settings {...} }`.
   *   keys, values: `count` NUL-terminated UTF-8 strings each; the arrays and strings are
   *                 owned by the engine and valid only during the call (copy what you keep).
   *   host:         engine-owned; valid until destroy returns (see tv_host_v1).
   *   error, error_size: an engine-owned buffer; on failure write a NUL-terminated reason
   *                 (at most error_size bytes including the NUL).
   * Returns a plugin-owned instance, or NULL on failure (bad settings), which makes the engine
   * refuse to start. The instance is freed only by destroy. */
  void* (*create)(const char* const* keys, const char* const* values, size_t count,
                  const struct tv_host_v1* host, char* error, size_t error_size);

  /* Notifier only (NULL for other kinds): delivers one notification.
   *   instance: from create (plugin-owned).
   *   json, len: the notification as UTF-8 JSON, `len` bytes (also NUL-terminated); owned by
   *              the engine and valid only during the call.
   * Returns TV_OK or an error code. May block (network I/O); the engine bounds the call time
   * by logging and counting calls over its limit, and queues the next notifications meanwhile. */
  int (*on_notification)(void* instance, const char* json, size_t len);

  /* Matcher only (reserved; NULL in notifiers and not called by ABI version 1 engines). */
  int (*score)(void* instance, const char* case_json, size_t case_len, const char* target_json,
               size_t target_len, double* out_score);

  /* Frees the instance (plugin-owned) and everything it holds. Called once, after the last
   * on_notification has returned. */
  void (*destroy)(void* instance);
};

/* The function every plugin exports under TV_PLUGIN_ENTRY_SYMBOL.
 *   host_abi_version: the version the engine speaks.
 * Returns the plugin's table (plugin-owned, static lifetime), or NULL when the plugin cannot
 * serve that host version. Must not allocate, start threads or do I/O. */
typedef const struct tv_plugin_v1* (*tv_plugin_entry_fn)(uint32_t host_abi_version);

#if defined(__GNUC__)
#define TV_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define TV_PLUGIN_EXPORT
#endif

/* The declaration a plugin defines (the engine only looks it up with dlsym). */
TV_PLUGIN_EXPORT const struct tv_plugin_v1* tillvaxt_plugin_entry(uint32_t host_abi_version);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TILLVAXT_PLUGIN_H_ */
