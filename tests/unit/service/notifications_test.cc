#include "engine/service/notifications.h"

#include <catch2/catch.hpp>
#include <map>

#include "engine/service/case_service.h"
#include "engine/service/sla_scheduler.h"
#include "tests/support/service_fixture.h"

using namespace tillvaxt;
using domain::Principal;
using domain::Role;

namespace {

class RecordingSink final : public service::NotificationSink {
 public:
  void Send(const service::Notification& n) override { sent.push_back(n); }
  std::vector<service::Notification> OfType(const std::string& type) const {
    std::vector<service::Notification> out;
    for (const auto& n : sent) {
      if (n.type == type) out.push_back(n);
    }
    return out;
  }
  std::vector<service::Notification> sent;
};

std::vector<std::string> Usernames(const service::Notification& n) {
  std::vector<std::string> out;
  for (const auto& r : n.to) out.push_back(r.username);
  std::sort(out.begin(), out.end());
  return out;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Over the memory store and the fixture's memory user store.
struct Fixture : testing::ServiceFixture {
  Fixture() {
    state = std::make_unique<service::FileDigestState>(File("digests.tsv"));
    service::NotificationOptions no;
    no.base_url = "https://tillvaxt.example.se";
    notes = std::make_unique<service::NotificationService>(cases->config(), *store, *store, *users,
                                                           clock, sink, *state, no);
    cases->AddListener([this](const std::vector<domain::Event>& e) { notes->OnCommitted(e); });

    AddUser("coord.eskilstuna", Role::kCoordinator, "eskilstuna", "");
    AddUser("coord2.eskilstuna", Role::kCoordinator, "eskilstuna", "");
    AddUser("digest.eskilstuna", Role::kCoordinator, "eskilstuna", "", /*digest=*/true);
    AddUser("gone.eskilstuna", Role::kCoordinator, "eskilstuna", "", false, /*disabled=*/true);
    AddUser("coord.nykoping", Role::kCoordinator, "nykoping", "");
    AddUser("manager", Role::kManager, "", "", /*digest=*/true);
    AddUser("manager2", Role::kManager, "", "");
    AddUser("admin", Role::kAdmin, "", "", /*digest=*/true);
  }
  ~Fixture() { notes.reset(); }

  void AddUser(const std::string& name, Role role, const std::string& node,
               const std::string& actor, bool digest = false, bool disabled = false) {
    testing::AddUser(*users, name, role, node, actor, digest, disabled);
  }

  domain::Case NewMatchedCase(const std::string& title = "Behöver finansiering") {
    domain::CaseDraft d;
    d.title = title;
    d.description = "Ett verkstadsföretag söker kapital för automation.";
    d.company = {"Verkstad AB", "556036-0793", "Eskilstuna", "SMALL", ""};
    d.contact = {"Anna", "anna@verkstad.se", "070-1"};
    auto created = cases->CreateCase(coord, d);
    REQUIRE(created.ok());
    auto c = cases->Act(coord, created->created.id,
                        {.action = "triage", .needs = {"business-development"}});
    REQUIRE(c.ok());
    REQUIRE(c->state == "MATCHED");
    REQUIRE(c->candidates.size() >= 2);
    return *c;
  }

  RecordingSink sink;
  std::unique_ptr<service::FileDigestState> state;
  std::unique_ptr<service::NotificationService> notes;
  Principal coord{"coord.eskilstuna", Role::kCoordinator, "eskilstuna", ""};
};

}  // namespace

TEST_CASE("A newly matched case notifies each candidate's users, one message per actor") {
  Fixture f;
  domain::Case c = f.NewMatchedCase();
  const std::string a0 = c.candidates[0];
  const std::string a1 = c.candidates[1];
  f.AddUser("actor.a0", Role::kActor, "", a0);
  f.AddUser("actor.a0.digest", Role::kActor, "", a0, /*digest=*/true);
  f.AddUser("actor.a1", Role::kActor, "", a1);
  f.AddUser("actor.other", Role::kActor, "", "no-such-actor");
  f.notes->ProcessPending();

  auto routed = f.sink.OfType("CASE_ROUTED");
  REQUIRE(routed.size() == 2);  // only the candidates with users get one
  std::map<std::string, service::Notification> by_actor;
  for (const auto& n : routed) {
    for (const auto& a : {a0, a1}) {
      if (n.id == c.id + "-" + std::to_string(c.version) + "-" + a) by_actor[a] = n;
    }
  }
  CHECK(Usernames(by_actor.at(a0)) == std::vector<std::string>{"actor.a0"});
  CHECK(Usernames(by_actor.at(a1)) == std::vector<std::string>{"actor.a1"});
  const auto& n = by_actor.at(a0);
  CHECK(n.case_id == c.id);
  CHECK(Contains(n.subject, "Nytt ärende för"));
  CHECK(Contains(n.subject, "Behöver finansiering"));
  CHECK(Contains(n.text, "på lokal nivå"));
  CHECK(Contains(n.text, "Behov: Affärsutveckling."));
  CHECK(Contains(n.text, "https://tillvaxt.example.se/cases/" + c.id));
  CHECK(Contains(n.html, "<html lang=\"sv\">"));
  CHECK(Contains(n.html, "Öppna ärendet"));
  // Candidates see the company only when the configuration reveals it before the claim.
  CHECK(Contains(n.text, "Verkstad AB") == f.config.reveal_to_candidates);
  // Nothing for coordinators on a routing.
  CHECK(f.sink.OfType("CASE_CLAIMED").empty());

  std::string json = n.ToJson();
  CHECK(Contains(json, "\"type\":\"CASE_ROUTED\""));
  CHECK(Contains(json,
                 "\"to\":[{\"username\":\"actor.a0\",\"email\":\"actor.a0@example.se\","
                 "\"displayName\":\"Namn actor.a0\"}]"));
  CHECK(Contains(json, "\"caseId\":\"" + c.id + "\""));
  CHECK(Contains(json, "\"event\":{\"type\":\"ROUTED\""));
}

TEST_CASE("Claim, escalation and resolution go to the node's coordinators, not to the one acting") {
  Fixture f;
  domain::Case c = f.NewMatchedCase();
  f.notes->ProcessPending();
  f.sink.sent.clear();
  Principal actor{"actor.x", Role::kActor, "", c.candidates[0]};
  REQUIRE(f.cases->Act(actor, c.id, {.action = "claim"}).ok());
  f.notes->ProcessPending();
  auto claimed = f.sink.OfType("CASE_CLAIMED");
  REQUIRE(claimed.size() == 1);
  // Not the digest user, not the disabled one, not Nyköping's coordinator.
  CHECK(Usernames(claimed[0]) == std::vector<std::string>{"coord.eskilstuna", "coord2.eskilstuna"});
  CHECK(Contains(claimed[0].subject, "har tagit ärendet ”Behöver finansiering”"));

  domain::Command resolve{.action = "resolve"};
  resolve.outcome = {"FINANCING", "Lån från Almi"};
  REQUIRE(f.cases->Act(actor, c.id, resolve).ok());
  f.notes->ProcessPending();
  auto resolved = f.sink.OfType("CASE_RESOLVED");
  REQUIRE(resolved.size() == 1);
  CHECK(Usernames(resolved[0]) ==
        std::vector<std::string>{"coord.eskilstuna", "coord2.eskilstuna"});
  CHECK(Contains(resolved[0].subject, "är löst"));
  CHECK(Contains(resolved[0].text, "Utfall: Finansiering."));
  CHECK(Contains(resolved[0].text, "Anteckning: Lån från Almi"));

  // The coordinator who escalates does not hear about it; the other one does.
  domain::Case c2 = f.NewMatchedCase("Söker exportstöd");
  f.notes->ProcessPending();
  f.sink.sent.clear();
  REQUIRE(
      f.cases->Act(f.coord, c2.id, {.action = "escalate", .reason = "Behöver bredare stöd"}).ok());
  f.notes->ProcessPending();
  auto escalated = f.sink.OfType("CASE_ESCALATED");
  REQUIRE(escalated.size() == 1);
  CHECK(Usernames(escalated[0]) == std::vector<std::string>{"coord2.eskilstuna"});
  CHECK(Contains(escalated[0].subject, "har eskalerats till regional nivå"));
  CHECK(Contains(escalated[0].text, "Orsak: Behöver bredare stöd."));
}

TEST_CASE("An offer reaches its recipient actors' users and nodes' coordinators") {
  Fixture f;
  f.AddUser("actor.almi", Role::kActor, "", "almi");
  f.AddUser("actor.publisher", Role::kActor, "", "mdu");
  service::OfferNotice offer;
  offer.offer_id = "o1";
  offer.title = "Exportcheckar för små företag";
  offer.kind = "FUNDING_CALL";
  offer.publisher_actor = "mdu";
  offer.publisher_user = "actor.publisher";
  offer.actors = {"almi", "mdu"};
  offer.nodes = {"nykoping"};
  auto sent = f.notes->NotifyOfferRecipients(offer);
  REQUIRE(sent.ok());
  CHECK(*sent == 1);
  auto offers = f.sink.OfType("OFFER_RECEIVED");
  REQUIRE(offers.size() == 1);
  CHECK(Usernames(offers[0]) == std::vector<std::string>{"actor.almi", "coord.nykoping"});
  CHECK(Contains(offers[0].subject, "Nytt erbjudande från"));
}

TEST_CASE("A published offer's channelled levels become one notice for all its recipients") {
  Fixture f;
  f.AddUser("actor.almi", Role::kActor, "", "almi");
  f.AddUser("actor.mitc", Role::kActor, "", "mitc");
  f.AddUser("actor.mdu", Role::kActor, "", "mdu");
  domain::OfferEvent published;
  published.offer_id = "o7";
  published.seq = 1;
  published.type = domain::OfferEventType::kPublished;
  published.user = "actor.mdu";
  published.actor = "mdu";
  published.draft = domain::OfferDraft{.kind = "EVENT", .title = "Frukostmöte om export"};
  domain::OfferEvent regional = published;
  regional.seq = 2;
  regional.type = domain::OfferEventType::kChannelled;
  regional.draft.reset();
  regional.recipients = {"REGIONAL", {"almi"}, {}, {}};
  domain::OfferEvent local = regional;
  local.seq = 3;
  local.recipients = {"LOCAL", {"mitc", "almi"}, {"eskilstuna"}, {}};
  domain::OfferEvent withdrawn = published;
  withdrawn.offer_id = "o8";
  withdrawn.type = domain::OfferEventType::kWithdrawn;
  f.notes->OnOfferCommitted({published, regional, local});
  f.notes->OnOfferCommitted({withdrawn});
  f.notes->ProcessPending();
  auto offers = f.sink.OfType("OFFER_RECEIVED");
  REQUIRE(offers.size() == 1);
  CHECK(offers[0].id == "offer-o7");
  CHECK(Usernames(offers[0]) == std::vector<std::string>{"actor.almi", "actor.mitc",
                                                         "coord.eskilstuna", "coord2.eskilstuna"});
  CHECK(Contains(offers[0].subject, "Frukostmöte om export"));
}

TEST_CASE("Digests go out on Monday morning for the week before") {
  using base::ParseRfc3339;
  CHECK(service::DigestBoundary(*ParseRfc3339("2026-03-09T06:00:00Z")) ==
        *ParseRfc3339("2026-03-09T06:00:00Z"));
  CHECK(service::DigestBoundary(*ParseRfc3339("2026-03-09T05:59:59Z")) ==
        *ParseRfc3339("2026-03-02T06:00:00Z"));
  CHECK(service::DigestBoundary(*ParseRfc3339("2026-03-15T23:00:00Z")) ==  // a Sunday
        *ParseRfc3339("2026-03-09T06:00:00Z"));
}

TEST_CASE("Digest users get the week in one message, once, even across a restart") {
  Fixture f;
  domain::Case c = f.NewMatchedCase();
  f.AddUser("actor.digest", Role::kActor, "", c.candidates[0], /*digest=*/true);
  Principal actor{"actor.x", Role::kActor, "", c.candidates[0]};
  REQUIRE(f.cases->Act(actor, c.id, {.action = "claim"}).ok());
  f.notes->ProcessPending();
  // Per-event messages never reach digest users.
  for (const auto& n : f.sink.sent) {
    for (const auto& r : n.to) {
      CHECK(r.username != "digest.eskilstuna");
      CHECK(r.username != "actor.digest");
      CHECK(r.username != "manager");
    }
  }
  f.sink.sent.clear();

  // Monday morning: the week of the case is over.
  auto monday = *base::ParseRfc3339("2026-03-09T07:30:00Z");
  auto sent = f.notes->RunDigest(monday);
  REQUIRE(sent.ok());
  CHECK(*sent == 3);  // digest.eskilstuna, actor.digest, manager (not admin, not the others)
  auto digests = f.sink.OfType("DIGEST");
  REQUIRE(digests.size() == 3);
  std::map<std::string, service::Notification> by_user;
  for (const auto& n : digests) {
    REQUIRE(n.to.size() == 1);
    by_user[n.to[0].username] = n;
  }
  const auto& coord = by_user.at("digest.eskilstuna");
  CHECK(Contains(coord.subject, "Veckans nyheter i Tillväxt, 2026-03-02–2026-03-08"));
  CHECK(Contains(coord.text, "Nytt för min nod: Eskilstuna"));
  CHECK(Contains(coord.text, "- Nytt ärende: ”Behöver finansiering”"));
  CHECK(Contains(coord.text, "- Taget av "));
  CHECK(Contains(coord.html, "<h2>Nytt för min nod: Eskilstuna</h2>"));
  const auto& org = by_user.at("actor.digest");
  CHECK(Contains(org.text, "Nytt för min organisation: "));
  CHECK(Contains(org.text, "- Föreslaget för er på lokal nivå: ”Behöver finansiering”"));
  CHECK(Contains(org.text, "- Taget av er: ”Behöver finansiering”"));
  const auto& mgr = by_user.at("manager");
  CHECK(Contains(mgr.text, "Nyckeltal för veckan"));
  CHECK(Contains(mgr.text, "- Nya ärenden: 1\n"));
  CHECK(Contains(mgr.text, "- Tagna: 1\n"));
  CHECK(Contains(mgr.text, "- Lösta: 0\n"));
  CHECK(Contains(mgr.text, "Eskilstuna: 1 nya, 0 lösta."));
  CHECK(mgr.id == "digest-manager-2026-03-09");

  // The same week again: nothing; nor after a restart (a fresh state over the same file).
  f.sink.sent.clear();
  CHECK(*f.notes->RunDigest(monday + std::chrono::hours(5)) == 0);
  service::FileDigestState reopened(f.File("digests.tsv"));
  service::NotificationService again(f.cases->config(), *f.store, *f.store, *f.users, f.clock,
                                     f.sink, reopened);
  CHECK(*again.RunDigest(monday + std::chrono::hours(6)) == 0);
  CHECK(f.sink.sent.empty());

  // The next week: a new digest with nothing new.
  auto next = again.RunDigest(*base::ParseRfc3339("2026-03-16T06:00:00Z"));
  REQUIRE(next.ok());
  CHECK(*next == 3);
  for (const auto& n : f.sink.sent) {
    if (n.to[0].username == "manager") CHECK(Contains(n.text, "- Nya ärenden: 0\n"));
    if (n.to[0].username == "digest.eskilstuna") CHECK(Contains(n.text, "Inget nytt för noden"));
  }
}

TEST_CASE("The worker routes events without the caller waiting") {
  Fixture f;
  f.notes->Start();
  domain::Case c = f.NewMatchedCase();
  Principal actor{"actor.x", Role::kActor, "", c.candidates[0]};
  REQUIRE(f.cases->Act(actor, c.id, {.action = "claim"}).ok());
  f.notes->Stop();  // joins the worker; what it routed is in the sink
  f.notes->ProcessPending();
  CHECK(f.sink.OfType("CASE_CLAIMED").size() == 1);
  CHECK(f.notes->dropped_events() == 0);
}

namespace {

base::Time At(const char* text) { return *base::ParseRfc3339(text); }

// The notification fixture with the SLA scheduler over the same service: the timers it records
// reach the notifications as any other commit.
struct TimerFixture : Fixture {
  TimerFixture() {
    scheduler = std::make_unique<service::SlaScheduler>(*cases, *store, *store, clock);
  }
  ~TimerFixture() { scheduler.reset(); }

