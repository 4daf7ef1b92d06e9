#include "engine/service/seeder.h"

#include <array>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/domain/decider.h"

namespace tillvaxt::service {
namespace {

using base::Time;
using domain::Command;
using domain::Principal;
using domain::Role;
using Days = std::chrono::duration<double, std::ratio<86400>>;

constexpr std::array kPrefixes = {"Sörmlands", "Mälar",   "Eskil",     "Nyköpings", "Katrine",
                                  "Strängnäs", "Hjälmar", "Ekeby",     "Björk",     "Lind",
                                  "Berg",      "Sjö",     "Norr",      "Söder",     "Vik",
                                  "Ås",        "Dal",     "Torshälla", "Flen",      "Vingåker"};
constexpr std::array kSuffixes = {"verkstad", "mekaniska", "foder",      "bageri",  "data",
                                  "energi",   "plast",     "trä",        "robotik", "hälsa",
                                  "logistik", "livs",      "konsult",    "bygg",    "gjuteri",
                                  "tech",     "mejeri",    "elektronik", "design",  "biogas"};
constexpr std::array kFirstNames = {"Anna",   "Erik", "Maria",  "Lars",  "Karin",  "Johan", "Sara",
                                    "Mikael", "Eva",  "Anders", "Lena",  "Per",    "Emma",  "Ahmed",
                                    "Fatima", "Nils", "Ingrid", "Oskar", "Linnea", "Hassan"};
constexpr std::array kLastNames = {"Andersson", "Johansson", "Karlsson", "Nilsson",  "Eriksson",
                                   "Larsson",   "Olsson",    "Persson",  "Svensson", "Gustafsson",
                                   "Lindberg",  "Berg",      "Ali",      "Holm",     "Ek"};

struct NeedText {
  const char* need;
  std::array<const char*, 3> titles;
};
constexpr std::array kNeedTexts = {
    NeedText{"financing",
             {"Behöver finansiering för ny produktionslinje", "Söker kapital för expansion",
              "Finansiering av pilotprojekt"}},
    NeedText{"business-development",
             {"Vill utveckla affärsmodellen", "Ny strategi för försäljning",
              "Digitalisering av kundflödet"}},
    NeedText{"competence",
             {"Kompetensutveckling inom automation", "Utbildning i hållbar produktion",
              "Behöver kunskap om nya material"}},
    NeedText{"recruitment",
             {"Svårt att rekrytera ingenjörer", "Rekrytering av svetsare och tekniker",
              "Söker utvecklare med AI-kompetens"}},
    NeedText{
        "growth",
        {"Vill skala upp produktionen", "Växa till nya kundgrupper", "Expansion till ny lokal"}},
    NeedText{"innovation",
             {"Idé om ny biobaserad förpackning", "Testbädd för ny sensor",
              "Prototyp av digital tjänst för vården"}},
    NeedText{"internationalisation",
             {"Export till Tyskland", "Vill etablera sig i Norden", "Söker partner i EU-projekt"}},
};

constexpr std::array kOutcomes = {"SOLUTION",    "FINANCING", "NETWORK",  "COLLABORATION",
                                  "NEW_PROJECT", "REFERRAL",  "NO_ACTION"};
constexpr std::array<double, 7> kOutcomeWeights = {30, 15, 15, 12, 10, 10, 8};
constexpr std::array kEffects = {
    "FUNDING_GRANTED", "COLLABORATION_STARTED", "PEOPLE_HIRED", "NEW_PROJECT", "GROWTH", "NOTHING"};
constexpr std::array kSizes = {"MICRO", "SMALL", "MEDIUM", "LARGE"};
constexpr std::array<double, 4> kSizeWeights = {40, 35, 20, 5};

class Simulation {
 public:
  Simulation(const domain::Config& config, const SeedOptions& options)
      : config_(config), decider_(config), rng_(options.seed), now_(options.now) {}

