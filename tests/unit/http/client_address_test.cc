#include "engine/http/client_address.h"

#include <catch2/catch.hpp>

using tillvaxt::base::CidrSet;
using tillvaxt::http::Headers;
using tillvaxt::http::ResolveClient;

namespace {

CidrSet Trusted(std::initializer_list<const char*> ranges) {
  CidrSet set;
  for (const char* r : ranges) REQUIRE(set.Add(r).ok());
  return set;
}

Headers Forwarded(std::initializer_list<const char*> values, const char* proto = nullptr) {
  Headers h;
  for (const char* v : values) h.Add("X-Forwarded-For", v);
  if (proto != nullptr) h.Add("X-Forwarded-Proto", proto);
  return h;
}

}  // namespace

TEST_CASE("Without trusted proxies X-Forwarded-For and -Proto are never read") {
  auto info = ResolveClient("127.0.0.1", false, Forwarded({"203.0.113.9"}, "https"), CidrSet());
  CHECK(info.address == "127.0.0.1");
  CHECK(info.scheme == "http");
  CHECK(ResolveClient("127.0.0.1", true, Headers(), CidrSet()).scheme == "https");
  CHECK(ResolveClient("::ffff:127.0.0.1", false, Headers(), CidrSet()).address == "127.0.0.1");
}

TEST_CASE("A peer that is no trusted proxy is the client whatever it forwards") {
  CidrSet trusted = Trusted({"10.0.0.0/8"});
  auto info = ResolveClient("192.0.2.5", false, Forwarded({"203.0.113.9"}, "https"), trusted);
  CHECK(info.address == "192.0.2.5");
  CHECK(info.scheme == "http");
}

TEST_CASE("Behind trusted proxies the client is the rightmost untrusted X-Forwarded-For entry") {
  CidrSet trusted = Trusted({"10.0.0.0/8", "2001:db8:ffff::/48"});
  // The client made up the first entry; the proxy appended the address it saw.
  CHECK(
      ResolveClient("10.0.0.2", false, Forwarded({"198.51.100.1, 203.0.113.9"}), trusted).address ==
      "203.0.113.9");
  // Two proxies; repeated fields are one list.
  CHECK(ResolveClient("10.0.0.2", false, Forwarded({"198.51.100.1", "203.0.113.9, 10.1.1.1"}),
                      trusted)
            .address == "203.0.113.9");
  CHECK(ResolveClient("10.0.0.2", false, Forwarded({"[2001:db8::7]:4711"}), trusted).address ==
        "2001:db8::7");
  CHECK(ResolveClient("10.0.0.2", false, Forwarded({"203.0.113.9:4711"}), trusted).address ==
        "203.0.113.9");
  // Only proxies: the leftmost one is the client.
  CHECK(ResolveClient("10.0.0.2", false, Forwarded({"10.9.9.9, 10.1.1.1"}), trusted).address ==
        "10.9.9.9");
  // No header: the proxy itself.
  CHECK(ResolveClient("10.0.0.2", false, Headers(), trusted).address == "10.0.0.2");
  // Junk ends the walk at the last trusted hop, so a client cannot pick its own key.
  CHECK(ResolveClient("10.0.0.2", false, Forwarded({"whatever, 10.1.1.1"}), trusted).address ==
        "10.1.1.1");
  CHECK(ResolveClient("10.0.0.2", false, Forwarded({"unknown"}), trusted).address == "10.0.0.2");
  CHECK(ResolveClient("10.0.0.2", false, Forwarded({""}), trusted).address == "10.0.0.2");
}

TEST_CASE("A trusted proxy's X-Forwarded-Proto counts when it is one http or https") {
  CidrSet trusted = Trusted({"127.0.0.1"});
  CHECK(ResolveClient("127.0.0.1", false, Forwarded({}, "https"), trusted).scheme == "https");
  CHECK(ResolveClient("127.0.0.1", false, Forwarded({}, "HTTPS"), trusted).scheme == "https");
  CHECK(ResolveClient("127.0.0.1", false, Forwarded({}, "http"), trusted).scheme == "http");
  CHECK(ResolveClient("127.0.0.1", false, Forwarded({}, "https, http"), trusted).scheme == "http");
  CHECK(ResolveClient("127.0.0.1", false, Forwarded({}), trusted).scheme == "http");
  CHECK(ResolveClient("127.0.0.1", true, Forwarded({}, "http"), trusted).scheme == "https");
}
