#include "engine/service/sla_scheduler.h"

#include <catch2/catch.hpp>
#include <functional>
#include <thread>

#include "engine/domain/calendar.h"
#include "tests/support/service_fixture.h"

using namespace tillvaxt;
using domain::Event;
using domain::EventType;
using domain::Principal;
using domain::Role;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

base::Time At(const char* text) { return *base::ParseRfc3339(text); }

// Monday 2 March 2026, 09:00 UTC: no holidays in the following weeks.
const base::Time kMonday = At("2026-03-02T09:00:00Z");

// Over the memory store, unless a test restarts the server (StoreKind::kSqlite).
struct Fixture : testing::ServiceFixture {
  explicit Fixture(base::Time start = kMonday,
                   const std::function<void(domain::Config&)>& adjust = nullptr,
                   testing::StoreKind kind = testing::StoreKind::kMemory)
      : ServiceFixture({.store = kind, .start = start, .adjust = adjust, .id_seed = 41}) {
    scheduler = std::make_unique<service::SlaScheduler>(*cases, *store, *store, clock);
  }
  ~Fixture() { Close(); }

  // A restart: new store, service and scheduler on the same database file.
  void Open() {
    OpenStore();
    scheduler = std::make_unique<service::SlaScheduler>(*cases, *store, *store, clock);
  }
  void Close() {
    scheduler.reset();
    CloseStore();
  }

  service::SlaPassStats RunAt(base::Time t) {
    clock.Set(t);
    return scheduler->RunOnce(t);
  }

  template <typename CaseLike>
  domain::Case Must(base::Result<CaseLike> r) {
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    return *r;
  }

  std::string NewCase() {
    domain::CaseDraft d;
    d.title = "Behöver finansiering";
    d.description = "Ett verkstadsföretag söker kapital för automation.";
    d.company = {"Verkstad AB", "556036-0793", "Eskilstuna", "SMALL", ""};
    auto created = cases->CreateCase(coord, d);
    REQUIRE(created.ok());
    return created->created.id;
  }

  domain::Case Matched() {
    std::string id = NewCase();
    domain::Command triage{.action = "triage", .needs = {"financing"}};
    domain::Case c = Must(cases->Act(coord, id, triage));
    REQUIRE(c.state == "MATCHED");
    return c;
  }

  Principal Candidate(const domain::Case& c) {
    REQUIRE_FALSE(c.candidates.empty());
    return {"actor." + c.candidates[0], Role::kActor, "", c.candidates[0]};
  }

  domain::Case Do(const Principal& who, const std::string& id, const std::string& action,
                  const std::string& reason = "") {
    domain::Command cmd{.action = action, .reason = reason};
    return Must(cases->Act(who, id, cmd));
  }

  std::vector<Event> History(const std::string& id) {
    auto h = store->GetEvents(id);
    REQUIRE(h.ok());
    return *h;
  }

  std::vector<Event> OfType(const std::string& id, EventType type) {
    std::vector<Event> out;
    for (const Event& e : History(id)) {
      if (e.type == type) out.push_back(e);
    }
    return out;
  }

  std::unique_ptr<service::SlaScheduler> scheduler;
  Principal coord{"coord.eskilstuna", Role::kCoordinator, "eskilstuna", ""};
};

std::vector<int> Percents(const std::vector<Event>& events) {
  std::vector<int> out;
  for (const Event& e : events) out.push_back(e.percent);
  return out;
}

}  // namespace

TEST_CASE("SLA: an unclaimed MATCHED case is warned at 50 and 75 % and escalated at its deadline",
          "[sla]") {
  Fixture f;
  domain::Case c = f.Matched();
  const std::string level = c.level;
  REQUIRE(c.deadline == domain::AddBusinessDays(kMonday, 5));  // Monday 9 March, 09:00
  const base::Time deadline = *c.deadline;
  const base::Millis length = deadline - kMonday;

  f.RunAt(kMonday + minutes(1));
  CHECK(f.OfType(c.id, EventType::kSlaWarning).empty());
  // Planned: nothing is due until the 50 % mark.
  CHECK(f.store->DueCases(kMonday + length / 2 - seconds(1), 100)->empty());
  CHECK(f.store->DueCases(kMonday + length / 2, 100)->size() == 1);

  f.RunAt(kMonday + length / 2 + seconds(1));
  f.RunAt(kMonday + length / 2 + seconds(2));
  CHECK(Percents(f.OfType(c.id, EventType::kSlaWarning)) == std::vector<int>{50});
  f.RunAt(kMonday + length * 3 / 4 + seconds(1));
  f.RunAt(kMonday + length * 3 / 4 + seconds(5));
  const auto warnings = f.OfType(c.id, EventType::kSlaWarning);
  REQUIRE(Percents(warnings) == std::vector<int>{50, 75});
  CHECK(warnings[1].user == "system");
  CHECK(warnings[1].to_state == "MATCHED");
  CHECK(f.Must(f.cases->Get(f.coord, c.id)).state == "MATCHED");

  f.RunAt(deadline - seconds(1));
  CHECK(f.OfType(c.id, EventType::kEscalated).empty());
  auto pass = f.RunAt(deadline + seconds(1));
  CHECK(pass.fired == 1);
  auto escalations = f.OfType(c.id, EventType::kEscalated);
  REQUIRE(escalations.size() == 1);
  CHECK(escalations[0].reason == "SLA");
  CHECK(escalations[0].user == "system");
  CHECK(escalations[0].from_level == level);
  domain::Case after = f.Must(f.cases->Get(f.coord, c.id));
  CHECK(after.level != level);

  // Nothing fires twice, however often the scheduler runs.
  f.RunAt(deadline + seconds(2));
  f.RunAt(deadline + seconds(3));
  CHECK(f.OfType(c.id, EventType::kEscalated).size() == 1);
  CHECK(f.OfType(c.id, EventType::kSlaWarning).size() == 2);
}