  // One case (and any follow-up) from creation to where it stands at `now`.
  void RunCase(Time created, std::vector<store::CaseAppend>& out, int64_t& events) {
    const domain::Named& node = PickNode();
    Principal coordinator{"coord." + node.id, Role::kCoordinator, node.id, ""};
    domain::CaseDraft draft = MakeDraft(node);
    std::string id = NextId();
    auto created_events = decider_.Create(coordinator, draft, id, created);
    if (!created_events.ok()) return;  // a generator bug would show as missing cases
    Life life{domain::Fold(*created_events), *created_events, created};
    Live(life, coordinator, out, events);
    events += static_cast<int64_t>(life.events.size());
    out.push_back({0, std::move(life.events), std::move(life.c)});
  }

 private:
  struct Life {
    domain::Case c;
    std::vector<domain::Event> events;
    Time t;
  };

  double Uniform(double lo, double hi) { return std::uniform_real_distribution(lo, hi)(rng_); }
  bool Chance(double p) { return Uniform(0, 1) < p; }
  template <typename T>
  const auto& Pick(const T& items) {
    return items[std::uniform_int_distribution<size_t>(0, std::size(items) - 1)(rng_)];
  }
  template <size_t N>
  size_t Weighted(const std::array<double, N>& weights) {
    return std::discrete_distribution<size_t>(weights.begin(), weights.end())(rng_);
  }

  std::string NextId() {
    static constexpr char kAlphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
    uint64_t bits = rng_();
    std::string id(10, '0');
    for (char& ch : id) {
      ch = kAlphabet[bits & 31];
      bits >>= 5;
    }
    return id;
  }

  const domain::Named& PickNode() {
    // The first node (the largest, Eskilstuna in Sörmland) logs the most cases.
    std::vector<double> weights;
    for (size_t i = 0; i < config_.nodes.size(); ++i)
      weights.push_back(i == 0 ? 3.0 : 1.5 - 0.2 * double(i));
    for (double& w : weights) w = std::max(w, 0.5);
    return config_.nodes[std::discrete_distribution<size_t>(weights.begin(), weights.end())(rng_)];
  }

  std::string OrgNumber() {
    std::array<int, 10> d{};
    d[0] = 5;
    d[1] = 5;
    d[2] = 6 + static_cast<int>(rng_() % 4);
    for (int i = 3; i < 9; ++i) d[i] = static_cast<int>(rng_() % 10);
    int sum = 0;
    for (int i = 0; i < 9; ++i) {
      int v = d[i] * (i % 2 == 0 ? 2 : 1);
      sum += v / 10 + v % 10;
    }
    d[9] = (10 - sum % 10) % 10;
    std::string s;
    for (int i = 0; i < 10; ++i) {
      if (i == 6) s += '-';
      s += static_cast<char>('0' + d[i]);
    }
    return s;
  }

  std::vector<std::string> PickSome(const std::vector<domain::Named>& items, int lo, int hi) {
    int n = std::uniform_int_distribution(lo, hi)(rng_);
    std::vector<std::string> picked;
    for (int i = 0; i < n * 3 && static_cast<int>(picked.size()) < n && !items.empty(); ++i) {
      const std::string& id = Pick(items).id;
      if (std::find(picked.begin(), picked.end(), id) == picked.end()) picked.push_back(id);
    }
    return picked;
  }

  domain::CaseDraft MakeDraft(const domain::Named& node) {
    domain::CaseDraft d;
    std::string company = std::string(Pick(kPrefixes)) + Pick(kSuffixes) + " AB";
    d.needs = PickSome(config_.needs, 1, 2);
    d.areas = PickSome(config_.areas, 0, 2);
    d.title = d.needs.empty() ? "Behov av stöd" : TitleFor(d.needs[0]);
    // Free text never names the company: a candidate reads the title and description of a
    // case it sees anonymised (and could search for them), so the identity stays in `company`.
    d.description = "Företaget i " + node.name + " vill ha hjälp: " + d.title +
                    ". Det har vuxit de senaste åren och söker rätt aktör att samarbeta med.";
    d.company = {company, OrgNumber(), node.name, kSizes[Weighted(kSizeWeights)], ""};
    std::string first = Pick(kFirstNames), last = Pick(kLastNames);
    d.contact = {first + " " + last, Ascii(first) + "." + Ascii(last) + "@example.se",
                 "070-" + std::to_string(1000000 + rng_() % 9000000)};
    return d;
  }

