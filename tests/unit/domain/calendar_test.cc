#include "engine/domain/calendar.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <random>
#include <string>

namespace {

using namespace std::chrono;
using tillvaxt::base::FormatRfc3339;
using tillvaxt::base::ParseRfc3339;
using tillvaxt::base::Time;
using tillvaxt::domain::AddBusinessDays;
using tillvaxt::domain::BusinessDaysBetween;
using tillvaxt::domain::EasterSunday;
using tillvaxt::domain::IsBusinessDay;
using tillvaxt::domain::StockholmOffset;
using tillvaxt::domain::SwedishHolidays;

// Dates as text so a failing check prints something readable (libstdc++ 12 has no operator<<
// for the chrono calendar types).
std::string Iso(year_month_day d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

year_month_day Date(int y, unsigned m, unsigned d) {
  return year_month_day{year{y}, month{m}, day{d}};
}

Time At(const char* rfc3339) {
  auto t = ParseRfc3339(rfc3339);
  REQUIRE(t.has_value());
  return *t;
}

// The deadline as Swedish local text, e.g. "2026-04-07T09:00:00Z" shifted by the offset, so the
// expectations below read as wall-clock times in Sweden.
std::string Local(Time t) { return FormatRfc3339(t + StockholmOffset(t)); }

std::string HolidayAt(year_month_day d) {
  std::string names;
  for (const auto& h : SwedishHolidays(d.year())) {
    if (h.date == d) names += (names.empty() ? "" : "+") + h.name;
  }
  return names;
}

}  // namespace

TEST_CASE("Easter Sunday of known years", "[calendar]") {
  CHECK(Iso(EasterSunday(year{2024})) == "2024-03-31");
  CHECK(Iso(EasterSunday(year{2025})) == "2025-04-20");
  CHECK(Iso(EasterSunday(year{2026})) == "2026-04-05");
  CHECK(Iso(EasterSunday(year{2027})) == "2027-03-28");
  CHECK(Iso(EasterSunday(year{2038})) == "2038-04-25");  // latest possible
  CHECK(Iso(EasterSunday(year{2000})) == "2000-04-23");
  CHECK(Iso(EasterSunday(year{2285})) == "2285-03-22");  // earliest possible
  CHECK(Iso(EasterSunday(year{1818})) == "1818-03-22");
  CHECK(Iso(EasterSunday(year{1943})) == "1943-04-25");
  CHECK(Iso(EasterSunday(year{2008})) == "2008-03-23");
  CHECK(Iso(EasterSunday(year{2019})) == "2019-04-21");
  CHECK(Iso(EasterSunday(year{2100})) == "2100-03-28");
  CHECK(Iso(EasterSunday(year{1583})) == "1583-04-10");
  CHECK(Iso(EasterSunday(year{2400})) == "2400-04-16");
}

TEST_CASE("Easter Sunday is always a Sunday between 22 March and 25 April", "[calendar]") {
  for (int y = 1583; y <= 9999; ++y) {
    const year_month_day e = EasterSunday(year{y});
    INFO(Iso(e));
    REQUIRE(e.ok());
    REQUIRE(weekday{sys_days{e}} == Sunday);
    REQUIRE(e >= Date(y, 3, 22));
    REQUIRE(e <= Date(y, 4, 25));
  }
  // Years outside the Gregorian era still give a valid date rather than garbage.
  CHECK(EasterSunday(year{0}).ok());
  CHECK(EasterSunday(year{-400}).ok());
}

TEST_CASE("The holidays of 2026 in date order", "[calendar]") {
  std::vector<std::string> got;
  for (const auto& h : SwedishHolidays(year{2026})) got.push_back(Iso(h.date) + " " + h.name);
  const std::vector<std::string> want = {
      "2026-01-01 Nyårsdagen",
      "2026-01-06 Trettondedag jul",
      "2026-04-03 Långfredagen",
      "2026-04-05 Påskdagen",
      "2026-04-06 Annandag påsk",
      "2026-05-01 Första maj",
      "2026-05-14 Kristi himmelsfärdsdag",
      "2026-05-24 Pingstdagen",
      "2026-06-06 Sveriges nationaldag",
      "2026-06-19 Midsommarafton",
      "2026-06-20 Midsommardagen",
      "2026-10-31 Alla helgons dag",
      "2026-12-24 Julafton",
      "2026-12-25 Juldagen",
      "2026-12-26 Annandag jul",
      "2026-12-31 Nyårsafton",
  };
  CHECK(got == want);
}

TEST_CASE("Holidays stay sorted in every year, also when two share a date", "[calendar]") {
  // 2008: Easter on 23 March puts Ascension Day on 1 May; 2011: Pentecost on 12 June after
  // National Day; 2285: Ascension Day on 30 April, before 1 May.
  for (int y = 1900; y <= 2400; ++y) {
    const auto holidays = SwedishHolidays(year{y});
    REQUIRE(holidays.size() == 16);
    for (size_t i = 1; i < holidays.size(); ++i) REQUIRE(holidays[i - 1].date <= holidays[i].date);
  }
  CHECK(HolidayAt(Date(2008, 5, 1)) == "Första maj+Kristi himmelsfärdsdag");
  CHECK(HolidayAt(Date(2285, 4, 30)) == "Kristi himmelsfärdsdag");
  CHECK(HolidayAt(Date(2011, 6, 12)) == "Pingstdagen");
}

TEST_CASE("Midsummer and All Saints' Day", "[calendar]") {
  CHECK(HolidayAt(Date(2023, 6, 23)) == "Midsommarafton");
  CHECK(HolidayAt(Date(2024, 6, 21)) == "Midsommarafton");
  CHECK(HolidayAt(Date(2024, 6, 22)) == "Midsommardagen");
  CHECK(HolidayAt(Date(2025, 6, 20)) == "Midsommarafton");
  CHECK(HolidayAt(Date(2026, 6, 19)) == "Midsommarafton");  // earliest possible
  CHECK(HolidayAt(Date(2027, 6, 25)) == "Midsommarafton");  // latest possible
  CHECK(HolidayAt(Date(2027, 6, 26)) == "Midsommardagen");
  CHECK(HolidayAt(Date(2027, 6, 18)).empty());

  CHECK(HolidayAt(Date(2023, 11, 4)) == "Alla helgons dag");
  CHECK(HolidayAt(Date(2024, 11, 2)) == "Alla helgons dag");
  CHECK(HolidayAt(Date(2025, 11, 1)) == "Alla helgons dag");
  CHECK(HolidayAt(Date(2026, 10, 31)) == "Alla helgons dag");  // earliest possible
  CHECK(HolidayAt(Date(2027, 11, 6)) == "Alla helgons dag");   // latest possible

  for (int y = 1900; y <= 2400; ++y) {
    for (const auto& h : SwedishHolidays(year{y})) {
      const weekday wd{sys_days{h.date}};
      if (h.name == "Midsommarafton") {
        REQUIRE(wd == Friday);
        REQUIRE(h.date >= Date(y, 6, 19));
        REQUIRE(h.date <= Date(y, 6, 25));
      } else if (h.name == "Midsommardagen") {
        REQUIRE(wd == Saturday);
        REQUIRE(h.date >= Date(y, 6, 20));
        REQUIRE(h.date <= Date(y, 6, 26));
      } else if (h.name == "Alla helgons dag") {
        REQUIRE(wd == Saturday);
        REQUIRE(h.date >= Date(y, 10, 31));
        REQUIRE(h.date <= Date(y, 11, 6));
      }
    }
  }
}

TEST_CASE("Business days", "[calendar]") {
  CHECK(IsBusinessDay(Date(2026, 4, 2)));    // Maundy Thursday
  CHECK_FALSE(IsBusinessDay(Date(2026, 4, 3)));  // Good Friday
  CHECK_FALSE(IsBusinessDay(Date(2026, 4, 6)));  // Easter Monday
  CHECK(IsBusinessDay(Date(2026, 4, 7)));
  CHECK_FALSE(IsBusinessDay(Date(2026, 5, 1)));
  CHECK_FALSE(IsBusinessDay(Date(2026, 5, 14)));  // Ascension Day
  CHECK_FALSE(IsBusinessDay(Date(2025, 5, 29)));  // Ascension Day
  CHECK(IsBusinessDay(Date(2026, 5, 25)));        // Whit Monday: no holiday since 2005
  CHECK_FALSE(IsBusinessDay(Date(2025, 6, 6)));   // National Day on a Friday
  CHECK_FALSE(IsBusinessDay(Date(2026, 6, 19)));  // Midsummer Eve
  CHECK(IsBusinessDay(Date(2026, 6, 26)));        // a Friday in the window, not Midsummer Eve
  CHECK_FALSE(IsBusinessDay(Date(2026, 12, 24)));
  CHECK_FALSE(IsBusinessDay(Date(2026, 12, 31)));
  CHECK_FALSE(IsBusinessDay(Date(2027, 1, 6)));   // Epiphany
  CHECK(IsBusinessDay(Date(2027, 1, 7)));
  CHECK_FALSE(IsBusinessDay(Date(2026, 3, 14)));  // Saturday
  CHECK_FALSE(IsBusinessDay(Date(2026, 3, 15)));  // Sunday
  CHECK(IsBusinessDay(Date(2026, 3, 16)));
}

TEST_CASE("IsBusinessDay agrees with the holiday list", "[calendar]") {
  for (int y = 1990; y <= 2110; ++y) {
    const auto holidays = SwedishHolidays(year{y});
    for (sys_days d{Date(y, 1, 1)}; d <= sys_days{Date(y, 12, 31)}; d += days{1}) {
      const year_month_day ymd{d};
      bool holiday = false;
      for (const auto& h : holidays) holiday = holiday || h.date == ymd;
      const weekday wd{d};
      INFO(Iso(ymd));
      REQUIRE(IsBusinessDay(ymd) == (!holiday && wd != Saturday && wd != Sunday));
    }
  }
}

TEST_CASE("Stockholm offset around the summer-time switches", "[calendar]") {
  using std::chrono::minutes;
  CHECK(StockholmOffset(At("2026-01-15T12:00:00Z")) == minutes{60});
  CHECK(StockholmOffset(At("2026-07-15T12:00:00Z")) == minutes{120});
  // 2026: last Sunday of March is the 29th, of October the 25th.
  CHECK(StockholmOffset(At("2026-03-29T00:59:59.999Z")) == minutes{60});
  CHECK(StockholmOffset(At("2026-03-29T01:00:00Z")) == minutes{120});
  CHECK(StockholmOffset(At("2026-03-22T01:00:00Z")) == minutes{60});  // a Sunday, not the last
  CHECK(StockholmOffset(At("2026-10-25T00:59:59.999Z")) == minutes{120});
  CHECK(StockholmOffset(At("2026-10-25T01:00:00Z")) == minutes{60});
  // 2024: 31 March and 27 October.
  CHECK(StockholmOffset(At("2024-03-31T00:59:59Z")) == minutes{60});
  CHECK(StockholmOffset(At("2024-03-31T01:00:00Z")) == minutes{120});
  CHECK(StockholmOffset(At("2024-10-27T00:59:59Z")) == minutes{120});
  CHECK(StockholmOffset(At("2024-10-27T01:00:00Z")) == minutes{60});
  CHECK(StockholmOffset(At("2024-12-31T23:30:00Z")) == minutes{60});
}

TEST_CASE("Deadlines in business days", "[calendar]") {
  SECTION("zero days is the start itself") {
    const Time t = At("2026-04-03T10:15:00.123Z");  // even on a holiday
    CHECK(AddBusinessDays(t, 0) == t);
  }
  SECTION("across a weekend") {
    CHECK(Local(AddBusinessDays(At("2026-03-13T09:00:00+01:00"), 1)) == "2026-03-16T09:00:00Z");
    CHECK(Local(AddBusinessDays(At("2026-03-12T09:00:00+01:00"), 5)) == "2026-03-19T09:00:00Z");
    // Started on a Saturday: the first business day after it is Monday.
    CHECK(Local(AddBusinessDays(At("2026-03-14T11:00:00+01:00"), 1)) == "2026-03-16T11:00:00Z");
  }
  SECTION("across Easter") {
    // Maundy Thursday 2026-04-02: Good Friday, the weekend and Easter Monday are skipped.
    CHECK(Local(AddBusinessDays(At("2026-04-02T14:00:00+02:00"), 1)) == "2026-04-07T14:00:00Z");
    CHECK(Local(AddBusinessDays(At("2026-04-02T14:00:00+02:00"), 2)) == "2026-04-08T14:00:00Z");
    // Wednesday before Easter + 2 lands on the Tuesday after Easter Monday.
    CHECK(Local(AddBusinessDays(At("2026-04-01T14:00:00+02:00"), 2)) == "2026-04-07T14:00:00Z");
    // 2025: Maundy Thursday 17 April.
    CHECK(Local(AddBusinessDays(At("2025-04-17T08:30:00+02:00"), 1)) == "2025-04-22T08:30:00Z");
  }
  SECTION("across Ascension Day") {
    CHECK(Local(AddBusinessDays(At("2026-05-13T10:00:00+02:00"), 1)) == "2026-05-15T10:00:00Z");
  }
  SECTION("across Midsummer") {
    // Midsummer Eve 2026 is Friday 19 June.
    CHECK(Local(AddBusinessDays(At("2026-06-18T16:00:00+02:00"), 1)) == "2026-06-22T16:00:00Z");
    CHECK(Local(AddBusinessDays(At("2026-06-17T16:00:00+02:00"), 2)) == "2026-06-22T16:00:00Z");
    // 2025: Midsummer Eve Friday 20 June, National Day Friday 6 June.
    CHECK(Local(AddBusinessDays(At("2025-06-05T09:00:00+02:00"), 5)) == "2025-06-13T09:00:00Z");
    CHECK(Local(AddBusinessDays(At("2025-06-19T09:00:00+02:00"), 1)) == "2025-06-23T09:00:00Z");
  }
  SECTION("across Christmas and New Year") {
    // 24, 25 Dec (Thu, Fri), the weekend, then 28 and 29 Dec.
    CHECK(Local(AddBusinessDays(At("2026-12-23T10:00:00+01:00"), 2)) == "2026-12-29T10:00:00Z");
    // 31 Dec, 1 Jan, the weekend, 4 and 5 Jan, Epiphany on Wednesday 6 Jan, then 7 Jan.
    CHECK(Local(AddBusinessDays(At("2026-12-30T10:00:00+01:00"), 1)) == "2027-01-04T10:00:00Z");
    CHECK(Local(AddBusinessDays(At("2026-12-30T10:00:00+01:00"), 3)) == "2027-01-07T10:00:00Z");
    CHECK(Local(AddBusinessDays(At("2026-12-21T10:00:00+01:00"), 5)) == "2026-12-30T10:00:00Z");
  }
  SECTION("across the summer-time switches the local time of day is kept") {
    // Friday 27 March 2026 09:00 CET (08:00 UTC) -> Monday 30 March 09:00 CEST (07:00 UTC).
    CHECK(FormatRfc3339(AddBusinessDays(At("2026-03-27T08:00:00Z"), 1)) ==
          "2026-03-30T07:00:00Z");
    // Friday 23 October 2026 09:00 CEST (07:00 UTC) -> Monday 26 October 09:00 CET (08:00 UTC).
    CHECK(FormatRfc3339(AddBusinessDays(At("2026-10-23T07:00:00Z"), 1)) ==
          "2026-10-26T08:00:00Z");
    // Starting on the switch Sundays themselves.
    CHECK(FormatRfc3339(AddBusinessDays(At("2026-03-29T00:30:00Z"), 1)) ==
          "2026-03-29T23:30:00Z");  // 01:30 CET -> Monday 01:30 CEST, still Sunday in UTC
    CHECK(FormatRfc3339(AddBusinessDays(At("2026-10-25T12:00:00Z"), 1)) ==
          "2026-10-26T12:00:00Z");  // 13:00 CET both days
  }
  SECTION("the local date counts, not the UTC date") {
    // Thursday 23:30 UTC is already Friday 00:30 in Stockholm.
    CHECK(FormatRfc3339(AddBusinessDays(At("2026-01-15T23:30:00Z"), 1)) ==
          "2026-01-18T23:30:00Z");  // Monday 00:30 local
    // Summer: 22:30 UTC on Thursday 18 June is 00:30 on Midsummer Eve.
    CHECK(Local(AddBusinessDays(At("2026-06-18T22:30:00Z"), 1)) == "2026-06-22T00:30:00Z");
  }
  SECTION("milliseconds are kept") {
    CHECK(FormatRfc3339(AddBusinessDays(At("2026-03-16T08:00:00.250Z"), 1)) ==
          "2026-03-17T08:00:00.250Z");
  }
  SECTION("negative n walks back over holidays") {
    CHECK(Local(AddBusinessDays(At("2026-04-07T14:00:00+02:00"), -1)) == "2026-04-02T14:00:00Z");
    CHECK(Local(AddBusinessDays(At("2027-01-04T10:00:00+01:00"), -1)) == "2026-12-30T10:00:00Z");
  }
}

TEST_CASE("Business days between two times", "[calendar]") {
  CHECK(BusinessDaysBetween(At("2026-03-16T09:00:00Z"), At("2026-03-16T09:00:00Z")) == 0);
  CHECK(BusinessDaysBetween(At("2026-03-17T09:00:00Z"), At("2026-03-16T09:00:00Z")) == 0);
  CHECK(BusinessDaysBetween(At("2026-03-16T08:00:00Z"), At("2026-03-16T16:00:00Z")) == 0);
  CHECK(BusinessDaysBetween(At("2026-03-16T16:00:00Z"), At("2026-03-17T07:00:00Z")) == 1);
  CHECK(BusinessDaysBetween(At("2026-03-13T09:00:00Z"), At("2026-03-16T09:00:00Z")) == 1);
  CHECK(BusinessDaysBetween(At("2026-03-13T09:00:00Z"), At("2026-03-15T09:00:00Z")) == 0);
  CHECK(BusinessDaysBetween(At("2026-12-23T09:00:00Z"), At("2026-12-29T09:00:00Z")) == 2);
  CHECK(BusinessDaysBetween(At("2026-04-02T09:00:00Z"), At("2026-04-07T09:00:00Z")) == 1);
  // Local dates: 23:30 UTC on Sunday 15 March is Monday 00:30 in Stockholm.
  CHECK(BusinessDaysBetween(At("2026-03-13T09:00:00Z"), At("2026-03-15T23:30:00Z")) == 1);
  // Whole years (the day before 1 January to 31 December), figures checked independently.
  CHECK(BusinessDaysBetween(At("2023-12-31T12:00:00Z"), At("2024-12-31T12:00:00Z")) == 251);
  CHECK(BusinessDaysBetween(At("2024-12-31T12:00:00Z"), At("2025-12-31T12:00:00Z")) == 249);
  CHECK(BusinessDaysBetween(At("2025-12-31T12:00:00Z"), At("2026-12-31T12:00:00Z")) == 251);
  CHECK(BusinessDaysBetween(At("2026-12-31T12:00:00Z"), At("2027-12-31T12:00:00Z")) == 253);
  CHECK(BusinessDaysBetween(At("2007-12-31T12:00:00Z"), At("2008-12-31T12:00:00Z")) == 252);
  // Before 1970 the weekday arithmetic still holds.
  CHECK(BusinessDaysBetween(At("1969-12-26T12:00:00Z"), At("1970-01-05T12:00:00Z")) == 4);
}

TEST_CASE("BusinessDaysBetween matches counting day by day and inverts AddBusinessDays",
          "[calendar]") {
  std::mt19937_64 rng(20260402);
  std::uniform_int_distribution<int64_t> start_ms(
      tillvaxt::base::ToUnixMillis(At("1995-01-01T00:00:00Z")),
      tillvaxt::base::ToUnixMillis(At("2060-01-01T00:00:00Z")));
  std::uniform_int_distribution<int64_t> span_ms(0, int64_t{3} * 366 * 24 * 3600 * 1000);
  std::uniform_int_distribution<int> n_days(0, 400);
  for (int i = 0; i < 2000; ++i) {
    const Time from{tillvaxt::base::Millis{start_ms(rng)}};
    const Time to = from + tillvaxt::base::Millis{span_ms(rng)};
    const sys_days from_day = floor<days>(from + StockholmOffset(from));
    const sys_days to_day = floor<days>(to + StockholmOffset(to));
    int brute = 0;
    for (sys_days d = from_day + days{1}; d <= to_day; d += days{1}) {
      brute += IsBusinessDay(year_month_day{d}) ? 1 : 0;
    }
    INFO(FormatRfc3339(from) << " .. " << FormatRfc3339(to));
    REQUIRE(BusinessDaysBetween(from, to) == brute);

    const int n = n_days(rng);
    const Time deadline = AddBusinessDays(from, n);
    INFO("n = " << n << " deadline " << FormatRfc3339(deadline));
    REQUIRE(BusinessDaysBetween(from, deadline) == n);
    if (n > 0) {
      REQUIRE(IsBusinessDay(year_month_day{floor<days>(deadline + StockholmOffset(deadline))}));
      // Same local time of day.
      const auto local_from = from + StockholmOffset(from);
      const auto local_deadline = deadline + StockholmOffset(deadline);
      REQUIRE(local_from - floor<days>(local_from) == local_deadline - floor<days>(local_deadline));
      // Walking back from the deadline returns to the start when that was a business day.
      if (IsBusinessDay(year_month_day{floor<days>(local_from)})) {
        REQUIRE(AddBusinessDays(deadline, -n) == from);
      }
    }
  }
}