TEST_CASE("SLA: a claim with no start lapses back to MATCHED with CLAIM_EXPIRED", "[sla]") {
  Fixture f;
  domain::Case c = f.Matched();
  const Principal actor = f.Candidate(c);
  c = f.Do(actor, c.id, "claim");
  REQUIRE(c.state == "CLAIMED");
  const base::Time deadline = *c.deadline;
  f.RunAt(deadline - minutes(1));
  CHECK(f.OfType(c.id, EventType::kReleased).empty());
  f.RunAt(deadline + seconds(1));
  auto released = f.OfType(c.id, EventType::kReleased);
  REQUIRE(released.size() == 1);
  CHECK(released[0].reason == "CLAIM_EXPIRED");
  CHECK(released[0].user == "system");
  CHECK(released[0].actor == actor.actor);
  domain::Case after = f.Must(f.cases->Get(f.coord, c.id));
  CHECK(after.assignee.empty());
  CHECK(after.state != "CLAIMED");
}

TEST_CASE("SLA: a started claim does not lapse", "[sla]") {
  Fixture f;
  domain::Case c = f.Matched();
  const Principal actor = f.Candidate(c);
  c = f.Do(actor, c.id, "claim");
  const base::Time claim_deadline = *c.deadline;
  c = f.Do(actor, c.id, "start");
  f.RunAt(claim_deadline + hours(1));
  CHECK(f.OfType(c.id, EventType::kReleased).empty());
  CHECK(f.Must(f.cases->Get(f.coord, c.id)).state == "IN_PROGRESS");
}

TEST_CASE("SLA: an untriaged NEW case past its deadline notifies its node once", "[sla]") {
  Fixture f;
  const std::string id = f.NewCase();
  domain::Case c = f.Must(f.cases->Get(f.coord, id));
  REQUIRE(c.deadline);
  f.RunAt(*c.deadline + seconds(1));
  f.RunAt(*c.deadline + hours(5));
  auto overdue = f.OfType(id, EventType::kSlaOverdue);
  REQUIRE(overdue.size() == 1);
  CHECK(overdue[0].to_state == "NEW");
  CHECK(overdue[0].user == "system");
  // Seen by the node's coordinators (it is on their case), not by another node's.
  auto history = f.cases->History(f.coord, id);
  REQUIRE(history.ok());
  CHECK(history->back().type == EventType::kSlaOverdue);
  Principal other{"coord.nykoping", Role::kCoordinator, "nykoping", ""};
  CHECK(f.cases->History(other, id).status().code() == base::Code::kNotFound);
  CHECK(f.Must(f.cases->Get(f.coord, id)).state == "NEW");
  // No warnings: the deadline had passed when the scheduler first looked (it supersedes them).
  CHECK(Percents(f.OfType(id, EventType::kSlaWarning)) == std::vector<int>{});
}

TEST_CASE("SLA: after downtime only the latest warning is recorded, and none past the deadline",
          "[sla]") {
  Fixture f;
  const std::string id = f.NewCase();
  domain::Case c = f.Must(f.cases->Get(f.coord, id));
  const base::Millis length = *c.deadline - kMonday;
  f.RunAt(kMonday + length * 4 / 5);  // past 50 and 75 % at once
  CHECK(Percents(f.OfType(id, EventType::kSlaWarning)) == std::vector<int>{75});
  f.RunAt(kMonday + length * 9 / 10);
  CHECK(Percents(f.OfType(id, EventType::kSlaWarning)) == std::vector<int>{75});
}