  std::string TitleFor(const std::string& need) {
    for (const NeedText& t : kNeedTexts) {
      if (need == t.need) return Pick(t.titles);
    }
    return "Behov av stöd inom " + need;
  }

  static std::string Ascii(const std::string& name) {
    std::string out;
    for (char ch : name) {
      if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z')) {
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      }
    }
    return out;
  }

  // Fires one command `after_days` later; false when that is in the future (the case stays
  // where it is) or the workflow refuses (the case stops there).
  bool Step(Life& life, const Principal& who, Command cmd, double after_days) {
    Time t = life.t + std::chrono::duration_cast<base::Millis>(Days(after_days));
    if (t > now_) return false;
    auto events = decider_.Decide(config_.workflow, life.c, who, cmd, t, Load());
    if (!events.ok()) return false;
    for (const domain::Event& e : *events) {
      TrackLoad(life.c, e);
      domain::Apply(life.c, e);
    }
    life.events.insert(life.events.end(), events->begin(), events->end());
    life.t = t;
    return true;
  }

  void TrackLoad(const domain::Case& before, const domain::Event& e) {
    if (e.type == domain::EventType::kClaimed) ++inputs_.open_cases[e.actor];
    if (!before.assignee.empty()) {
      // The assignee's load drops when the case leaves it or leaves the open states.
      bool was_open = IsOpen(e.from_state);
      bool leaves = e.type == domain::EventType::kReleased ||
                    e.type == domain::EventType::kReassigned ||
                    e.type == domain::EventType::kEscalated ||
                    e.type == domain::EventType::kUnmatched || (was_open && !IsOpen(e.to_state));
      if (leaves && was_open) --inputs_.open_cases[before.assignee];
      if (e.type == domain::EventType::kReassigned) ++inputs_.open_cases[e.actor];
    }
  }

  bool IsOpen(const std::string& state) const {
    const domain::State* s = config_.workflow.FindState(state);
    return s != nullptr && s->open;
  }

  // The decision inputs as they are now: the routing load kept up to date as cases move.
  const domain::DecisionInputs& Load() const { return inputs_; }

  static Principal ActorUser(const std::string& actor) {
    return {"actor." + actor, Role::kActor, "", actor};
  }

  Command Act(const std::string& action, const std::string& reason = "") {
    Command c;
    c.action = action;
    c.reason = reason;
    return c;
  }

  void Live(Life& life, const Principal& coord, std::vector<store::CaseAppend>& out,
            int64_t& events) {
    if (Chance(0.03)) {
      Step(life, coord, Act("reject", "Ligger utanför uppdraget"), Uniform(0.1, 2));
      return;
    }
    Command triage = Act("triage");
    triage.needs = life.c.needs.empty() ? PickSome(config_.needs, 1, 2) : life.c.needs;
    triage.areas = life.c.areas;
    if (!Step(life, coord, triage, Uniform(0.05, 3))) return;
    // Matched: candidates claim, decline or let the deadline pass; coordinators escalate.
    for (int round = 0; round < 12 && life.c.state == config_.workflow.matched_state; ++round) {
      double r = Uniform(0, 1);
      if (life.c.candidates.empty()) return;
      const std::string& first = life.c.candidates.front();
      if (r < 0.62) {
        if (!Step(life, ActorUser(first), Act("claim"), Uniform(0.1, 6))) return;
      } else if (r < 0.85) {
        if (!Step(life, ActorUser(first), Act("decline", "Passar inte vår inriktning"),
                  Uniform(0.3, 4))) {
          return;
        }
      } else if (r < 0.95) {
        if (!Step(life, coord, Act("escalate", "Ingen återkoppling på nivån"), Uniform(2, 8))) {
          return;
        }
      } else {
        Step(life, coord, Act("withdraw", "Företaget löste det själv"), Uniform(1, 10));
        return;
      }
    }
    if (life.c.state != "CLAIMED") return;
    Principal assignee = ActorUser(life.c.assignee);
    if (Chance(0.05)) {
      Step(life, assignee, Act("release", "Saknar kapacitet just nu"), Uniform(0.5, 3));
      return;
    }
    if (!Step(life, assignee, Act("start"), Uniform(0.1, 3))) return;
    if (Chance(0.2)) {
      if (!Step(life, assignee, Act("wait", "Väntar på underlag från företaget"), Uniform(2, 15))) {
        return;
      }
      if (!Step(life, assignee, Act("resume"), Uniform(2, 20))) return;
    }
    Command resolve = Act("resolve");
    resolve.outcome = {kOutcomes[Weighted(kOutcomeWeights)], "Företaget fick stöd."};
    if (!Step(life, assignee, resolve, Uniform(3, 60))) return;
    Command close = Act("close");
    close.feedback = "Nöjd kund";
    if (!Step(life, coord, close, Uniform(0.5, 10))) return;
    if (Chance(0.04)) FollowUp(life, coord, out, events);
    for (int months : {3, 6, 12}) {
      if (!Chance(0.35)) continue;
      Command effect = Act("recordEffect");
      effect.effect = {Pick(kEffects), "Uppföljning efter " + std::to_string(months) + " månader"};
      effect.months_after_close = months;
      if (!Step(life, coord, effect, months * 30.4 - (life.t - life.c.state_time) / Days(1))) {
        return;
      }
    }
  }

