// The Swedish calendar: public holidays for any year, business days, and SLA deadlines.
//
// Business days are Monday to Friday except Swedish public holidays (New Year's Day,
// Epiphany, Good Friday, Easter Monday, 1 May, Ascension Day, National Day, Midsummer Eve,
// Christmas Eve, Christmas Day, Boxing Day, New Year's Eve; Midsummer Eve, Christmas Eve and
// New Year's Eve are de facto holidays that public offices keep closed). Dates are local dates in
// Sweden: UTC+1, UTC+2 in EU summer time (last Sunday of March to last Sunday of October,
// switching at 01:00 UTC). Pure functions.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "engine/base/time.h"

namespace tillvaxt::domain {

struct Holiday {
  std::chrono::year_month_day date;
  std::string name;  // Swedish: "Långfredagen", "Midsommarafton", ...
};

std::chrono::year_month_day EasterSunday(std::chrono::year y);
// Every public holiday of the year, including Sundays that are holidays (Easter Sunday,
// Pentecost, Midsummer Day, All Saints' Day) and the de facto holidays, in date order.
std::vector<Holiday> SwedishHolidays(std::chrono::year y);
bool IsBusinessDay(std::chrono::year_month_day date);

// Offset of Swedish local time from UTC at `t`: 1 h or 2 h.
std::chrono::minutes StockholmOffset(base::Time t);

// `start` plus `n` business days: the same local time of day on the n-th business day after
// the local date of `start`. n == 0 returns start.
base::Time AddBusinessDays(base::Time start, int n);

// Business days between two times: how many business days lie after from's local date up to and
// including to's local date (0 when to <= from). Used for statistics in business days.
int BusinessDaysBetween(base::Time from, base::Time to);

}  // namespace tillvaxt::domain
