#include "engine/service/notifications.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <unordered_map>
#include <utility>

#include "engine/domain/calendar.h"
#include "engine/domain/principal.h"

namespace tillvaxt::service {
namespace {

using domain::EventType;
using store::UserRecord;

// ---- JSON, HTML and words -----------------------------------------------------------------

void AppendJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          *out += buf;
        } else {
          out->push_back(ch);
        }
    }
  }
  out->push_back('"');
}

std::string Json(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

// "lokal", "regional", ... for "<x> nivå"; unknown levels as they are.
std::string LevelWord(const std::string& level) {
  if (level == "LOCAL") return "lokal";
  if (level == "REGIONAL") return "regional";
  if (level == "NATIONAL") return "nationell";
  if (level == "INTERNATIONAL") return "internationell";
  return level;
}

std::string OutcomeWord(const std::string& kind) {
  static const std::map<std::string, std::string> kWords = {
      {"SOLUTION", "Lösning"},        {"NETWORK", "Nätverk"},
      {"COLLABORATION", "Samarbete"}, {"NEW_PROJECT", "Nytt projekt"},
      {"FINANCING", "Finansiering"},  {"REFERRAL", "Hänvisning"},
      {"NO_ACTION", "Ingen åtgärd"}};
  auto it = kWords.find(kind);
  return it == kWords.end() ? kind : it->second;
}

std::string ReasonWord(const std::string& reason) {
  if (reason == "SLA") return "tidsgränsen för att ta ärendet passerades";
  if (reason == "ALL_DECLINED") return "alla kandidater avböjde";
  if (reason == "NO_CANDIDATES") return "inga kandidater på nivån";
  return reason;
}

std::string NodeName(const domain::Config& config, const std::string& id) {
  for (const auto& n : config.nodes) {
    if (n.id == id) return n.name;
  }
  return id;
}

std::string ActorName(const domain::Config& config, const std::string& id) {
  const domain::Actor* a = config.FindActor(id);
  return a ? a->name : id;
}

std::string NeedNames(const domain::Config& config, const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) {
    std::string name = id;
    for (const auto& n : config.needs) {
      if (n.id == id) name = n.name;
    }
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

std::string Date(base::Time t) { return base::FormatRfc3339(t).substr(0, 10); }

// "2026-03-04 kl. 10:00", in Swedish local time.
std::string LocalTime(base::Time t) {
  std::string local = base::FormatRfc3339(t + domain::StockholmOffset(t));  // ...THH:MM:SS...
  return local.substr(0, 10) + " kl. " + local.substr(11, 5);
}

// A state as the web app names it in Swedish; unknown states as they are.
std::string StateWord(const std::string& state) {
  static const std::map<std::string, std::string> kWords = {
      {"NEW", "Ny"},        {"TRIAGED", "Klassad"},   {"MATCHED", "Matchad"},
      {"CLAIMED", "Tagen"}, {"IN_PROGRESS", "Pågår"}, {"WAITING", "Väntar på företaget"},
      {"RESOLVED", "Löst"}, {"CLOSED", "Avslutad"}};
  auto it = kWords.find(state);
  return it == kWords.end() ? state : it->second;
}

// ---- Message layout: one draft renders to plain text and HTML alike ----------------------

// A list item, with a link to the case it is about when there is one.
struct Item {
  Item(std::string item_text, std::string item_link = {})  // NOLINT: implicit from a text
      : text(std::move(item_text)), link(std::move(item_link)) {}
  std::string text;
  std::string link;
};

struct Section {
  std::string heading;
  std::vector<std::string> paragraphs;
  std::vector<Item> items;
};

struct Draft {
  std::string subject;
  std::vector<Section> sections;
  std::string link;  // full URL or empty
  std::string link_text;
};

constexpr char kFooter[] =
    "Det här är ett automatiskt meddelande från Tillväxt, Region Sörmlands arbetsflöde för "
    "Team Tillväxt. Vill du hellre få en sammanfattning i veckan? Be din administratör slå på "
    "veckosammanfattning.";

void Render(const Draft& d, Notification* n) {
  n->subject = d.subject;
  std::string text = "Hej!\n\n";
  std::string html = "<!DOCTYPE html>\n<html lang=\"sv\"><head><meta charset=\"utf-8\"><title>" +
                     HtmlEscape(d.subject) +
                     "</title></head>\n<body style=\"font-family:sans-serif\">\n<p>Hej!</p>\n";
  for (const Section& s : d.sections) {
    if (!s.heading.empty()) {
      text += s.heading + "\n" + std::string(std::min<size_t>(s.heading.size(), 60), '-') + "\n";
      html += "<h2>" + HtmlEscape(s.heading) + "</h2>\n";
    }
    for (const auto& p : s.paragraphs) {
      text += p + "\n\n";
      html += "<p>" + HtmlEscape(p) + "</p>\n";
    }
    if (!s.items.empty()) {
      html += "<ul>\n";
      for (const Item& item : s.items) {
        if (item.link.empty()) {
          text += "- " + item.text + "\n";
          html += "<li>" + HtmlEscape(item.text) + "</li>\n";
        } else {
          text += "- " + item.text + " – " + item.link + "\n";
          html += "<li><a href=\"" + HtmlEscape(item.link) + "\">" + HtmlEscape(item.text) +
                  "</a></li>\n";
        }
      }
      html += "</ul>\n";
      text += "\n";
    }
  }
  if (!d.link.empty()) {
    text += d.link_text + ": " + d.link + "\n\n";
    html += "<p><a href=\"" + HtmlEscape(d.link) + "\">" + HtmlEscape(d.link_text) + "</a></p>\n";
  }
  text += "-- \n" + std::string(kFooter) + "\n";
  html += "<hr><p style=\"color:#555;font-size:small\">" + HtmlEscape(kFooter) +
          "</p>\n</body></html>\n";
  n->text = std::move(text);
  n->html = std::move(html);
}

std::string EventJson(const domain::Event& e) {
  std::string j =
      "{\"type\":" + Json(domain::EventTypeName(e.type)) + ",\"caseId\":" + Json(e.case_id) +
      ",\"seq\":" + std::to_string(e.seq) + ",\"action\":" + Json(e.action) +
      ",\"time\":" + Json(base::FormatRfc3339(e.time)) + ",\"user\":" + Json(e.user) +
      ",\"fromState\":" + Json(e.from_state) + ",\"toState\":" + Json(e.to_state) +
      ",\"level\":" + Json(e.level) + ",\"fromLevel\":" + Json(e.from_level) +
      ",\"reason\":" + Json(e.reason) + ",\"actor\":" + Json(e.actor) + ",\"candidates\":[";
  for (size_t i = 0; i < e.matches.size(); ++i) {
    if (i) j += ",";
    j += Json(e.matches[i].actor);
  }
  j += "],\"percent\":" + std::to_string(e.percent) +
       ",\"monthsAfterClose\":" + std::to_string(e.months_after_close) + "}";
  return j;
}

bool WantsEventMail(const UserRecord& u, const std::string& cause_user) {
  return !u.disabled && !u.digest && u.username != cause_user;
}

Recipient ToRecipient(const UserRecord& u) { return {u.username, u.email, u.display_name}; }

std::vector<Recipient> ActorUsers(const std::vector<UserRecord>& users, const std::string& actor,
                                  const std::string& cause_user) {
  std::vector<Recipient> out;
  for (const auto& u : users) {
    if (u.role == domain::Role::kActor && u.actor == actor && WantsEventMail(u, cause_user)) {
      out.push_back(ToRecipient(u));
    }
  }
  return out;
}

std::vector<Recipient> NodeCoordinators(const std::vector<UserRecord>& users,
                                        const std::string& node, const std::string& cause_user) {
  std::vector<Recipient> out;
  for (const auto& u : users) {
    if (u.role == domain::Role::kCoordinator && u.node == node && WantsEventMail(u, cause_user)) {
      out.push_back(ToRecipient(u));
    }
  }
  return out;
}

// ---- The timers: SLA warnings, overdue notices, lapsed claims, effect reminders --------------

bool IsClaimLapse(const domain::Event& e) {
  return e.type == EventType::kReleased && e.user == domain::Principal::System().username;
}

bool IsTimer(const domain::Event& e) {
  return e.type == EventType::kSlaWarning || e.type == EventType::kSlaOverdue ||
         e.type == EventType::kEffectReminder || IsClaimLapse(e);
}

// Whether the service routes `e` at all.
bool Notifies(const domain::Event& e) {
  return e.type == EventType::kRouted || e.type == EventType::kClaimed ||
         e.type == EventType::kEscalated || e.type == EventType::kResolved || IsTimer(e);
}

// The case's assignee just after event `seq`, from its history.
std::string AssigneeAt(const std::vector<domain::Event>& history, int64_t seq) {
  std::string assignee;
  for (const domain::Event& e : history) {
    if (e.seq > seq) break;
    if (e.type == EventType::kClaimed || e.type == EventType::kReassigned) assignee = e.actor;
    if (e.type == EventType::kReleased || e.type == EventType::kEscalated ||
        e.type == EventType::kUnmatched) {
      assignee.clear();
    }
  }
  return assignee;
}

// Who a timer event is for, before each user's own choices (WantsEventMail, the digest):
//   SLA_WARNING, SLA_OVERDUE  the users of the case's assignee then and the node's coordinators;
//   a lapsed claim            the users of the actor that lost the case (the event's actor);
//   EFFECT_REMINDER           the coordinator who closed the case while they are still an
//                             enabled coordinator of its node, else all the node's coordinators.
// `history` is the case's history (at least up to the event). Disabled users are never in it.
std::vector<const UserRecord*> TimerAudience(const domain::Event& e, const domain::Case& c,
                                             const std::vector<domain::Event>& history,
                                             const std::vector<UserRecord>& users) {
  std::vector<const UserRecord*> out;
  auto add = [&out](const UserRecord& u) {
    if (u.disabled) return;
    for (const UserRecord* x : out) {
      if (x->username == u.username) return;
    }
    out.push_back(&u);
  };
  auto coordinators = [&] {
    for (const auto& u : users) {
      if (u.role == domain::Role::kCoordinator && u.node == c.node) add(u);
    }
  };
  auto actor_users = [&](const std::string& actor) {
    if (actor.empty()) return;
    for (const auto& u : users) {
      if (u.role == domain::Role::kActor && u.actor == actor) add(u);
    }
  };
  if (e.type == EventType::kSlaWarning || e.type == EventType::kSlaOverdue) {
    actor_users(AssigneeAt(history, e.seq));
    coordinators();
  } else if (IsClaimLapse(e)) {
    actor_users(e.actor);
  } else if (e.type == EventType::kEffectReminder) {
    const std::string closer = ClosedBy(history, e);
    for (const auto& u : users) {
      if (!closer.empty() && u.username == closer && StillCoordinates(u, c.node)) {
        add(u);
        return out;
      }
    }
    coordinators();
  }
  return out;
}

const char* TimerType(const domain::Event& e) {
  switch (e.type) {
    case EventType::kSlaWarning:
      return "CASE_SLA_WARNING";
    case EventType::kSlaOverdue:
      return "CASE_OVERDUE";
    case EventType::kEffectReminder:
      return "CASE_EFFECT_REMINDER";
    default:
      return "CASE_CLAIM_EXPIRED";
  }
}

// What happens by itself at the deadline of `state`, as the end of a sentence; "" when the
// deadline only notifies.
std::string AtDeadline(const domain::Config& config, const std::string& state) {
  const domain::Sla* sla = config.workflow.FindSla(state);
  if (sla == nullptr || sla->fire.empty()) return "";
  const domain::Transition* t = config.workflow.FindTransition(sla->fire);
  if (t == nullptr) return "";
  if (t->effect == domain::Effect::kEscalate) return "går ärendet automatiskt upp en nivå";
  if (t->effect == domain::Effect::kRelease) {
    return "lämnas ärendet tillbaka till de andra kandidaterna";
  }
  return "";
}

// The message of a timer event.
Draft TimerDraft(const domain::Config& config, const domain::Event& e, const domain::Case& c) {
  Draft d;
  Section s;
  const std::string title = "”" + c.title + "”";
  const std::string node = NodeName(config, c.node);
  const std::string deadline = e.deadline ? LocalTime(*e.deadline) : "";
  if (e.type == EventType::kSlaWarning) {
    d.subject = "Tidsgränsen närmar sig för ärendet " + title;
    s.paragraphs.push_back("Ärendet " + title + " från " + node + " har använt " +
                           std::to_string(e.percent) + " % av tiden i läget ”" +
                           StateWord(e.to_state) + "”." +
                           (deadline.empty() ? "" : " Tidsgränsen är " + deadline + "."));
    const std::string then = AtDeadline(config, e.to_state);
    s.paragraphs.push_back(then.empty() ? "Se till att ärendet kommer vidare före tidsgränsen."
                                        : "Händer inget före tidsgränsen " + then + ".");
  } else if (e.type == EventType::kSlaOverdue) {
    d.subject = "Tidsgränsen har passerats för ärendet " + title;
    s.paragraphs.push_back("Ärendet " + title + " från " + node +
                           " har passerat tidsgränsen för läget ”" + StateWord(e.to_state) + "”" +
                           (deadline.empty() ? "" : " (" + deadline + ")") + ".");
    s.paragraphs.push_back("Ta hand om det så snart som möjligt.");
  } else if (e.type == EventType::kEffectReminder) {
    d.subject = "Dags att följa upp effekten av ärendet " + title;
    s.paragraphs.push_back("Ärendet " + title + " från " + node + " avslutades " +
                           Date(c.state_time) + ", för " + std::to_string(e.months_after_close) +
                           " månader sedan.");
    s.paragraphs.push_back(
        "Fråga företaget vad hjälpen ledde till och registrera effekten i Tillväxt, eller skapa "
        "ett uppföljningsärende om det behöver mer stöd.");
  } else {
    const std::string actor = ActorName(config, e.actor);
    d.subject = "Ärendet " + title + " har lämnats tillbaka";
    s.paragraphs.push_back(actor + " tog ärendet " + title +
                           ", men tiden för att komma igång gick ut. Ärendet har lämnats "
                           "tillbaka och går vidare till andra aktörer.");
    s.paragraphs.push_back("Har ni redan kontakt med företaget? Hör av er till nodkoordinatorn i " +
                           node + ".");
  }
  d.sections.push_back(std::move(s));
  return d;
}

// A timer event as one line of a digest.
std::string TimerLine(const domain::Event& e, const std::string& title) {
  switch (e.type) {
    case EventType::kSlaWarning:
      return "Tidsgränsen närmar sig (" + std::to_string(e.percent) + " %): " + title;
    case EventType::kSlaOverdue:
      return "Tidsgränsen passerad: " + title;
    case EventType::kEffectReminder:
      return "Dags att följa upp effekten (" + std::to_string(e.months_after_close) +
             " månader): " + title;
    default:
      return "Lämnat tillbaka, tiden för att komma igång gick ut: " + title;
  }
}

}  // namespace

std::string ClosedBy(const std::vector<domain::Event>& history, const domain::Event& reminder) {
  std::string user;
  for (const domain::Event& e : history) {
    if (e.seq > reminder.seq) break;
    if (e.to_state == reminder.to_state && e.from_state != reminder.to_state) user = e.user;
  }
  return user;
}

bool StillCoordinates(const UserRecord& user, const std::string& node) {
  return !user.disabled && user.role == domain::Role::kCoordinator && user.node == node;
}

// ---- Notification --------------------------------------------------------------------------

std::string Notification::ToJson() const {
  std::string j = "{\"id\":" + Json(id) + ",\"type\":" + Json(type) + ",\"to\":[";
  for (size_t i = 0; i < to.size(); ++i) {
    if (i) j += ",";
    j += "{\"username\":" + Json(to[i].username) + ",\"email\":" + Json(to[i].email) +
         ",\"displayName\":" + Json(to[i].display_name) + "}";
  }
  j += "],\"subject\":" + Json(subject) + ",\"text\":" + Json(text) + ",\"html\":" + Json(html) +
       ",\"caseId\":" + Json(case_id) + ",\"link\":" + Json(link) +
       ",\"event\":" + (event_json.empty() ? "{}" : event_json) + "}";
  return j;
}

// ---- FileDigestState -----------------------------------------------------------------------

FileDigestState::FileDigestState(std::string path) : path_(std::move(path)) {}

void FileDigestState::LoadLocked() {
  if (loaded_) return;
  loaded_ = true;
  std::ifstream in(path_);
  std::string line;
  while (std::getline(in, line)) {
    auto tab = line.find('\t');
    if (tab == std::string::npos) continue;
    try {
      last_[line.substr(0, tab)] = base::FromUnixMillis(std::stoll(line.substr(tab + 1)));
    } catch (const std::exception&) {
      // A damaged line only means that user may get this week's digest again.
    }
  }
}

std::optional<base::Time> FileDigestState::LastDigest(const std::string& username) {
  std::lock_guard lock(mu_);
  LoadLocked();
  auto it = last_.find(username);
  if (it == last_.end()) return std::nullopt;
  return it->second;
}

base::Status FileDigestState::SetLastDigest(const std::string& username, base::Time time) {
  std::lock_guard lock(mu_);
  LoadLocked();
  last_[username] = time;
  std::string tmp = path_ + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    for (const auto& [user, t] : last_) out << user << '\t' << base::ToUnixMillis(t) << '\n';
    out.flush();
    if (!out) return base::Unavailable("cannot write digest state " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path_, ec);
  if (ec) return base::Unavailable("cannot replace digest state " + path_ + ": " + ec.message());
  return base::Status::Ok();
}

// ---- NotificationService -------------------------------------------------------------------

base::Time DigestBoundary(base::Time now) {
  using namespace std::chrono;
  auto day = floor<days>(now);
  auto since_monday = (weekday(day) - Monday).count();  // 0..6
  base::Time boundary = time_point_cast<base::Millis>(day - days(since_monday) + hours(6));
  if (boundary > now) boundary -= days(7);
  return boundary;
}

NotificationService::NotificationService(const domain::Config& config, store::CaseLog& log,
                                         store::CaseQueries& cases, store::UserStore& users,
                                         const base::Clock& clock, NotificationSink& sink,
                                         DigestState& digest_state, NotificationOptions options)
    : config_(config),
      log_(log),
      cases_(cases),
      users_(users),
      clock_(clock),
      sink_(sink),
      digest_state_(digest_state),
      options_(std::move(options)) {}

NotificationService::~NotificationService() { Stop(); }

void NotificationService::OnCommitted(const std::vector<domain::Event>& events) {
  bool relevant = std::any_of(events.begin(), events.end(), Notifies);
  if (!relevant) return;
  {
    std::lock_guard lock(mu_);
    if (pending_events_ + events.size() > options_.max_pending_events) {
      dropped_events_ += static_cast<int64_t>(events.size());
      return;
    }
    pending_.push_back(events);
    pending_events_ += events.size();
  }
  cv_.notify_one();
}

void NotificationService::OnOfferCommitted(const std::vector<domain::OfferEvent>& events) {
  std::map<std::string, OfferNotice> notices;  // by offer id
  for (const domain::OfferEvent& e : events) {
    if (e.type == domain::OfferEventType::kPublished) {
      OfferNotice& n = notices[e.offer_id];
      n.offer_id = e.offer_id;
      n.publisher_actor = e.actor;
      n.publisher_user = e.user;
      if (e.draft) {
        n.title = e.draft->title;
        n.kind = e.draft->kind;
        n.valid_until = e.draft->valid_until;
      }
    } else if (e.type == domain::OfferEventType::kChannelled) {
      OfferNotice& n = notices[e.offer_id];
      n.offer_id = e.offer_id;
      n.actors.insert(n.actors.end(), e.recipients.actors.begin(), e.recipients.actors.end());
      n.nodes.insert(n.nodes.end(), e.recipients.nodes.begin(), e.recipients.nodes.end());
    }
  }
  if (notices.empty()) return;
  {
    std::lock_guard lock(mu_);
    for (auto& [id, n] : notices) {
      if (n.actors.empty() && n.nodes.empty()) continue;
      if (n.title.empty()) n.title = id;
      if (pending_offers_.size() >= options_.max_pending_events) {
        ++dropped_events_;
        continue;
      }
      pending_offers_.push_back(std::move(n));
    }
  }
  cv_.notify_one();
}

void NotificationService::ProcessPending() {
  std::lock_guard route_lock(route_mu_);
  while (true) {
    std::vector<domain::Event> batch;
    std::optional<OfferNotice> offer;
    {
      std::lock_guard lock(mu_);
      if (!pending_offers_.empty()) {
        offer = std::move(pending_offers_.front());
        pending_offers_.pop_front();
      } else if (!pending_.empty()) {
        batch = std::move(pending_.front());
        pending_.pop_front();
        pending_events_ -= batch.size();
      } else {
        return;
      }
    }
    if (offer) {
      if (!NotifyOfferRecipients(*offer).ok()) {
        std::lock_guard lock(mu_);
        ++routing_errors_;
      }
    } else {
      Route(batch);
    }
  }
}

void NotificationService::Route(const std::vector<domain::Event>& events) {
  auto users = users_.ListUsers();
  if (!users.ok()) {
    std::lock_guard lock(mu_);
    ++routing_errors_;
    return;
  }
  std::unordered_map<std::string, domain::Case> cases;
  std::unordered_map<std::string, std::vector<domain::Event>> histories;
  for (const domain::Event& e : events) {
    if (!Notifies(e)) continue;
    auto it = cases.find(e.case_id);
    if (it == cases.end()) {
      auto c = cases_.GetCase(e.case_id);
      if (!c.ok()) {
        std::lock_guard lock(mu_);
        ++routing_errors_;
        continue;
      }
      it = cases.emplace(e.case_id, std::move(*c)).first;
    }
    static const std::vector<domain::Event> kNone;
    const std::vector<domain::Event>* history = &kNone;
    if (IsTimer(e)) {
      auto h = histories.find(e.case_id);
      if (h == histories.end()) {
        auto read = log_.GetEvents(e.case_id);
        if (!read.ok()) {
          std::lock_guard lock(mu_);
          ++routing_errors_;
          continue;
        }
        h = histories.emplace(e.case_id, std::move(*read)).first;
      }
      history = &h->second;
    }
    RouteEvent(e, it->second, *history, *users);
  }
}

std::string NotificationService::CaseLink(const std::string& case_id) const {
  return options_.base_url.empty() ? "" : options_.base_url + "/cases/" + case_id;
}

void NotificationService::RouteTimer(const domain::Event& e, const domain::Case& c,
                                     const std::vector<domain::Event>& history,
                                     const std::vector<UserRecord>& users) {
  Notification n;
  for (const UserRecord* u : TimerAudience(e, c, history, users)) {
    if (WantsEventMail(*u, e.user)) n.to.push_back(ToRecipient(*u));
  }
  if (n.to.empty()) return;
  n.id = c.id + "-" + std::to_string(e.seq);
  n.type = TimerType(e);
  n.case_id = c.id;
  n.link = CaseLink(c.id);
  n.event_json = EventJson(e);
  Draft d = TimerDraft(config_, e, c);
  d.link = n.link;
  d.link_text = "Öppna ärendet";
  Render(d, &n);
  Emit(std::move(n));
}

void NotificationService::RouteEvent(const domain::Event& e, const domain::Case& c,
                                     const std::vector<domain::Event>& history,
                                     const std::vector<UserRecord>& users) {
  if (IsTimer(e)) {
    RouteTimer(e, c, history, users);
    return;
  }
  std::string link = CaseLink(c.id);
  auto base = [&](const std::string& type) {
    Notification n;
    n.id = c.id + "-" + std::to_string(e.seq);
    n.type = type;
    n.case_id = c.id;
    n.link = link;
    n.event_json = EventJson(e);
    return n;
  };
  switch (e.type) {
    case EventType::kRouted: {
      for (const domain::Match& m : e.matches) {
        Notification n = base("CASE_ROUTED");
        n.id += "-" + m.actor;
        n.to = ActorUsers(users, m.actor, e.user);
        if (n.to.empty()) continue;
        std::string actor = ActorName(config_, m.actor);
        Draft d;
        d.subject = "Nytt ärende för " + actor + ": " + c.title;
        Section s;
        s.paragraphs.push_back("Ärendet ”" + c.title + "” har matchats mot " + actor + " på " +
                               LevelWord(e.level) + " nivå. Ni är en av " +
                               std::to_string(e.matches.size()) + " föreslagna aktörer.");
        if (!c.needs.empty()) s.paragraphs.push_back("Behov: " + NeedNames(config_, c.needs) + ".");
        if (config_.reveal_to_candidates && !c.company.name.empty()) {
          s.paragraphs.push_back(
              "Företag: " + c.company.name +
              (c.company.municipality.empty() ? "" : " (" + c.company.municipality + ")") + ".");
        }
        s.paragraphs.push_back(
            "Ta ärendet eller avböj det i Tillväxt, så går det vidare utan dröjsmål.");
        d.sections.push_back(std::move(s));
        d.link = link;
        d.link_text = "Öppna ärendet";
        Render(d, &n);
        Emit(std::move(n));
      }
      break;
    }
    case EventType::kClaimed:
    case EventType::kEscalated:
    case EventType::kResolved: {
      Notification n = base(e.type == EventType::kClaimed     ? "CASE_CLAIMED"
                            : e.type == EventType::kEscalated ? "CASE_ESCALATED"
                                                              : "CASE_RESOLVED");
      n.to = NodeCoordinators(users, c.node, e.user);
      if (n.to.empty()) return;
      Draft d;
      Section s;
      std::string node = NodeName(config_, c.node);
      if (e.type == EventType::kClaimed) {
        std::string actor = ActorName(config_, e.actor);
        d.subject = actor + " har tagit ärendet ”" + c.title + "”";
        s.paragraphs.push_back(actor + " har tagit ärendet ”" + c.title + "” från " + node +
                               " och kontaktar företaget.");
      } else if (e.type == EventType::kEscalated) {
        d.subject = "Ärendet ”" + c.title + "” har eskalerats till " + LevelWord(e.level) + " nivå";
        s.paragraphs.push_back("Ärendet ”" + c.title + "” från " + node + " har gått upp från " +
                               LevelWord(e.from_level) + " till " + LevelWord(e.level) + " nivå.");
        if (!e.reason.empty()) s.paragraphs.push_back("Orsak: " + ReasonWord(e.reason) + ".");
      } else {
        d.subject = "Ärendet ”" + c.title + "” är löst";
        std::string who = c.assignee.empty() ? "" : " av " + ActorName(config_, c.assignee);
        s.paragraphs.push_back("Ärendet ”" + c.title + "” från " + node + " har lösts" + who + ".");
        if (!e.outcome.kind.empty())
          s.paragraphs.push_back("Utfall: " + OutcomeWord(e.outcome.kind) + ".");
        if (!e.outcome.note.empty()) s.paragraphs.push_back("Anteckning: " + e.outcome.note);
        s.paragraphs.push_back("Stäng ärendet när företaget har bekräftat resultatet.");
      }
      d.sections.push_back(std::move(s));
      d.link = link;
      d.link_text = "Öppna ärendet";
      Render(d, &n);
      Emit(std::move(n));
      break;
    }
    default:
      break;
  }
}

void NotificationService::Emit(Notification n) {
  sink_.Send(n);
  std::lock_guard lock(mu_);
  ++sent_;
}

base::Result<int> NotificationService::NotifyOfferRecipients(const OfferNotice& offer) {
  auto users = users_.ListUsers();
  if (!users.ok()) return users.status();
  std::vector<Recipient> to;
  std::set<std::string> seen;
  auto add = [&](std::vector<Recipient> rs) {
    for (auto& r : rs) {
      if (seen.insert(r.username).second) to.push_back(std::move(r));
    }
  };
  for (const auto& actor : offer.actors) {
    if (actor != offer.publisher_actor) add(ActorUsers(*users, actor, offer.publisher_user));
  }
  for (const auto& node : offer.nodes) add(NodeCoordinators(*users, node, offer.publisher_user));
  if (to.empty()) return 0;
  Notification n;
  n.id = "offer-" + offer.offer_id;
  n.type = "OFFER_RECEIVED";
  n.to = std::move(to);
  n.event_json = "{\"type\":\"OFFER_PUBLISHED\",\"offerId\":" + Json(offer.offer_id) +
                 ",\"kind\":" + Json(offer.kind) + ",\"publisher\":" + Json(offer.publisher_actor) +
                 "}";
  Draft d;
  std::string publisher = ActorName(config_, offer.publisher_actor);
  d.subject = "Nytt erbjudande från " + publisher + ": " + offer.title;
  Section s;
  s.paragraphs.push_back(publisher + " har publicerat erbjudandet ”" + offer.title +
                         "”, och det har nått er.");
  if (offer.valid_until)
    s.paragraphs.push_back("Gäller till och med " + Date(*offer.valid_until) + ".");
  s.paragraphs.push_back("Se vilka av era öppna ärenden det passar i inkorgen för erbjudanden.");
  d.sections.push_back(std::move(s));
  if (!options_.base_url.empty()) {
    d.link = options_.base_url + "/offers/" + offer.offer_id;
    d.link_text = "Öppna erbjudandet";
  }
  n.link = d.link;
  Render(d, &n);
  Emit(std::move(n));
  return 1;
}

// ---- The weekly digest ---------------------------------------------------------------------

base::Result<int> NotificationService::RunDigest(base::Time now) {
  base::Time end = DigestBoundary(now);
  base::Time begin = end - std::chrono::days(7);
  auto users = users_.ListUsers();
  if (!users.ok()) return users.status();
  std::vector<const UserRecord*> due;
  for (const auto& u : *users) {
    if (!u.digest || u.disabled) continue;
    if (u.role != domain::Role::kCoordinator && u.role != domain::Role::kActor &&
        u.role != domain::Role::kManager) {
      continue;
    }
    auto last = digest_state_.LastDigest(u.username);
    if (last && *last >= end) continue;
    due.push_back(&u);
  }
  if (due.empty()) return 0;

  // The week's events, and the cases they belong to (for node, title, assignee).
  std::vector<domain::Event> week;
  auto st = log_.ForEachEvent([&](const domain::Event& e) {
    if (e.time >= begin && e.time < end) week.push_back(e);
  });
  if (!st.ok()) return st;
  std::sort(week.begin(), week.end(), [](const domain::Event& a, const domain::Event& b) {
    return std::tie(a.time, a.case_id, a.seq) < std::tie(b.time, b.case_id, b.seq);
  });
  std::unordered_map<std::string, domain::Case> cases;
  for (const auto& e : week) {
    if (cases.count(e.case_id)) continue;
    auto c = cases_.GetCase(e.case_id);
    if (c.ok()) cases.emplace(e.case_id, std::move(*c));
  }
  auto title = [&](const std::string& id) {
    auto it = cases.find(id);
    return it == cases.end() ? id : "”" + it->second.title + "”";
  };
  auto node_of = [&](const std::string& id) {
    auto it = cases.find(id);
    return it == cases.end() ? std::string() : it->second.node;
  };
  auto count = [&](EventType type, const std::string& node) {
    return std::count_if(week.begin(), week.end(), [&](const domain::Event& e) {
      return e.type == type && (node.empty() || node_of(e.case_id) == node);
    });
  };
  // The week's timers and who each is for, by the rules of the per-event messages (ignoring
  // the digest choice), from their case's history (the assignee then, the closer).
  struct Timer {
    const domain::Event* event;
    std::vector<const UserRecord*> audience;
  };
  std::vector<Timer> timers;
  std::unordered_map<std::string, std::vector<domain::Event>> histories;
  for (const auto& e : week) {
    if (!IsTimer(e)) continue;
    auto c = cases.find(e.case_id);
    if (c == cases.end()) continue;
    auto history = histories.find(e.case_id);
    if (history == histories.end()) {
      auto read = log_.GetEvents(e.case_id);
      if (!read.ok()) return read.status();
      history = histories.emplace(e.case_id, std::move(*read)).first;
    }
    timers.push_back({&e, TimerAudience(e, c->second, history->second, *users)});
  }
  auto item = [&](std::string text, const std::string& case_id) {
    return Item(std::move(text), CaseLink(case_id));
  };
  std::string period = Date(begin) + "–" + Date(end - std::chrono::days(1));

  int sent = 0;
  for (const UserRecord* u : due) {
    Draft d;
    d.subject = "Veckans nyheter i Tillväxt, " + period;
    Section intro;
    intro.paragraphs.push_back("Här är veckans sammanfattning för " + period + ".");
    d.sections.push_back(std::move(intro));
    if (u->role == domain::Role::kCoordinator) {
      Section s;
      s.heading = "Nytt för min nod: " + NodeName(config_, u->node);
      for (const auto& e : week) {
        if (node_of(e.case_id) != u->node) continue;
        const std::string& id = e.case_id;
        if (e.type == EventType::kCreated) s.items.push_back(item("Nytt ärende: " + title(id), id));
        if (e.type == EventType::kClaimed) {
          s.items.push_back(item("Taget av " + ActorName(config_, e.actor) + ": " + title(id), id));
        }
        if (e.type == EventType::kEscalated) {
          s.items.push_back(
              item("Eskalerat till " + LevelWord(e.level) + " nivå: " + title(id), id));
        }
        if (e.type == EventType::kResolved) s.items.push_back(item("Löst: " + title(id), id));
      }
      if (s.items.empty()) s.paragraphs.push_back("Inget nytt för noden den här veckan.");
      d.sections.push_back(std::move(s));
    } else if (u->role == domain::Role::kActor) {
      Section s;
      s.heading = "Nytt för min organisation: " + ActorName(config_, u->actor);
      for (const auto& e : week) {
        if (e.type == EventType::kRouted &&
            std::any_of(e.matches.begin(), e.matches.end(),
                        [&](const domain::Match& m) { return m.actor == u->actor; })) {
          s.items.push_back(
              item("Föreslaget för er på " + LevelWord(e.level) + " nivå: " + title(e.case_id),
                   e.case_id));
        }
        if (e.type == EventType::kClaimed && e.actor == u->actor)
          s.items.push_back(item("Taget av er: " + title(e.case_id), e.case_id));
        if (e.type == EventType::kResolved && cases.count(e.case_id) &&
            cases.at(e.case_id).assignee == u->actor) {
          s.items.push_back(item("Löst av er: " + title(e.case_id), e.case_id));
        }
      }
      if (s.items.empty()) s.paragraphs.push_back("Inget nytt för er organisation den här veckan.");
      d.sections.push_back(std::move(s));
    } else {
      Section s;
      s.heading = "Nyckeltal för veckan";
      s.items.push_back("Nya ärenden: " + std::to_string(count(EventType::kCreated, "")));
      s.items.push_back("Tagna: " + std::to_string(count(EventType::kClaimed, "")));
      s.items.push_back("Lösta: " + std::to_string(count(EventType::kResolved, "")));
      s.items.push_back("Eskalerade: " + std::to_string(count(EventType::kEscalated, "")));
      s.items.push_back("Passerade tidsgränser: " +
                        std::to_string(count(EventType::kSlaOverdue, "")));
      s.items.push_back("Påminnelser om effektuppföljning: " +
                        std::to_string(count(EventType::kEffectReminder, "")));
      for (const auto& node : config_.nodes) {
        s.paragraphs.push_back(node.name + ": " +
                               std::to_string(count(EventType::kCreated, node.id)) + " nya, " +
                               std::to_string(count(EventType::kResolved, node.id)) + " lösta.");
      }
      d.sections.push_back(std::move(s));
    }
    // What the week's timers asked of this user: the same as the per-event messages.
    Section reminders;
    reminders.heading = "Påminnelser och tidsgränser";
    for (const Timer& t : timers) {
      if (std::find(t.audience.begin(), t.audience.end(), u) == t.audience.end()) continue;
      reminders.items.push_back(
          item(TimerLine(*t.event, title(t.event->case_id)), t.event->case_id));
    }
    if (!reminders.items.empty()) d.sections.push_back(std::move(reminders));
    if (!options_.base_url.empty()) {
      d.link = options_.base_url + "/";
      d.link_text = "Öppna Tillväxt";
    }
    Notification n;
    n.id = "digest-" + u->username + "-" + Date(end);
    n.type = "DIGEST";
    n.to = {ToRecipient(*u)};
    n.link = d.link;
    n.event_json = "{\"type\":\"DIGEST\",\"from\":" + Json(base::FormatRfc3339(begin)) +
                   ",\"to\":" + Json(base::FormatRfc3339(end)) + "}";
    Render(d, &n);
    Emit(std::move(n));
    ++sent;
    if (auto set = digest_state_.SetLastDigest(u->username, end); !set.ok()) return set;
  }
  return sent;
}

// ---- Worker --------------------------------------------------------------------------------

void NotificationService::Start() {
  std::lock_guard lock(mu_);
  if (worker_.joinable()) return;
  stopping_ = false;
  worker_ = std::thread([this] { WorkerLoop(); });
}

void NotificationService::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void NotificationService::WorkerLoop() {
  auto next_digest = std::chrono::steady_clock::now();
  while (true) {
    {
      std::unique_lock lock(mu_);
      cv_.wait_until(lock, next_digest,
                     [this] { return stopping_ || !pending_.empty() || !pending_offers_.empty(); });
      if (stopping_) return;
    }
    ProcessPending();
    if (std::chrono::steady_clock::now() >= next_digest) {
      if (!RunDigest(clock_.Now()).ok()) {
        std::lock_guard lock(mu_);
        ++routing_errors_;
      }
      next_digest = std::chrono::steady_clock::now() + options_.digest_check_interval;
    }
  }
}

int64_t NotificationService::sent() const {
  std::lock_guard lock(mu_);
  return sent_;
}
int64_t NotificationService::dropped_events() const {
  std::lock_guard lock(mu_);
  return dropped_events_;
}
int64_t NotificationService::routing_errors() const {
  std::lock_guard lock(mu_);
  return routing_errors_;
}

}  // namespace tillvaxt::service
