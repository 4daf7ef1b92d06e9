#include "engine/codec/workflow_drawing.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "engine/codec/config_loader.h"

namespace tillvaxt::codec {
namespace {

domain::Config Shipped(const std::string& name) {
  auto r = LoadConfigFile(std::string(TV_SOURCE_DIR) + "/config/" + name, nullptr);
  REQUIRE(r.ok());
  return *r;
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Checks that the tags of an XML document balance (a small stack machine: enough to catch an
// unclosed or mis-nested element, not a full parser). Returns the names of the elements seen.
std::vector<std::string> CheckBalanced(const std::string& xml) {
  std::vector<std::string> stack;
  std::vector<std::string> seen;
  size_t i = 0;
  while ((i = xml.find('<', i)) != std::string::npos) {
    if (xml.compare(i, 4, "<!--") == 0) {
      size_t end = xml.find("-->", i);
      REQUIRE(end != std::string::npos);
      i = end + 3;
      continue;
    }
    size_t end = xml.find('>', i);
    REQUIRE(end != std::string::npos);
    std::string tag = xml.substr(i + 1, end - i - 1);
    i = end + 1;
    if (tag.front() == '?') continue;  // the XML declaration
    if (tag.front() == '/') {
      REQUIRE_FALSE(stack.empty());
      CHECK(stack.back() == tag.substr(1));
      stack.pop_back();
      continue;
    }
    std::string name = tag.substr(0, tag.find_first_of(" \n/"));
    seen.push_back(name);
    if (tag.back() != '/') stack.push_back(name);
  }
  CHECK(stack.empty());
  return seen;
}

TEST_CASE("every state and transition is drawn in each format", "[workflow_drawing]") {
  for (const char* file : {"sormland.textproto", "stockholm.textproto"}) {
    const domain::Config c = Shipped(file);
    const std::string dot = WorkflowToDot(c);
    const std::string mermaid = WorkflowToMermaid(c);
    const std::string scxml = WorkflowToScxml(c);
    INFO(file);
    for (const domain::State& s : c.workflow.states) {
      INFO(s.name);
      CHECK(Has(dot, "\"" + s.name + "\" [label="));
      CHECK(Has(mermaid, " as " + s.name + "\n"));
      CHECK(Has(scxml, "id=\"" + s.name + "\""));
    }
    for (const domain::Transition& t : c.workflow.transitions) {
      INFO(t.name);
      CHECK(Has(dot, "label=\"" + t.name));
      CHECK(Has(mermaid, " : " + t.name));
      CHECK(Has(scxml, t.name));
    }
  }
}

TEST_CASE("DOT: the start, terminal states and routed edges", "[workflow_drawing]") {
  const std::string dot = WorkflowToDot(Shipped("sormland.textproto"));
  CHECK(dot.rfind("digraph workflow {\n", 0) == 0);
  CHECK(Has(dot, "__start -> \"NEW\";"));
  CHECK(Has(dot, "\"CLOSED\" [label=\"CLOSED\", peripheries=2];"));
  CHECK(Has(dot, "\"NEW\" -> \"TRIAGED\" [label=\"triage\"];"));
  CHECK(Has(dot, "\"TRIAGED\" -> \"MATCHED\" [label=\"triage (routed)\", style=dashed];"));
  CHECK(Has(dot, "\"TRIAGED\" -> \"UNMATCHED\" [label=\"triage (no match)\", style=dashed];"));
  CHECK(Has(dot, "\"MATCHED\" [label=\"MATCHED\\nSLA 5 business days, then escalate\"];"));
  CHECK(dot.substr(dot.size() - 2) == "}\n");
}

TEST_CASE("Mermaid: a state diagram with entry and exits", "[workflow_drawing]") {
  const std::string m = WorkflowToMermaid(Shipped("sormland.textproto"));
  CHECK(m.rfind("stateDiagram-v2\n", 0) == 0);
  CHECK(Has(m, "  [*] --> NEW\n"));
  CHECK(Has(m, "  CLOSED --> [*]\n"));
  CHECK(Has(m, "  MATCHED --> CLAIMED : claim\n"));
  CHECK(Has(m, "  CLAIMED --> CLAIMED : reassign\n"));  // stays in place
  CHECK_FALSE(Has(m, "RESOLVED --> [*]"));             // not terminal
}

TEST_CASE("SCXML: well-formed, finals, events named after transitions", "[workflow_drawing]") {
  const domain::Config c = Shipped("sormland.textproto");
  const std::string x = WorkflowToScxml(c);
  CHECK(x.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 0) == 0);
  CHECK(Has(x, "<scxml xmlns=\"http://www.w3.org/2005/07/scxml\" version=\"1.0\" initial=\"NEW\""));
  std::vector<std::string> elements = CheckBalanced(x);
  CHECK(std::count(elements.begin(), elements.end(), "scxml") == 1);
  size_t finals = 0;
  for (const domain::State& s : c.workflow.states) finals += s.terminal ? 1 : 0;
  CHECK(static_cast<size_t>(std::count(elements.begin(), elements.end(), "final")) == finals);
  CHECK(static_cast<size_t>(std::count(elements.begin(), elements.end(), "state")) ==
        c.workflow.states.size() - finals);
  CHECK(Has(x, "<final id=\"UNMATCHED\">"));
  CHECK(Has(x, "<transition event=\"claim\" target=\"CLAIMED\"/>"));
  CHECK(Has(x, "<transition event=\"escalate.unmatched\" target=\"UNMATCHED\"/>"));
  CHECK(Has(x, "<transition event=\"reassign\"/>"));  // targetless: stays in place
}

TEST_CASE("names are escaped", "[workflow_drawing]") {
  domain::Config c = Shipped("sormland.textproto");
  c.region_name = "A & <B> -- \"C\"";
  c.workflow.transitions[0].name = "tri\"age<&>";
  const std::string x = WorkflowToScxml(c);
  CheckBalanced(x);
  CHECK(Has(x, "event=\"tri&quot;age&lt;&amp;&gt;\""));
  CHECK_FALSE(Has(x, "A & <B> -- "));
  const std::string dot = WorkflowToDot(c);
  CHECK(Has(dot, "label=\"tri\\\"age<&>\""));
}

}  // namespace
}  // namespace tillvaxt::codec
