// CaseQueries: the cases as they are now, read from the projections the CaseLog writes.
//
// Thread-safety: every method may be called from any thread concurrently; a read sees every
// append acknowledged before it started.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "engine/base/status.h"
#include "engine/domain/case.h"

namespace tillvaxt::store {

// Filters of GET /v1/cases. Empty fields do not filter.
struct CaseFilter {
  std::string state;
  std::string level;
  std::string node;
  std::string need;
  std::string area;
  std::string assignee;
  std::string candidate;       // among the current candidates
  std::string involved_actor;  // ever candidate or assignee (an actor's visibility)
  std::string org_number;
  std::string parent_id;
  std::string q;           // full-text: Swedish-stemmed words, all required
  bool open_only = false;  // only states with open = true (needs the open state names)
  std::vector<std::string> open_states;
  int page_size = 50;
  std::string page_token;  // opaque; from CasePage::next_page_token
};

struct CasePage {
  std::vector<domain::Case> cases;  // newest first (create_time desc, id desc)
  std::string next_page_token;
};

class CaseQueries {
 public:
  virtual ~CaseQueries() = default;

  // NOT_FOUND "case 'x' not found".
  virtual base::Result<domain::Case> GetCase(const std::string& id) = 0;
  // page_size 0 means 50; others are clamped to 1..1000. A page token this store did not
  // return is INVALID_ARGUMENT (field "pageToken"). `q` is full-text search over title and
  // description: every word of `q`, lower-cased and Swedish-stemmed ("finansieringen" ->
  // "finansiering"), must be a word of the case; a `q` without words matches nothing.
  virtual base::Result<CasePage> ListCases(const CaseFilter& filter) = 0;
  // Open cases per assignee and candidate, for routing load. `open_states` are the workflow's
  // open state names.
  virtual base::Result<std::unordered_map<std::string, int>> OpenCasesByActor(
      const std::vector<std::string>& open_states) = 0;
  virtual base::Result<int64_t> CountCases() = 0;
};

}  // namespace tillvaxt::store
