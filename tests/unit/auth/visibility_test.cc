#include "engine/auth/visibility.h"

#include <catch2/catch.hpp>

using namespace tillvaxt;
using domain::Principal;
using domain::Role;

namespace {

domain::Case MakeCase() {
  domain::Case c;
  c.id = "c1";
  c.node = "eskilstuna";
  c.company = {"Verkstad AB", "556036-0793", "Eskilstuna", "SMALL", "tillverkning"};
  c.contact = {"Anna", "anna@verkstad.se", "070-1234567"};
  c.candidates = {"almi", "rise"};
  c.involved_actors = {"almi", "rise", "mitc"};
  c.assignee = "";
  return c;
}

}  // namespace

TEST_CASE("Coordinators see their own node's cases only") {
  auto c = MakeCase();
  CHECK(auth::CanSee({"k", Role::kCoordinator, "eskilstuna", ""}, c));
  CHECK_FALSE(auth::CanSee({"k", Role::kCoordinator, "nykoping", ""}, c));
  CHECK_FALSE(auth::CanSee({"k", Role::kCoordinator, "", ""}, c));
}

TEST_CASE("Actors see cases they are or were candidate or assignee for") {
  auto c = MakeCase();
  CHECK(auth::CanSee({"a", Role::kActor, "", "almi"}, c));
  CHECK(auth::CanSee({"a", Role::kActor, "", "mitc"}, c));
  CHECK_FALSE(auth::CanSee({"a", Role::kActor, "", "business-sweden"}, c));
  CHECK_FALSE(auth::CanSee({"a", Role::kActor, "", ""}, c));
  CHECK(auth::CanSee({"m", Role::kManager, "", ""}, c));
  CHECK(auth::CanSee({"x", Role::kAdmin, "", ""}, c));
  CHECK_FALSE(auth::CanSee({"x", Role::kUnspecified, "", ""}, c));
}

TEST_CASE("Candidates see the case anonymised until they claim") {
  domain::Config config;
  auto c = MakeCase();
  Principal almi{"a", Role::kActor, "", "almi"};
  auto seen = auth::Redact(almi, c, config);
  CHECK(seen.company.name.empty());
  CHECK(seen.company.org_number.empty());
  CHECK(seen.contact == domain::Contact{});
  CHECK(seen.company.municipality == "Eskilstuna");
  CHECK(seen.company.size == "SMALL");
  CHECK(seen.description == c.description);

  c.assignee = "almi";
  auto claimed = auth::Redact(almi, c, config);
  CHECK(claimed.company.name == "Verkstad AB");
  CHECK(claimed.contact.email == "anna@verkstad.se");

  config.reveal_to_candidates = true;
  c.assignee.clear();
  CHECK(auth::Redact(almi, c, config).company.name == "Verkstad AB");
}

TEST_CASE("Coordinators of the node and managers see identity and contact") {
  domain::Config config;
  auto c = MakeCase();
  CHECK(auth::Redact({"k", Role::kCoordinator, "eskilstuna", ""}, c, config).contact.name ==
        "Anna");
  CHECK(auth::Redact({"m", Role::kManager, "", ""}, c, config).contact.name == "Anna");
}