  void FollowUp(Life& parent, const Principal& coord, std::vector<store::CaseAppend>& out,
                int64_t& events) {
    Command cmd = Act("followUp");
    cmd.child_id = NextId();
    cmd.title = "Uppföljning: " + parent.c.title;
    cmd.description = "Nytt behov som växte fram ur ärende " + parent.c.id + ".";
    cmd.needs = PickSome(config_.needs, 1, 1);
    if (!Step(parent, coord, cmd, Uniform(1, 20))) return;
    domain::CaseDraft draft{.title = cmd.title,
                            .description = cmd.description,
                            .company = parent.c.company,
                            .contact = parent.c.contact,
                            .node = parent.c.node,
                            .parent_id = parent.c.id,
                            .needs = cmd.needs,
                            .areas = {}};
    auto created = decider_.Create(coord, draft, cmd.child_id, parent.t);
    if (!created.ok()) return;
    Life child{domain::Fold(*created), *created, parent.t};
    Live(child, coord, out, events);
    events += static_cast<int64_t>(child.events.size());
    out.push_back({0, std::move(child.events), std::move(child.c)});
  }

  const domain::Config& config_;
  domain::Decider decider_;
  std::mt19937_64 rng_;
  Time now_;
  domain::DecisionInputs inputs_;
};

}  // namespace

base::Result<SeedSummary> Seed(const domain::Config& config, store::CaseLog& log,
                               const SeedOptions& options) {
  if (options.cases < 0) return base::InvalidArgument("--cases must not be negative");
  if (config.nodes.empty()) return base::InvalidArgument("the configuration has no nodes");
  Simulation sim(config, options);
  Time start = options.now - std::chrono::duration_cast<base::Millis>(Days(365.25 * options.years));
  auto span = options.now - start;
  SeedSummary summary;
  std::vector<store::CaseAppend> batch;
  for (int64_t i = 0; i < options.cases; ++i) {
    // Spread over the period, a little denser towards the present (the system grows).
    double x = (static_cast<double>(i) + 0.5) / static_cast<double>(options.cases);
    double shaped = 0.7 * x + 0.3 * x * x;
    Time created = start + std::chrono::duration_cast<base::Millis>(span * shaped);
    sim.RunCase(created, batch, summary.events);
    if (static_cast<int>(batch.size()) >= options.batch_cases || i + 1 == options.cases) {
      summary.cases += static_cast<int64_t>(batch.size());
      TV_RETURN_IF_ERROR(log.Append(std::move(batch)));
      batch.clear();
      if (options.progress) options.progress(i + 1, options.cases);
    }
  }
  return summary;
}

}  // namespace tillvaxt::service
