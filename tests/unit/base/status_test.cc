#include "engine/base/status.h"

#include <catch2/catch.hpp>

using namespace tillvaxt::base;

TEST_CASE("Status carries code, message and field details") {
  Status ok;
  CHECK(ok.ok());
  CHECK(ok.ToString() == "OK");
  Status s = InvalidField("company.orgNumber", "check digit is wrong");
  CHECK_FALSE(s.ok());
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK(s.ToString() == "INVALID_ARGUMENT: company.orgNumber: check digit is wrong");
  REQUIRE(s.details().size() == 1);
  CHECK(s.details()[0].field == "company.orgNumber");
  CHECK(std::string(CodeName(Code::kAborted)) == "ABORTED");
}

TEST_CASE("Result holds a value or a status") {
  Result<int> good = 7;
  REQUIRE(good.ok());
  CHECK(*good == 7);
  CHECK(good.status().ok());
  Result<int> bad = NotFound("case 'x' not found");
  CHECK_FALSE(bad.ok());
  CHECK(bad.status().code() == Code::kNotFound);
}

namespace {
Status FailsAt(int n, int& reached) {
  for (int i = 0; i < 3; ++i) {
    reached = i;
    TV_RETURN_IF_ERROR(i == n ? Internal("boom") : Status::Ok());
  }
  return Status::Ok();
}
}  // namespace

TEST_CASE("TV_RETURN_IF_ERROR returns the first error") {
  int reached = -1;
  CHECK(FailsAt(1, reached).code() == Code::kInternal);
  CHECK(reached == 1);
  CHECK(FailsAt(5, reached).ok());
  CHECK(reached == 2);
}
