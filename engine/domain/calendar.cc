// Swedish public holidays, business days and SLA deadlines.
//
// Everything is computed on the fly from a handful of integer operations (the Easter computus,
// weekday arithmetic), so there is no cache and no shared state: every function is pure and
// thread-safe. IsBusinessDay only computes Easter for dates between late March and early June,
// and BusinessDaysBetween counts weekdays arithmetically and subtracts the few weekday holidays
// of each year, so statistics over years of cases stay cheap.
//
// The current holiday law is applied to every year (National Day a holiday, Whit Monday not, as
// since 2005): the engine computes deadlines for present and future cases, not history.
#include "engine/domain/calendar.h"

#include <algorithm>
#include <array>

namespace tillvaxt::domain {
namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::weekday;
using std::chrono::year;
using std::chrono::year_month_day;

// Gregorian Easter dates repeat every 5,700,000 years; shifting non-positive years by that cycle
// keeps the computus (written for positive years) well defined for every std::chrono::year.
constexpr int kEasterCycle = 5'700'000;

// Saturday June 20-26, the day after Midsummer Eve (Friday June 19-25).
sys_days MidsummerDay(year y) {
  sys_days june20{y / std::chrono::June / 20};
  return june20 + (std::chrono::Saturday - weekday{june20});
}

// Saturday October 31 - November 6.
sys_days AllSaintsDay(year y) {
  sys_days oct31{y / std::chrono::October / 31};
  return oct31 + (std::chrono::Saturday - weekday{oct31});
}

bool IsWeekend(weekday wd) { return wd == std::chrono::Saturday || wd == std::chrono::Sunday; }

// The holidays that can fall on Monday-Friday (the only ones that change a business-day count),
// sorted and without duplicates (Ascension Day can be 1 May, e.g. in 2008).
struct WeekdayHolidays {
  std::array<sys_days, 12> dates;
  size_t size = 0;
};

WeekdayHolidays WeekdayHolidaysOf(year y) {
  using namespace std::chrono;
  const sys_days easter{EasterSunday(y)};
  const sys_days candidates[] = {
      sys_days{y / January / 1},   sys_days{y / January / 6},    easter - days{2},
      easter + days{1},            sys_days{y / May / 1},        easter + days{39},
      sys_days{y / June / 6},      MidsummerDay(y) - days{1},    sys_days{y / December / 24},
      sys_days{y / December / 25}, sys_days{y / December / 26},  sys_days{y / December / 31},
  };
  WeekdayHolidays out;
  for (sys_days d : candidates) {
    if (!IsWeekend(weekday{d})) out.dates[out.size++] = d;
  }
  std::sort(out.dates.begin(), out.dates.begin() + static_cast<std::ptrdiff_t>(out.size));
  out.size = static_cast<size_t>(
      std::unique(out.dates.begin(), out.dates.begin() + static_cast<std::ptrdiff_t>(out.size)) -
      out.dates.begin());
  return out;
}

// Monday-Friday days in [1970-01-05 (a Monday), d), negative before it.
int64_t WeekdaysBefore(sys_days d) {
  constexpr sys_days kMonday{std::chrono::year{1970} / std::chrono::January / 5};
  const int64_t n = (d - kMonday).count();
  int64_t weeks = n / 7;
  int64_t rem = n % 7;
  if (rem < 0) {
    rem += 7;
    --weeks;
  }
  return weeks * 5 + std::min<int64_t>(rem, 5);
}

sys_days LocalDate(base::Time t) {
  return std::chrono::floor<days>(t + StockholmOffset(t));
}

}  // namespace

year_month_day EasterSunday(year y) {
  // Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
  int yy = static_cast<int>(y);
  if (yy < 1) yy += kEasterCycle;
  const int a = yy % 19;
  const int b = yy / 100;
  const int c = yy % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = (h + l - 7 * m + 114) % 31 + 1;
  return year_month_day{y, std::chrono::month{static_cast<unsigned>(month)},
                        std::chrono::day{static_cast<unsigned>(day)}};
}