  // Moves the clock to `t`, fires what is due and routes the notifications.
  void RunAt(const char* t) {
    clock.Set(At(t));
    scheduler->RunOnce(clock.Now());
    notes->ProcessPending();
  }

  // A case taken from MATCHED to CLOSED: claimed by its first candidate, resolved, closed by
  // `closer` (a coordinator of Eskilstuna).
  domain::Case Closed(const std::string& title, const Principal& closer) {
    domain::Case c = NewMatchedCase(title);
    Principal actor{"actor.x", Role::kActor, "", c.candidates[0]};
    REQUIRE(cases->Act(actor, c.id, {.action = "claim"}).ok());
    domain::Command resolve{.action = "resolve"};
    resolve.outcome = {"SOLUTION", ""};
    REQUIRE(cases->Act(actor, c.id, resolve).ok());
    auto closed = cases->Act(closer, c.id, {.action = "close"});
    REQUIRE(closed.ok());
    REQUIRE(closed->state == "CLOSED");
    return *closed;
  }

  std::unique_ptr<service::SlaScheduler> scheduler;
};

}  // namespace

TEST_CASE("SLA warnings and overdue notices reach the node's coordinators, with a link") {
  TimerFixture f;
  // Logged Monday 09:00 UTC: NEW's two business days end Wednesday 09:00 (10:00 in Sweden).
  domain::CaseDraft d;
  d.title = "Vill exportera";
  d.company = {"Export AB", "556036-0793", "Eskilstuna", "SMALL", ""};
  auto created = f.cases->CreateCase(f.coord, d);
  REQUIRE(created.ok());
  const std::string id = created->created.id;

  f.RunAt("2026-03-03T09:30:00Z");  // half the time gone
  auto warned = f.sink.OfType("CASE_SLA_WARNING");
  REQUIRE(warned.size() == 1);
  // The coordinators of the case's node: not the digest user, not the disabled one, not
  // Nyköping's; nobody is assigned yet.
  CHECK(Usernames(warned[0]) == std::vector<std::string>{"coord.eskilstuna", "coord2.eskilstuna"});
  CHECK(warned[0].case_id == id);
  CHECK(warned[0].id == id + "-2");
  CHECK(warned[0].link == "https://tillvaxt.example.se/cases/" + id);
  CHECK(warned[0].subject == "Tidsgränsen närmar sig för ärendet ”Vill exportera”");
  CHECK(Contains(warned[0].text, "har använt 50 % av tiden i läget ”Ny”."));
  CHECK(Contains(warned[0].text, "Tidsgränsen är 2026-03-04 kl. 10:00."));
  CHECK(Contains(warned[0].text, "Öppna ärendet: https://tillvaxt.example.se/cases/" + id));
  CHECK(Contains(warned[0].html, "<a href=\"https://tillvaxt.example.se/cases/" + id + "\">"));
  CHECK(Contains(warned[0].ToJson(), "\"link\":\"https://tillvaxt.example.se/cases/" + id + "\""));
  CHECK(Contains(warned[0].ToJson(), "\"type\":\"SLA_WARNING\""));
  CHECK(Contains(warned[0].ToJson(), "\"percent\":50"));

  f.sink.sent.clear();
  f.RunAt("2026-03-05T09:30:00Z");  // past the deadline: the notice, not the 75 % warning
  CHECK(f.sink.OfType("CASE_SLA_WARNING").empty());
  auto overdue = f.sink.OfType("CASE_OVERDUE");
  REQUIRE(overdue.size() == 1);
  CHECK(Usernames(overdue[0]) == std::vector<std::string>{"coord.eskilstuna", "coord2.eskilstuna"});
  CHECK(overdue[0].subject == "Tidsgränsen har passerats för ärendet ”Vill exportera”");
  CHECK(
      Contains(overdue[0].text, "har passerat tidsgränsen för läget ”Ny” (2026-03-04 kl. 10:00)."));
  CHECK(overdue[0].link == "https://tillvaxt.example.se/cases/" + id);

  // Each timer is told once.
  f.sink.sent.clear();
  f.RunAt("2026-03-06T09:30:00Z");
  CHECK(f.sink.sent.empty());
}

TEST_CASE("A claimed case's warning reaches its assignee too; a lapsed claim reaches the actor") {
  TimerFixture f;
  f.clock.Set(At("2026-03-05T09:30:00Z"));  // Thursday: three business days end Tuesday
  domain::Case c = f.NewMatchedCase("Behöver lån");
  const std::string a0 = c.candidates[0];
  f.AddUser("actor.a0", Role::kActor, "", a0);
  f.AddUser("actor.a0.digest", Role::kActor, "", a0, /*digest=*/true);
  Principal actor{"actor.a0", Role::kActor, "", a0};
  REQUIRE(f.cases->Act(actor, c.id, {.action = "claim"}).ok());
  f.notes->ProcessPending();
  f.sink.sent.clear();

  f.RunAt("2026-03-09T06:00:00Z");  // Monday morning: 75 % of the wall-clock time is gone
  auto warned = f.sink.OfType("CASE_SLA_WARNING");
  REQUIRE(warned.size() == 1);
  CHECK(Usernames(warned[0]) ==
        std::vector<std::string>{"actor.a0", "coord.eskilstuna", "coord2.eskilstuna"});
  CHECK(Contains(warned[0].text, "75 % av tiden i läget ”Tagen”"));
  CHECK(Contains(
      warned[0].text,
      "Händer inget före tidsgränsen lämnas ärendet tillbaka till de andra kandidaterna."));

  f.sink.sent.clear();
  f.RunAt("2026-03-11T09:00:00Z");  // past the deadline: SYSTEM releases it (CLAIM_EXPIRED)
  auto lapsed = f.sink.OfType("CASE_CLAIM_EXPIRED");
  REQUIRE(lapsed.size() == 1);
  CHECK(Usernames(lapsed[0]) == std::vector<std::string>{"actor.a0"});  // not the coordinators
  CHECK(lapsed[0].subject == "Ärendet ”Behöver lån” har lämnats tillbaka");
  CHECK(Contains(lapsed[0].text, "tiden för att komma igång gick ut"));
  CHECK(Contains(lapsed[0].text, "nodkoordinatorn i Eskilstuna"));
  CHECK(lapsed[0].link == "https://tillvaxt.example.se/cases/" + c.id);
  CHECK(Contains(lapsed[0].ToJson(), "\"type\":\"RELEASED\""));
  CHECK(Contains(lapsed[0].ToJson(), "\"actor\":\"" + a0 + "\""));

  // The actor's digest user hears of both in the weekly digest, with links.
  f.sink.sent.clear();
  auto sent = f.notes->RunDigest(At("2026-03-16T07:00:00Z"));
  REQUIRE(sent.ok());
  service::Notification digest;
  for (const auto& n : f.sink.OfType("DIGEST")) {
    if (n.to[0].username == "actor.a0.digest") digest = n;
  }
  REQUIRE(digest.type == "DIGEST");
  const std::string link = "https://tillvaxt.example.se/cases/" + c.id;
  CHECK(Contains(digest.text, "Påminnelser och tidsgränser"));
  INFO(digest.text);
  CHECK(Contains(digest.text, "- Tidsgränsen närmar sig (75 %): ”Behöver lån” – " + link));
  CHECK(Contains(digest.text,
                 "- Lämnat tillbaka, tiden för att komma igång gick ut: ”Behöver lån” – " + link));
  CHECK(Contains(digest.html, "<li><a href=\"" + link + "\">Lämnat tillbaka"));
}

TEST_CASE("An effect reminder goes to the coordinator who closed the case, or to the node") {
  TimerFixture f;
  f.AddUser("coord3.eskilstuna", Role::kCoordinator, "eskilstuna", "");
  Principal coord2{"coord2.eskilstuna", Role::kCoordinator, "eskilstuna", ""};
  Principal coord3{"coord3.eskilstuna", Role::kCoordinator, "eskilstuna", ""};
  domain::Case kept = f.Closed("Fick ett lån", coord2);
  domain::Case orphan = f.Closed("Fick en mentor", coord3);
  // coord3 leaves: disabled, so the reminder of the case they closed goes to the node.
  f.AddUser("coord3.eskilstuna", Role::kCoordinator, "eskilstuna", "", false, /*disabled=*/true);
  f.notes->ProcessPending();
  f.sink.sent.clear();

  f.RunAt("2026-06-02T10:00:00Z");  // three months after closing
  auto reminders = f.sink.OfType("CASE_EFFECT_REMINDER");
  REQUIRE(reminders.size() == 2);
  std::map<std::string, service::Notification> by_case;
  for (const auto& n : reminders) by_case[n.case_id] = n;
  CHECK(Usernames(by_case.at(kept.id)) == std::vector<std::string>{"coord2.eskilstuna"});
  CHECK(Usernames(by_case.at(orphan.id)) ==
        std::vector<std::string>{"coord.eskilstuna", "coord2.eskilstuna"});
  const auto& n = by_case.at(kept.id);
  CHECK(n.subject == "Dags att följa upp effekten av ärendet ”Fick ett lån”");
  CHECK(Contains(n.text, "avslutades 2026-03-02, för 3 månader sedan."));
  CHECK(Contains(n.text, "registrera effekten i Tillväxt"));
  CHECK(n.link == "https://tillvaxt.example.se/cases/" + kept.id);
  CHECK(Contains(n.ToJson(), "\"monthsAfterClose\":3"));

  // The node's digest coordinator has the orphaned one (it is the node's) but not the other
  // (it is coord2's); the manager counts both.
  auto sent = f.notes->RunDigest(At("2026-06-08T07:00:00Z"));
  REQUIRE(sent.ok());
  std::map<std::string, service::Notification> digests;
  for (const auto& d : f.sink.OfType("DIGEST")) digests[d.to[0].username] = d;
  const auto& coord = digests.at("digest.eskilstuna");
  CHECK(Contains(coord.text,
                 "- Dags att följa upp effekten (3 månader): ”Fick en mentor” – "
                 "https://tillvaxt.example.se/cases/" +
                     orphan.id));
  CHECK_FALSE(Contains(coord.text, "”Fick ett lån”"));
  CHECK(Contains(digests.at("manager").text, "- Påminnelser om effektuppföljning: 2\n"));
}
