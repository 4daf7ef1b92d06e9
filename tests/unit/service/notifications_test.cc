#include "engine/service/notifications.h"

#include <catch2/catch.hpp>
#include <map>

#include "engine/service/case_service.h"
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