TEST_CASE("SLA: warnings and escalations fire exactly once across a restart", "[sla]") {
  Fixture f(kMonday, nullptr, testing::StoreKind::kSqlite);
  domain::Case c = f.Matched();
  const base::Time deadline = *c.deadline;
  const base::Millis length = deadline - kMonday;
  f.RunAt(kMonday + length * 3 / 5);
  CHECK(Percents(f.OfType(c.id, EventType::kSlaWarning)) == std::vector<int>{50});

  f.Close();  // down over the 75 % mark and the deadline
  f.Open();
  f.RunAt(kMonday + length * 3 / 5 + seconds(1));
  CHECK(Percents(f.OfType(c.id, EventType::kSlaWarning)) == std::vector<int>{50});
  f.Close();
  f.Open();
  f.RunAt(deadline + hours(30));
  CHECK(f.OfType(c.id, EventType::kEscalated).size() == 1);
  CHECK(Percents(f.OfType(c.id, EventType::kSlaWarning)) == std::vector<int>{50});
  f.Close();
  f.Open();
  f.RunAt(deadline + hours(31));
  CHECK(f.OfType(c.id, EventType::kEscalated).size() == 1);
}

TEST_CASE("SLA: two schedulers racing fire each overdue timer once", "[sla]") {
  Fixture f;
  std::vector<std::string> ids;
  for (int i = 0; i < 8; ++i) ids.push_back(f.Matched().id);
  domain::Case c = f.Must(f.cases->Get(f.coord, ids[0]));
  const base::Time late = *c.deadline + minutes(10);
  f.clock.Set(late);
  service::SlaScheduler other(*f.cases, *f.store, *f.store, f.clock);
  std::thread a([&] { f.scheduler->RunOnce(late); });
  std::thread b([&] { other.RunOnce(late); });
  a.join();
  b.join();
  for (const std::string& id : ids) {
    int sla = 0;
    for (const Event& e : f.History(id)) {
      sla += e.type == EventType::kEscalated && e.reason == "SLA";
    }
    CHECK(sla == 1);
  }
  CHECK(f.scheduler->totals().fired + other.totals().fired == 8);
}

TEST_CASE("SLA: WAITING pauses the clock and keeps the remaining time", "[sla]") {
  Fixture f;
  domain::Case c = f.Matched();
  const Principal actor = f.Candidate(c);
  f.Do(actor, c.id, "claim");
  c = f.Do(actor, c.id, "start");
  REQUIRE(c.state == "IN_PROGRESS");
  const base::Time deadline = *c.deadline;  // 30 business days
  f.clock.Advance(hours(24));
  c = f.Do(actor, c.id, "wait", "the company is on holiday");
  REQUIRE(c.state == "WAITING");
  CHECK_FALSE(c.deadline.has_value());
  const base::Millis left = deadline - f.clock.Now();
  CHECK(c.sla_remaining == left);

  // Long past the original deadline: nothing fires while waiting.
  f.RunAt(deadline + hours(24 * 10));
  CHECK(f.OfType(c.id, EventType::kSlaWarning).empty());
  CHECK(f.OfType(c.id, EventType::kSlaOverdue).empty());

  c = f.Do(actor, c.id, "resume");
  CHECK(c.deadline == f.clock.Now() + left);
  CHECK(f.Must(f.cases->Get(f.coord, c.id)).deadline == f.clock.Now() + left);
  f.RunAt(f.clock.Now() + left - seconds(1));
  CHECK(f.OfType(c.id, EventType::kSlaOverdue).empty());
  CHECK(Percents(f.OfType(c.id, EventType::kSlaWarning)) == std::vector<int>{75});
  f.RunAt(*c.deadline + seconds(1));
  CHECK(f.OfType(c.id, EventType::kSlaOverdue).size() == 1);
}

TEST_CASE("SLA: the MATCHED deadline counts business days over Easter", "[sla]") {
  // Thursday 2 April 2026; Good Friday and Easter Monday are holidays.
  const base::Time maundy_thursday = At("2026-04-02T08:00:00Z");
  Fixture f(maundy_thursday);
  domain::Case c = f.Matched();
  // Tue 7, Wed 8, Thu 9, Fri 10, Mon 13 April.
  REQUIRE(c.deadline == At("2026-04-13T08:00:00Z"));
  f.RunAt(At("2026-04-10T08:00:01Z"));  // five working days in a plain calendar
  CHECK(f.OfType(c.id, EventType::kEscalated).empty());
  f.RunAt(At("2026-04-13T07:59:59Z"));
  CHECK(f.OfType(c.id, EventType::kEscalated).empty());
  f.RunAt(At("2026-04-13T08:00:01Z"));
  auto escalated = f.OfType(c.id, EventType::kEscalated);
  REQUIRE(escalated.size() == 1);
  CHECK(escalated[0].reason == "SLA");
}

