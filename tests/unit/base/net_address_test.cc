#include "engine/base/net_address.h"

#include <catch2/catch.hpp>

using tillvaxt::base::AddressKey;
using tillvaxt::base::CidrSet;
using tillvaxt::base::Code;
using tillvaxt::base::ParseIp;
using tillvaxt::base::ParseIpMaybeWithPort;

TEST_CASE("ParseIp reads IPv4 and IPv6, with brackets, and maps ::ffff:a.b.c.d to IPv4") {
  CHECK(ParseIp("192.0.2.1")->ToString() == "192.0.2.1");
  CHECK_FALSE(ParseIp("192.0.2.1")->v6);
  CHECK(ParseIp("2001:db8::1")->ToString() == "2001:db8::1");
  CHECK(ParseIp("[2001:db8::1]")->v6);
  CHECK(ParseIp("::ffff:192.0.2.1")->ToString() == "192.0.2.1");
  CHECK_FALSE(ParseIp("::ffff:192.0.2.1")->v6);
  for (const char* bad : {"", "localhost", "192.0.2", "192.0.2.256", "192.0.2.1:80", "1.2.3.4 ",
                          " 1.2.3.4", "fe80::1%eth0", "[::1", "unknown"}) {
    INFO(bad);
    CHECK_FALSE(ParseIp(bad));
  }
}

TEST_CASE("ParseIpMaybeWithPort also takes a port") {
  CHECK(ParseIpMaybeWithPort("192.0.2.1:5050")->ToString() == "192.0.2.1");
  CHECK(ParseIpMaybeWithPort("[2001:db8::1]:5050")->ToString() == "2001:db8::1");
  CHECK(ParseIpMaybeWithPort("2001:db8::1")->ToString() == "2001:db8::1");
  CHECK_FALSE(ParseIpMaybeWithPort("192.0.2.1:"));
  CHECK_FALSE(ParseIpMaybeWithPort("192.0.2.1:http"));
  CHECK_FALSE(ParseIpMaybeWithPort("[192.0.2.1]:80"));
}

TEST_CASE("AddressKey is the IPv4 address or the IPv6 /64") {
  CHECK(AddressKey(*ParseIp("192.0.2.1")) == "192.0.2.1");
  CHECK(AddressKey(*ParseIp("2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::/64");
  CHECK(AddressKey(*ParseIp("::ffff:10.0.0.1")) == "10.0.0.1");
}

TEST_CASE("CidrSet holds ranges and hosts and says what is wrong with a bad one") {
  CidrSet set;
  REQUIRE(set.Add("10.0.0.0/8").ok());
  REQUIRE(set.Add("192.0.2.7").ok());
  REQUIRE(set.Add("2001:db8::/32").ok());
  REQUIRE(set.Add("::ffff:172.16.0.0/108").ok());  // 172.16.0.0/12
  CHECK(set.Contains(*ParseIp("10.255.1.2")));
  CHECK_FALSE(set.Contains(*ParseIp("11.0.0.1")));
  CHECK(set.Contains(*ParseIp("192.0.2.7")));
  CHECK_FALSE(set.Contains(*ParseIp("192.0.2.8")));
  CHECK(set.Contains(*ParseIp("2001:db8:ffff::1")));
  CHECK_FALSE(set.Contains(*ParseIp("2001:db9::1")));
  CHECK(set.Contains(*ParseIp("::ffff:10.1.1.1")));
  CHECK(set.Contains(*ParseIp("172.31.255.255")));
  CHECK_FALSE(set.Contains(*ParseIp("172.32.0.0")));
  CHECK(set.texts().size() == 4);

  CidrSet all;
  REQUIRE(all.Add("0.0.0.0/0").ok());
  CHECK(all.Contains(*ParseIp("203.0.113.9")));
  CHECK_FALSE(all.Contains(*ParseIp("2001:db8::1")));

  CidrSet bad;
  auto message = [&](const char* cidr) {
    auto st = bad.Add(cidr);
    CHECK(st.code() == Code::kInvalidArgument);
    return st.message();
  };
  CHECK(message("abc") == "'abc' is not an IP address or CIDR range");
  CHECK(message("10.0.0.0/33") == "'10.0.0.0/33': the prefix length must be a number from 0 to 32");
  CHECK(message("10.0.0.0/") == "'10.0.0.0/': the prefix length must be a number from 0 to 32");
  CHECK(message("10.0.0.0/8x") == "'10.0.0.0/8x': the prefix length must be a number from 0 to 32");
  CHECK(message("::/129") == "'::/129': the prefix length must be a number from 0 to 128");
  CHECK(message("10.0.0.1/8") ==
        "'10.0.0.1/8' has bits set beyond its /8 prefix; did you mean 10.0.0.0/8?");
  CHECK(message("/8") == "'/8' is not an IP address or CIDR range");
  CHECK(message("") == "'' is not an IP address or CIDR range");
  CHECK(bad.empty());
}
