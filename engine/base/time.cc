#include "engine/base/time.h"

#include <charconv>
#include <cstdio>

namespace tillvaxt::base {
namespace {

bool ReadInt(std::string_view s, size_t pos, size_t len, int& out) {
  if (pos + len > s.size()) return false;
  for (size_t i = pos; i < pos + len; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  auto r = std::from_chars(s.data() + pos, s.data() + pos + len, out);
  return r.ec == std::errc();
}

}  // namespace

std::string FormatRfc3339(Time t) {
  using namespace std::chrono;
  auto day = floor<days>(t);
  year_month_day ymd{day};
  hh_mm_ss hms{t - day};
  char buf[40];
  int ms = static_cast<int>(hms.subseconds().count());
  if (ms == 0) {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", int(ymd.year()),
                  unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                  int(hms.minutes().count()), int(hms.seconds().count()));
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", int(ymd.year()),
                  unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                  int(hms.minutes().count()), int(hms.seconds().count()), ms);
  }
  return buf;
}

std::optional<Time> ParseRfc3339(std::string_view s) {
  using namespace std::chrono;
  int y, mo, d;
  if (!ReadInt(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !ReadInt(s, 5, 2, mo) ||
      s[7] != '-' || !ReadInt(s, 8, 2, d)) {
    return std::nullopt;
  }
  year_month_day ymd{year(y), month(unsigned(mo)), day(unsigned(d))};
  if (!ymd.ok()) return std::nullopt;
  Time t = time_point_cast<Millis>(sys_days(ymd));
  if (s.size() == 10) return t;
  int h, mi, se;
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return std::nullopt;
  if (!ReadInt(s, 11, 2, h) || s.size() < 19 || s[13] != ':' || !ReadInt(s, 14, 2, mi) ||
      s[16] != ':' || !ReadInt(s, 17, 2, se) || h > 23 || mi > 59 || se > 60) {
    return std::nullopt;
  }
  t += hours(h) + minutes(mi) + seconds(se);
  size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int64_t frac_ms = 0;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 3) frac_ms = frac_ms * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (int i = digits; i < 3; ++i) frac_ms *= 10;
    t += Millis(frac_ms);
  }
  if (pos >= s.size()) return std::nullopt;
  if (s[pos] == 'Z' || s[pos] == 'z') return pos + 1 == s.size() ? std::optional(t) : std::nullopt;
  if (s[pos] != '+' && s[pos] != '-') return std::nullopt;
  int oh, om;
  if (pos + 6 != s.size() || !ReadInt(s, pos + 1, 2, oh) || s[pos + 3] != ':' ||
      !ReadInt(s, pos + 4, 2, om)) {
    return std::nullopt;
  }
  auto offset = hours(oh) + minutes(om);
  return s[pos] == '+' ? t - offset : t + offset;
}

std::optional<Millis> ParseDuration(std::string_view s) {
  if (s.size() < 2 || s.back() != 's') return std::nullopt;
  s.remove_suffix(1);
  size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  if (whole.empty()) return std::nullopt;
  int64_t secs = 0;
  auto r = std::from_chars(whole.data(), whole.data() + whole.size(), secs);
  if (r.ec != std::errc() || r.ptr != whole.data() + whole.size() || secs < 0) return std::nullopt;
  int64_t ms = 0;
  if (dot != std::string_view::npos) {
    std::string_view frac = s.substr(dot + 1);
    if (frac.empty() || frac.size() > 9) return std::nullopt;
    int digits = 0;
    for (char c : frac) {
      if (c < '0' || c > '9') return std::nullopt;
      if (digits++ < 3) ms = ms * 10 + (c - '0');
    }
    for (int i = digits; i < 3; ++i) ms *= 10;
  }
  return Millis(secs * 1000 + ms);
}

std::string FormatDuration(Millis d) {
  int64_t ms = d.count();
  std::string out = std::to_string(ms / 1000);
  if (ms % 1000 != 0) {
    char frac[8];
    std::snprintf(frac, sizeof frac, ".%03d", static_cast<int>(ms % 1000));
    out += frac;
  }
  return out + "s";
}

}  // namespace tillvaxt::base
