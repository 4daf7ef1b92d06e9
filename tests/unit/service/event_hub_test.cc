#include "engine/service/event_hub.h"

#include <catch2/catch.hpp>
#include <mutex>

#include "tests/support/service_fixture.h"

using namespace tillvaxt;
using domain::Principal;
using domain::Role;

namespace {

// What one subscriber received: "position case seq TYPE" per message.
struct Inbox {
  std::mutex mu;
  std::vector<std::string> messages;
  bool ended = false;
  bool refuse = false;  // a client that is gone

  std::vector<std::string> Take() {
    std::lock_guard lock(mu);
    return messages;
  }
};

std::string Format(const store::PositionedEvent& p) {
  return std::to_string(p.position) + " " + p.event.case_id + " " + std::to_string(p.event.seq) +
         " " + domain::EventTypeName(p.event.type);
}

// Over the memory store: the hub reads the log through CaseLog alone.
struct Fixture : testing::ServiceFixture {
  Fixture() : ServiceFixture({.id_seed = 3}) {
    service::EventHubOptions hub_options;
    hub_options.format = Format;
    hub_options.poll = std::chrono::hours(1);  // the tests call Poll themselves
    hub = std::make_unique<service::EventHub>(*cases, *store, hub_options);
    REQUIRE(hub->Start().ok());
  }
  ~Fixture() { hub.reset(); }

  std::shared_ptr<Inbox> Listen(const Principal& who, std::optional<int64_t> after = {}) {
    auto inbox = std::make_shared<Inbox>();
    auto sub = hub->Subscribe(who, after);
    REQUIRE(sub.ok());
    hub->Attach(
        *sub,
        [inbox](std::string m) {
          std::lock_guard lock(inbox->mu);
          if (inbox->refuse) return false;
          inbox->messages.push_back(std::move(m));
          return true;
        },
        [inbox] {
          std::lock_guard lock(inbox->mu);
          inbox->ended = true;
        });
    return inbox;
  }

  domain::Case Matched(const Principal& coordinator, const std::string& org = "556036-0793") {
    domain::CaseDraft d;
    d.title = "Behöver finansiering";
    d.company = {"Verkstad AB", org, "", "SMALL", ""};
    auto created = cases->CreateCase(coordinator, d);
    REQUIRE(created.ok());
    domain::Command triage{.action = "triage", .needs = {"financing"}};
    auto c = cases->Act(coordinator, created->created.id, triage);
    REQUIRE(c.ok());
    REQUIRE(c->state == "MATCHED");
    return *c;
  }

  std::unique_ptr<service::EventHub> hub;
  Principal esk{"coord.eskilstuna", Role::kCoordinator, "eskilstuna", ""};
  Principal nyk{"coord.nykoping", Role::kCoordinator, "nykoping", ""};
  Principal manager{"manager", Role::kManager, "", ""};
};

Principal ActorUser(const std::string& actor) {
  return {"actor." + actor, Role::kActor, "", actor};
}

std::vector<std::string> ForCase(const std::vector<std::string>& messages, const std::string& id) {
  std::vector<std::string> out;
  for (const std::string& m : messages) {
    if (m.find(" " + id + " ") != std::string::npos) out.push_back(m);
  }
  return out;
}

}  // namespace

TEST_CASE("hub: each event reaches exactly the subscribers who may see its case", "[hub]") {
  Fixture f;
  auto esk = f.Listen(f.esk);
  auto nyk = f.Listen(f.nyk);
  auto manager = f.Listen(f.manager);
  // The candidates of such a case, known from a first one.
  const domain::Case probe = f.Matched(f.esk, "556703-7485");
  REQUIRE_FALSE(probe.candidates.empty());
  auto candidate = f.Listen(ActorUser(probe.candidates[0]));
  auto stranger = f.Listen(ActorUser("business-sweden"));
  domain::Case c = f.Matched(f.esk);
  REQUIRE(std::find(c.candidates.begin(), c.candidates.end(), probe.candidates[0]) !=
          c.candidates.end());
  REQUIRE(std::find(c.involved_actors.begin(), c.involved_actors.end(), "business-sweden") ==
          c.involved_actors.end());
  f.hub->Poll();

  const auto all = esk->Take();
  REQUIRE(all.size() == static_cast<size_t>(probe.version + c.version));
  const auto mine = ForCase(all, c.id);
  REQUIRE(mine.size() == static_cast<size_t>(c.version));  // CREATED, TRIAGED, ..., ROUTED
  CHECK(mine.front().find(" 1 CREATED") != std::string::npos);
  CHECK(mine.back().find("ROUTED") != std::string::npos);
  CHECK(manager->Take() == all);
  CHECK(nyk->Take().empty());
  CHECK(stranger->Take().empty());
  // A candidate sees the events from the one that made it a candidate (ROUTED) on.
  const auto seen = ForCase(candidate->Take(), c.id);
  REQUIRE(seen.size() == 1);
  CHECK(seen[0] == mine.back());

  // Positions are the store's commit order.
  auto log = f.store->EventsAfter(0, 100);
  REQUIRE(log.ok());
  REQUIRE(log->size() == all.size());
  for (size_t i = 0; i < all.size(); ++i) CHECK(all[i] == Format((*log)[i]));
  CHECK(f.hub->position() == log->back().position);
}

