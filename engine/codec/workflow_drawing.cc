#include "engine/codec/workflow_drawing.h"

#include <algorithm>
#include <set>
#include <sstream>
#include <tuple>
#include <vector>

#include "engine/base/time.h"

namespace tillvaxt::codec {
namespace {

using domain::Config;
using domain::Effect;
using domain::Transition;
using domain::Workflow;

enum class EdgeKind { kMove, kStay, kRouted, kUnrouted };

struct Edge {
  std::string from;
  std::string to;
  std::string transition;
  EdgeKind kind;
  bool operator<(const Edge& o) const {
    return std::tie(from, to, transition, kind) < std::tie(o.from, o.to, o.transition, o.kind);
  }
};

// Edges in workflow order, each once. A routing transition continues from where it lands
// (its `to`, or where it fired when it stays) to the matched and the unmatched state.
std::vector<Edge> Edges(const Workflow& wf) {
  std::vector<Edge> edges;
  std::set<Edge> seen;
  auto add = [&](Edge e) {
    if (seen.insert(e).second) edges.push_back(std::move(e));
  };
  for (const Transition& t : wf.transitions) {
    for (const std::string& from : t.from) {
      if (!t.to.empty()) {
        add({from, t.to, t.name, EdgeKind::kMove});
      } else if (!domain::Routes(t.effect)) {
        add({from, from, t.name, EdgeKind::kStay});
      }
      if (domain::Routes(t.effect)) {
        const std::string& landing = t.to.empty() ? from : t.to;
        if (landing != wf.matched_state || t.to.empty()) {
          add({landing, wf.matched_state, t.name, EdgeKind::kRouted});
        }
        add({landing, wf.unmatched_state, t.name, EdgeKind::kUnrouted});
      }
    }
  }
  return edges;
}

std::string SlaText(const Workflow& wf, const std::string& state) {
  const domain::Sla* sla = wf.FindSla(state);
  if (sla == nullptr) return "";
  std::string text = sla->business_days > 0 ? std::to_string(sla->business_days) + " business days"
                                            : base::FormatDuration(sla->duration);
  if (!sla->fire.empty()) text += ", then " + sla->fire;
  return text;
}

std::string DotQuote(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '\n') {
      out += "\\n";  // a line break inside a DOT label
      continue;
    }
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "\"";
}

// Mermaid state ids allow letters, digits and underscores.
std::string MermaidId(const std::string& s) {
  std::string out;
  for (char ch : s) {
    bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
    out += ok ? ch : '_';
  }
  return out.empty() ? "_" : out;
}

std::string Xml(const std::string& s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
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
        out += "&apos;";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

// Comments may not contain "--".
std::string XmlComment(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (ch == '-' && !out.empty() && out.back() == '-') out += ' ';
    out += ch;
  }
  return out;
}

std::string EdgeLabel(const Edge& e) {
  switch (e.kind) {
    case EdgeKind::kRouted:
      return e.transition + " (routed)";
    case EdgeKind::kUnrouted:
      return e.transition + " (no match)";
    case EdgeKind::kMove:
    case EdgeKind::kStay:
      break;
  }
  return e.transition;
}

}  // namespace

std::string WorkflowToDot(const Config& config) {
  const Workflow& wf = config.workflow;
  std::ostringstream out;
  out << "digraph workflow {\n"
      << "  label=" << DotQuote("Team Tillväxt workflow: " + config.region_name) << ";\n"
      << "  rankdir=LR;\n"
      << "  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
      << "  edge [fontname=\"Helvetica\", fontsize=10];\n"
      << "  __start [shape=point, label=\"\"];\n";
  for (const domain::State& s : wf.states) {
    std::string label = s.name;
    std::string sla = SlaText(wf, s.name);
    if (!sla.empty()) label += "\nSLA " + sla;
    out << "  " << DotQuote(s.name) << " [label=" << DotQuote(label);
    if (s.terminal) out << ", peripheries=2";
    if (s.pauses_sla) out << ", style=\"rounded,dashed\"";
    out << "];\n";
  }
  out << "  __start -> " << DotQuote(wf.initial_state) << ";\n";
  for (const Edge& e : Edges(wf)) {
    out << "  " << DotQuote(e.from) << " -> " << DotQuote(e.to)
        << " [label=" << DotQuote(EdgeLabel(e));
    if (e.kind == EdgeKind::kRouted || e.kind == EdgeKind::kUnrouted) out << ", style=dashed";
    out << "];\n";
  }
  out << "}\n";
  return out.str();
}

std::string WorkflowToMermaid(const Config& config) {
  const Workflow& wf = config.workflow;
  std::ostringstream out;
  out << "stateDiagram-v2\n";
  for (const domain::State& s : wf.states) {
    std::string sla = SlaText(wf, s.name);
    out << "  state \"" << s.name << (sla.empty() ? "" : " (SLA " + sla + ")") << "\" as "
        << MermaidId(s.name) << "\n";
  }
  out << "  [*] --> " << MermaidId(wf.initial_state) << "\n";
  for (const Edge& e : Edges(wf)) {
    out << "  " << MermaidId(e.from) << " --> " << MermaidId(e.to) << " : " << EdgeLabel(e) << "\n";
  }
  for (const domain::State& s : wf.states) {
    if (s.terminal) out << "  " << MermaidId(s.name) << " --> [*]\n";
  }
  return out.str();
}

std::string WorkflowToScxml(const Config& config) {
  const Workflow& wf = config.workflow;
  const std::vector<Edge> edges = Edges(wf);
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<!-- Team Tillväxt workflow: " << XmlComment(config.region_name) << ". Events are "
      << "transition names; NAME.matched / NAME.unmatched are the outcomes of routing. -->\n"
      << "<scxml xmlns=\"http://www.w3.org/2005/07/scxml\" version=\"1.0\" initial=\""
      << Xml(wf.initial_state) << "\" name=\"" << Xml(config.region_id) << "\">\n";
  for (const domain::State& s : wf.states) {
    std::vector<const Edge*> own;
    for (const Edge& e : edges) {
      if (e.from == s.name) own.push_back(&e);
    }
    if (s.terminal) {
      // <final> holds no transitions: what may still happen here (in place) is a comment.
      out << "  <final id=\"" << Xml(s.name) << "\">";
      if (!own.empty()) {
        out << "<!-- in place:";
        for (const Edge* e : own) out << " " << XmlComment(e->transition);
        out << " -->";
      }
      out << "</final>\n";
      continue;
    }
    out << "  <state id=\"" << Xml(s.name) << "\">\n";
    for (const Edge* e : own) {
      std::string event = e->transition;
      if (e->kind == EdgeKind::kRouted) event += ".matched";
      if (e->kind == EdgeKind::kUnrouted) event += ".unmatched";
      out << "    <transition event=\"" << Xml(event) << "\"";
      if (e->kind != EdgeKind::kStay) out << " target=\"" << Xml(e->to) << "\"";
      out << "/>\n";
    }
    out << "  </state>\n";
  }
  out << "</scxml>\n";
  return out.str();
}

}  // namespace tillvaxt::codec