TEST_CASE("SLA: deadlines of seconds from the configuration", "[sla]") {
  Fixture f(kMonday, [](domain::Config& config) {
    for (domain::Sla& sla : config.workflow.slas) {
      if (sla.state == "MATCHED") {
        sla.business_days = 0;
        sla.duration = std::chrono::seconds(3);
      }
    }
  });
  domain::Case c = f.Matched();
  REQUIRE(c.deadline == kMonday + seconds(3));
  f.RunAt(kMonday + std::chrono::milliseconds(1600));
  CHECK(Percents(f.OfType(c.id, EventType::kSlaWarning)) == std::vector<int>{50});
  f.RunAt(kMonday + seconds(3));
  CHECK(f.OfType(c.id, EventType::kEscalated).size() == 1);
}

TEST_CASE("SLA: effect reminders at 3, 6 and 12 months after CLOSED until an effect", "[sla]") {
  Fixture f;
  domain::Case c = f.Matched();
  const Principal actor = f.Candidate(c);
  f.Do(actor, c.id, "claim");
  f.Do(actor, c.id, "start");
  domain::Command resolve{.action = "resolve", .outcome = {"FINANCING", "Lån beviljat"}};
  f.Must(f.cases->Act(actor, c.id, resolve));
  c = f.Do(f.coord, c.id, "close");
  REQUIRE(c.state == "CLOSED");
  const base::Time closed = c.state_time;
  auto months = [&] {
    std::vector<int> out;
    for (const Event& e : f.OfType(c.id, EventType::kEffectReminder)) {
      out.push_back(e.months_after_close);
    }
    return out;
  };

  f.RunAt(service::AddMonths(closed, 3) - minutes(1));
  CHECK(months().empty());
  f.RunAt(service::AddMonths(closed, 3) + minutes(1));
  f.RunAt(service::AddMonths(closed, 3) + minutes(2));
  CHECK(months() == std::vector<int>{3});
  f.RunAt(service::AddMonths(closed, 6));
  CHECK(months() == std::vector<int>{3, 6});

  domain::Command effect{
      .action = "recordEffect", .effect = {"FUNDING_GRANTED", "Fick lån"}, .months_after_close = 6};
  f.Must(f.cases->Act(f.coord, c.id, effect));
  f.RunAt(service::AddMonths(closed, 12) + hours(1));
  CHECK(months() == std::vector<int>{3, 6});
  CHECK(f.store->DueCases(service::AddMonths(closed, 24), 100)->empty());
}

TEST_CASE("SLA: a reminder missed during downtime stands for the earlier ones", "[sla]") {
  Fixture f;
  domain::Case c = f.Matched();
  const Principal actor = f.Candidate(c);
  f.Do(actor, c.id, "claim");
  domain::Command resolve{.action = "resolve", .outcome = {"NETWORK", ""}};
  f.Must(f.cases->Act(actor, c.id, resolve));
  c = f.Do(f.coord, c.id, "close");
  f.RunAt(service::AddMonths(c.state_time, 7));
  auto reminders = f.OfType(c.id, EventType::kEffectReminder);
  REQUIRE(reminders.size() == 1);
  CHECK(reminders[0].months_after_close == 6);
  f.RunAt(service::AddMonths(c.state_time, 12));
  CHECK(f.OfType(c.id, EventType::kEffectReminder).size() == 2);
}

TEST_CASE("SLA: AddMonths keeps the time of day and clamps the day", "[sla]") {
  CHECK(service::AddMonths(At("2026-01-31T10:30:00Z"), 1) == At("2026-02-28T10:30:00Z"));
  CHECK(service::AddMonths(At("2026-11-15T08:00:00Z"), 3) == At("2027-02-15T08:00:00Z"));
  CHECK(service::AddMonths(At("2026-03-02T09:00:00Z"), 12) == At("2027-03-02T09:00:00Z"));
}

TEST_CASE("SLA: the scheduler's thread fires on its own", "[sla]") {
  Fixture f(kMonday, [](domain::Config& config) {
    for (domain::Sla& sla : config.workflow.slas) {
      if (sla.state == "MATCHED") {
        sla.business_days = 0;
        sla.duration = std::chrono::seconds(1);
      }
    }
  });
  domain::Case c = f.Matched();
  service::SlaSchedulerOptions options;
  options.tick = std::chrono::milliseconds(20);
  service::SlaScheduler threaded(*f.cases, *f.store, *f.store, f.clock, options);
  threaded.Start();
  f.clock.Advance(seconds(2));
  for (int i = 0; i < 250 && f.OfType(c.id, EventType::kEscalated).empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  threaded.Stop();
  CHECK(f.OfType(c.id, EventType::kEscalated).size() == 1);
}