TEST_CASE("hub: a resume replays exactly the missed events the caller may see", "[hub]") {
  Fixture f;
  domain::Case first = f.Matched(f.esk, "556036-0793");
  f.hub->Poll();
  const int64_t seen_up_to = *f.store->LastPosition();
  domain::Case other_node = f.Matched(f.nyk, "556703-7485");
  domain::Case second = f.Matched(f.esk, "556703-7485");
  const int64_t before_live = *f.store->LastPosition();

  auto resumed = f.Listen(f.esk, seen_up_to);
  auto replay = resumed->Take();
  CHECK(ForCase(replay, first.id).empty());
  CHECK(ForCase(replay, other_node.id).empty());
  CHECK(ForCase(replay, second.id).size() == static_cast<size_t>(second.version));
  CHECK(replay.size() == static_cast<size_t>(second.version));

  // The hub catching up delivers nothing twice; new events follow.
  f.hub->Poll();
  CHECK(resumed->Take() == replay);
  domain::Command escalate{.action = "escalate", .reason = "needs a national actor"};
  REQUIRE(f.cases->Act(f.esk, second.id, escalate).ok());
  f.hub->Poll();
  auto after = resumed->Take();
  REQUIRE(after.size() > replay.size());
  for (size_t i = replay.size(); i < after.size(); ++i) {
    CHECK(std::stoll(after[i]) > before_live);
    CHECK(after[i].find(second.id) != std::string::npos);
  }
}

TEST_CASE("hub: a cut replay ends the stream so the client resumes from its last id", "[hub]") {
  Fixture f;
  f.hub.reset();
  service::EventHubOptions options;
  options.format = Format;
  options.replay_limit = 2;
  options.poll = std::chrono::hours(1);
  f.hub = std::make_unique<service::EventHub>(*f.cases, *f.store, options);
  REQUIRE(f.hub->Start().ok());
  domain::Case c = f.Matched(f.esk);
  REQUIRE(c.version > 2);
  auto inbox = f.Listen(f.esk, 0);
  CHECK(inbox->Take().size() == 2);
  CHECK(inbox->ended);
  const int64_t last = std::stoll(inbox->Take().back());
  auto next = f.Listen(f.esk, last);
  CHECK(next->Take().size() == static_cast<size_t>(c.version) - 2);
  CHECK_FALSE(next->ended);
}

TEST_CASE("hub: a subscriber that refuses is dropped; the committer never waits", "[hub]") {
  Fixture f;
  auto slow = f.Listen(f.esk);
  auto fine = f.Listen(f.manager);
  {
    std::lock_guard lock(slow->mu);
    slow->refuse = true;
  }
  CHECK(f.hub->subscriber_count() == 2);
  f.Matched(f.esk);
  f.hub->Poll();
  CHECK(f.hub->subscriber_count() == 1);
  CHECK(f.hub->dropped() == 1);
  CHECK_FALSE(fine->Take().empty());
}

TEST_CASE("hub: commits wake the hub's thread", "[hub]") {
  Fixture f;
  auto inbox = f.Listen(f.esk);
  domain::Case c = f.Matched(f.esk);
  for (int i = 0; i < 200 && inbox->Take().size() < static_cast<size_t>(c.version); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(inbox->Take().size() == static_cast<size_t>(c.version));
}
