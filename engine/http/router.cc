#include "engine/http/router.h"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace tillvaxt::http {

namespace {

struct Segment {
  bool variable = false;
  std::string text;  // the literal, or the variable's name
};

bool IsVariable(std::string_view s) {
  return s.size() >= 2 && s.front() == '{' && s.back() == '}';
}

bool ValidName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  path.remove_prefix(1);  // REQUIRES: starts with '/'
  while (true) {
    size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

[[noreturn]] void Malformed(std::string_view pattern, std::string_view why) {
  throw std::invalid_argument("route pattern '" + std::string(pattern) + "': " + std::string(why));
}

Segment ParseSegment(std::string_view pattern, std::string_view s) {
  if (IsVariable(s)) {
    std::string_view name = s.substr(1, s.size() - 2);
    if (!ValidName(name)) Malformed(pattern, "bad variable name '" + std::string(name) + "'");
    return {true, std::string(name)};
  }
  if (s.find_first_of("{}") != std::string_view::npos) Malformed(pattern, "unbalanced braces");
  return {false, std::string(s)};
}

}  // namespace

struct Router::Route {
  std::string method;
  std::string pattern;
  std::string name;
  Handler handler;
  std::vector<Segment> segments;
  bool has_verb = false;
  Segment verb;

  // Matches split raw path segments; fills params and a specificity score.
  bool MatchPath(const std::vector<std::string_view>& parts,
                 std::map<std::string, std::string, std::less<>>* params,
                 std::vector<int>* score) const {
    if (parts.size() != segments.size()) return false;
    params->clear();
    score->clear();
    for (size_t i = 0; i < parts.size(); ++i) {
      std::string_view part = parts[i];
      bool last = i + 1 == parts.size();
      std::string_view verb_part;
      if (last && has_verb) {
        size_t colon = part.rfind(':');
        if (colon == std::string_view::npos) return false;
        verb_part = part.substr(colon + 1);
        part = part.substr(0, colon);
        if (verb_part.empty()) return false;
      }
      const Segment& seg = segments[i];
      if (seg.variable) {
        if (part.empty()) return false;
        if (last && !has_verb && part.find(':') != std::string_view::npos) return false;
        auto value = PercentDecode(part);
        if (!value) return false;
        (*params)[seg.text] = std::move(*value);
        score->push_back(1);
      } else {
        if (part != seg.text) return false;
        score->push_back(2);
      }
      if (last && has_verb) {
        if (verb.variable) {
          auto value = PercentDecode(verb_part);
          if (!value) return false;
          (*params)[verb.text] = std::move(*value);
          score->push_back(1);
        } else {
          if (verb_part != verb.text) return false;
          score->push_back(2);
        }
      }
    }
    if (!has_verb) score->push_back(0);
    return true;
  }
};

Router::Router() = default;
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

Router& Router::Add(std::string method, std::string_view pattern, Handler handler,
                    std::string name) {
  if (method.empty()) Malformed(pattern, "empty method");
  if (pattern.empty() || pattern.front() != '/') Malformed(pattern, "must start with '/'");
  if (!handler) Malformed(pattern, "no handler");
  Route route;
  route.method = std::move(method);
  route.pattern = std::string(pattern);
  route.name = name.empty() ? route.method + " " + route.pattern : std::move(name);
  route.handler = std::move(handler);

  std::vector<std::string_view> parts = SplitPath(pattern);
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string_view part = parts[i];
    if (i + 1 == parts.size()) {
      // The verb follows the last ':' that is outside braces.
      size_t colon = std::string_view::npos;
      int depth = 0;
      for (size_t j = 0; j < part.size(); ++j) {
        if (part[j] == '{') ++depth;
        if (part[j] == '}') --depth;
        if (part[j] == ':' && depth == 0) colon = j;
      }
      if (colon != std::string_view::npos) {
        std::string_view verb = part.substr(colon + 1);
        if (verb.empty()) Malformed(pattern, "empty custom verb");
        route.has_verb = true;
        route.verb = ParseSegment(pattern, verb);
        part = part.substr(0, colon);
      }
    }
    if (part.empty() && parts.size() > 1) Malformed(pattern, "empty segment");
    route.segments.push_back(ParseSegment(pattern, part));
  }
  std::set<std::string> names;
  for (const Segment& s : route.segments) {
    if (s.variable && !names.insert(s.text).second) Malformed(pattern, "repeated variable");
  }
  if (route.has_verb && route.verb.variable && !names.insert(route.verb.text).second) {
    Malformed(pattern, "repeated variable");
  }
  for (const Route& r : routes_) {
    if (r.method == route.method && r.pattern == route.pattern) Malformed(pattern, "duplicate");
  }
  routes_.push_back(std::move(route));
  return *this;
}

RouteMatch Router::Match(std::string_view method, std::string_view raw_path) const {
  RouteMatch result;
  if (raw_path.empty() || raw_path.front() != '/') return result;
  std::vector<std::string_view> parts = SplitPath(raw_path);

  std::set<std::string> allowed;
  const Route* best = nullptr;
  const Route* best_get = nullptr;  // HEAD falls back to GET
  std::vector<int> best_score, best_get_score, score;
  std::map<std::string, std::string, std::less<>> params, best_params, best_get_params;
  for (const Route& route : routes_) {
    if (!route.MatchPath(parts, &params, &score)) continue;
    allowed.insert(route.method);
    if (route.method == method && (!best || score > best_score)) {
      best = &route;
      best_score = score;
      best_params = params;
    } else if (method == "HEAD" && route.method == "GET" && (!best_get || score > best_get_score)) {
      best_get = &route;
      best_get_score = score;
      best_get_params = params;
    }
  }
  if (!best && best_get) {
    best = best_get;
    best_params = std::move(best_get_params);
  }
  if (best) {
    result.kind = RouteMatch::Kind::kFound;
    result.handler = &best->handler;
    result.route_name = best->name;
    result.params = std::move(best_params);
    return result;
  }
  if (allowed.empty()) return result;
  if (allowed.count("GET")) allowed.insert("HEAD");
  result.kind = RouteMatch::Kind::kMethodNotAllowed;
  for (const std::string& m : allowed) {
    if (!result.allow.empty()) result.allow += ", ";
    result.allow += m;
  }
  return result;
}

std::vector<Router::RouteInfo> Router::routes() const {
  std::vector<RouteInfo> out;
  for (const Route& r : routes_) out.push_back({r.method, r.pattern, r.name});
  return out;
}

}  // namespace tillvaxt::http
