// The v1 API as `tillvaxt serve` wires it (engine/app/serve.cc: case, offer, statistics and
// to-do services, the authenticator, the device cookies, the route table and the dispatcher),
// over the in-memory store with the Sörmland configuration, a fixed FakeClock and 20 seeded
// demo cases, for the HTTP fuzzer. No socket, no threads of its own: a request goes straight to
// http::Dispatcher::Handle, as the session hands it over.
//
// Four signed-in users have sessions with fixed tokens (so an input may also name one itself),
// made again before every input, so an input that logs out does not sign the next one out.
// Every kResetEvery inputs the store and the services are built afresh, so the cases that
// inputs create do not pile up and slow the run down; users and sessions are kept.
//
// Not wired: the event hub (GET /v1/stream answers 503, as before the hub starts), the SLA
// scheduler and notifier plugins (they run on their own threads, not on a request).
//
// Thread-safety: one thread (libFuzzer calls the target from one).
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "engine/http/request.h"
#include "engine/http/response.h"

namespace tillvaxt::fuzz {

struct FuzzUser {
  std::string_view username;
  std::string_view token;  // the session token of the user's session (43 base64url characters)
};

// The users the first byte of an HTTP fuzz input picks from (http_request_fuzzer.cc).
inline constexpr std::array<FuzzUser, 4> kFuzzUsers = {{
    {"coord.eskilstuna", "fuzzCoordinatorToken0000000000000000000000a"},
    {"actor.malardalens-universitet", "fuzzActorToken00000000000000000000000000000"},
    {"manager", "fuzzManagerToken000000000000000000000000000"},
    {"admin", "fuzzAdminToken00000000000000000000000000000"},
}};
inline constexpr std::string_view kFuzzPassword = "fuzz-password-1234";

class ApiWorld {
 public:
  static constexpr int kResetEvery = 4096;

  // Loads the configuration from the source tree (TV_SOURCE_DIR) and builds everything; aborts
  // with a message when that fails (a broken harness, not a finding).
  ApiWorld();
  ~ApiWorld();
  ApiWorld(const ApiWorld&) = delete;
  ApiWorld& operator=(const ApiWorld&) = delete;

  // Call before each input: restores the sessions and, every kResetEvery calls, the store.
  void BeginInput();

  // The dispatcher's answer, as the session gets it from a worker thread.
  http::Response Handle(http::Request& request);

 private:
  struct Services;
  void Build();

  struct Fixed;
  std::unique_ptr<Fixed> fixed_;        // configuration, clock, users, authenticator
  std::unique_ptr<Services> services_;  // store, services, routes; rebuilt by Build
  int inputs_ = 0;
};

}  // namespace tillvaxt::fuzz