std::vector<Holiday> SwedishHolidays(year y) {
  using namespace std::chrono;
  const sys_days easter{EasterSunday(y)};
  const sys_days midsummer_day = MidsummerDay(y);
  std::vector<Holiday> out = {
      {y / January / 1, "Nyårsdagen"},
      {y / January / 6, "Trettondedag jul"},
      {year_month_day{easter - days{2}}, "Långfredagen"},
      {year_month_day{easter}, "Påskdagen"},
      {year_month_day{easter + days{1}}, "Annandag påsk"},
      {y / May / 1, "Första maj"},
      {year_month_day{easter + days{39}}, "Kristi himmelsfärdsdag"},
      {year_month_day{easter + days{49}}, "Pingstdagen"},
      {y / June / 6, "Sveriges nationaldag"},
      {year_month_day{midsummer_day - days{1}}, "Midsommarafton"},
      {year_month_day{midsummer_day}, "Midsommardagen"},
      {year_month_day{AllSaintsDay(y)}, "Alla helgons dag"},
      {y / December / 24, "Julafton"},
      {y / December / 25, "Juldagen"},
      {y / December / 26, "Annandag jul"},
      {y / December / 31, "Nyårsafton"},
  };
  // Stable: when two holidays share a date (Ascension Day on 1 May) both stay, in list order.
  std::stable_sort(out.begin(), out.end(),
                   [](const Holiday& l, const Holiday& r) { return l.date < r.date; });
  return out;
}

bool IsBusinessDay(year_month_day date) {
  using namespace std::chrono;
  const sys_days d{date};
  if (IsWeekend(weekday{d})) return false;
  const unsigned m = static_cast<unsigned>(date.month());
  const unsigned dd = static_cast<unsigned>(date.day());
  switch (m) {
    case 1:
      if (dd == 1 || dd == 6) return false;
      break;
    case 5:
      if (dd == 1) return false;
      break;
    case 6:
      if (dd == 6) return false;
      // Midsummer Eve: the Friday between 19 and 25 June.
      if (weekday{d} == Friday && dd >= 19 && dd <= 25) return false;
      break;
    case 12:
      if (dd == 24 || dd == 25 || dd == 26 || dd == 31) return false;
      break;
    default:
      break;
  }
  // Easter-based weekday holidays lie between Good Friday (>= 20 March) and Ascension Day
  // (<= 3 June); skip the computus outside that window.
  if (m >= 3 && m <= 6) {
    const sys_days easter{EasterSunday(date.year())};
    if (d == easter - days{2} || d == easter + days{1} || d == easter + days{39}) return false;
  }
  return true;
}

std::chrono::minutes StockholmOffset(base::Time t) {
  using namespace std::chrono;
  const year y = year_month_day{floor<days>(t)}.year();
  const auto start = sys_days{y / March / Sunday[last]} + hours{1};
  const auto end = sys_days{y / October / Sunday[last]} + hours{1};
  return (t >= start && t < end) ? minutes{120} : minutes{60};
}

base::Time AddBusinessDays(base::Time start, int n) {
  using namespace std::chrono;
  if (n == 0) return start;
  const auto local = start + StockholmOffset(start);
  sys_days date = floor<days>(local);
  const auto time_of_day = local - date;
  // Negative n walks backwards: the n-th business day before the local date.
  const days step{n > 0 ? 1 : -1};
  for (int left = n > 0 ? n : -n; left > 0;) {
    date += step;
    if (IsBusinessDay(year_month_day{date})) --left;
  }
  const base::Time result_local = date + time_of_day;
  // Business days are never the Sundays on which the clocks change, but prefer summer time when
  // it is consistent, so the conversion is also right for any local time outside a gap.
  const base::Time summer = result_local - minutes{120};
  if (StockholmOffset(summer) == minutes{120}) return summer;
  return result_local - minutes{60};
}

int BusinessDaysBetween(base::Time from, base::Time to) {
  using namespace std::chrono;
  if (to <= from) return 0;
  const sys_days first = LocalDate(from) + days{1};  // inclusive
  const sys_days last = LocalDate(to);               // inclusive
  if (last < first) return 0;
  int64_t count = WeekdaysBefore(last + days{1}) - WeekdaysBefore(first);
  const int first_year = static_cast<int>(year_month_day{first}.year());
  const int last_year = static_cast<int>(year_month_day{last}.year());
  for (int yy = first_year; yy <= last_year; ++yy) {
    const WeekdayHolidays holidays = WeekdayHolidaysOf(year{yy});
    for (size_t i = 0; i < holidays.size; ++i) {
      if (holidays.dates[i] >= first && holidays.dates[i] <= last) --count;
    }
  }
  return static_cast<int>(count);
}

}  // namespace tillvaxt::domain
