// Checks of the JSON Schema `format` values (see formats.h). Each format is a hand-written parser
// of its RFC grammar working on the bytes in place: no regex engine and no allocation, except for
// internationalised domain names, whose IDNA2008 rules (code point classes, contextual rules,
// Punycode) come from libidn2.
#include "formats.h"

#include <idn2.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "ecma_regex.h"

namespace runmock::schema {
namespace {

using std::size_t;
using std::string_view;

constexpr size_t npos = string_view::npos;

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
constexpr bool is_ascii(char c) { return static_cast<unsigned char>(c) < 0x80; }
constexpr char to_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// `c` is one of `set` (never true for NUL, which no set here contains).
constexpr bool is_one_of(char c, string_view set) { return set.find(c) != npos; }

bool iequals(string_view a, string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return to_lower(x) == to_lower(y); });
}

// "%" HEXDIG HEXDIG at s[i].
bool is_pct_encoded(string_view s, size_t i) {
  return i + 2 < s.size() && s[i] == '%' && is_hex(s[i + 1]) && is_hex(s[i + 2]);
}

// Decodes the UTF-8 sequence at s[i] into `cp` and returns its length, or 0 when it is ill-formed
// (truncated, overlong, a surrogate or beyond U+10FFFF), so that callers reject such bytes.
size_t decode_utf8(string_view s, size_t i, char32_t& cp) {
  const auto lead = static_cast<unsigned char>(s[i]);
  if (lead < 0x80) {
    cp = lead;
    return 1;
  }
  const size_t length = (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 : (lead & 0xF8) == 0xF0 ? 4 : 0;
  if (length == 0) return 0;
  static constexpr std::array<char32_t, 5> kSmallest = {0, 0, 0x80, 0x800, 0x10000};  // by length
  cp = lead & (0x7F >> length);
  if (i + length > s.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    const auto next = static_cast<unsigned char>(s[i + k]);
    if ((next & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (next & 0x3F);
  }
  if (cp < kSmallest[length] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return length;
}

// Exactly `count` ASCII digits at s[pos] as a number, or -1 when they are not there.
int fixed_digits(string_view s, size_t pos, size_t count) {
  if (pos + count > s.size()) return -1;
  int value = 0;
  for (size_t k = pos; k < pos + count; ++k) {
    if (!is_digit(s[k])) return -1;
    value = value * 10 + (s[k] - '0');
  }
  return value;
}

// ---- RFC 3339 dates and times ------------------------------------------------------------------

constexpr bool is_leap_year(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

// full-date = date-fullyear "-" date-month "-" date-mday, the day checked against its month.
bool check_date(string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int year = fixed_digits(s, 0, 4), month = fixed_digits(s, 5, 2), day = fixed_digits(s, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1) return false;
  return day <= kDays[month - 1] + (month == 2 && is_leap_year(year) ? 1 : 0);
}

// full-time = partial-time time-offset. "T" and "Z" may be lower case (RFC 3339 section 5.6). A
// leap second (second 60) can only occur at 23:59 UTC, so the offset is taken off before that
// check; which days really had one is not knowable in advance and is not checked.
bool check_time(string_view s) {
  if (s.size() < 9 || s[2] != ':' || s[5] != ':') return false;
  const int hour = fixed_digits(s, 0, 2), minute = fixed_digits(s, 3, 2), second = fixed_digits(s, 6, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return false;
  size_t i = 8;
  if (s[i] == '.') {
    const size_t fraction = ++i;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (i == fraction) return false;
  }
  if (i == s.size()) return false;
  int offset = 0;  // minutes east of UTC
  if (s[i] == 'Z' || s[i] == 'z') {
    if (i + 1 != s.size()) return false;
  } else if (s[i] == '+' || s[i] == '-') {
    if (s.size() - i != 6 || s[i + 3] != ':') return false;
    const int offset_hour = fixed_digits(s, i + 1, 2), offset_minute = fixed_digits(s, i + 4, 2);
    if (offset_hour < 0 || offset_hour > 23 || offset_minute < 0 || offset_minute > 59) return false;
    offset = (s[i] == '+' ? 1 : -1) * (offset_hour * 60 + offset_minute);
  } else {
    return false;
  }
  if (second < 60) return true;
  constexpr int kMinutesPerDay = 24 * 60;
  return ((hour * 60 + minute - offset) % kMinutesPerDay + kMinutesPerDay) % kMinutesPerDay == 23 * 60 + 59;
}

bool check_date_time(string_view s) {
  return s.size() > 11 && (s[10] == 'T' || s[10] == 't') && check_date(s.substr(0, 10)) && check_time(s.substr(11));
}

// Reads the "<digits><designator>" units at s[i] whose designators are in `order` ("YMD" or "HMS")
// and returns how many there were, or -1 when one is malformed. RFC 3339 appendix A nests the
// units (dur-year = 1*DIGIT "Y" [dur-month], ...), so they must be consecutive in `order`:
// "1Y2M" and "2M3D" are durations, "1Y3D" and "2D1Y" are not.
int duration_units(string_view s, size_t& i, string_view order) {
  int count = 0;
  size_t previous = 0;
  while (i < s.size() && is_digit(s[i])) {
    size_t j = i;
    while (j < s.size() && is_digit(s[j])) ++j;
    if (j == s.size()) return -1;
    const size_t position = order.find(s[j]);
    if (position == npos || (count > 0 && position != previous + 1)) return -1;
    previous = position;
    ++count;
    i = j + 1;
  }
  return count;
}

// duration = "P" (dur-date / dur-time / dur-week), RFC 3339 appendix A: weeks stand alone, a "T"
// must be followed by at least one time unit, and there is no sign and no fraction.
bool check_duration(string_view s) {
  if (s.size() < 2 || s[0] != 'P') return false;
  size_t i = 1;
  while (i < s.size() && is_digit(s[i])) ++i;
  if (i > 1 && i + 1 == s.size() && s[i] == 'W') return true;
  i = 1;
  const int date_units = duration_units(s, i, "YMD");
  if (date_units < 0) return false;
  int time_units = 0;
  if (i < s.size() && s[i] == 'T') {
    time_units = duration_units(s, ++i, "HMS");
    if (time_units <= 0) return false;
  }
  return i == s.size() && date_units + time_units > 0;
}

// ---- IP addresses ------------------------------------------------------------------------------

// dotted-quad: four decimal octets 0-255, without leading zeros (which some parsers read as octal).
bool check_ipv4(string_view s) {
  size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0 && (i == s.size() || s[i++] != '.')) return false;
    const size_t start = i;
    int value = 0;
    while (i < s.size() && is_digit(s[i]) && i - start < 3) value = value * 10 + (s[i++] - '0');
    if (i == start || value > 255 || (s[start] == '0' && i - start > 1)) return false;
  }
  return i == s.size();
}

// RFC 4291 section 2.2 text form: eight pieces of 1-4 hex digits, at most one "::" standing for one
// or more zero pieces, and the last two pieces optionally written as a dotted quad. Zone ids
// ("%eth0") and prefix lengths are not part of an address.
bool check_ipv6(string_view s) {
  size_t i = 0, pieces = 0;
  bool elided = s.starts_with("::");
  if (elided) i = 2;
  while (i < s.size()) {
    size_t j = i;
    while (j < s.size() && is_hex(s[j])) ++j;
    if (j < s.size() && s[j] == '.') {  // a dotted quad, which ends the address
      if (!check_ipv4(s.substr(i))) return false;
      pieces += 2;
      break;
    }
    if (j == i || j - i > 4) return false;
    ++pieces;
    i = j;
    if (i == s.size()) break;
    if (s[i++] != ':') return false;
    if (i < s.size() && s[i] == ':') {
      if (elided) return false;
      elided = true;
      ++i;
    } else if (i == s.size()) {
      return false;  // a lone trailing ":"
    }
  }
  return elided ? pieces <= 7 : pieces == 8;
}

// ---- Domain names (RFC 1123, IDNA2008) ---------------------------------------------------------

// Bidi classes (Unicode UAX #9) as the Bidi rule of RFC 5893 tells them apart: R stands for R and
// AL, ON for ES, CS, ET, ON and BN (allowed anywhere in both directions but never last).
enum BidiClass : std::uint8_t { kL, kR, kAN, kEN, kNSM, kON, kBidiClassCount };

struct BidiRange {
  char32_t first, last;
  BidiClass bidi_class;
};

// Every range of code points whose class is not L, over the code points IDNA2008 permits (PVALID,
// CONTEXTJ, CONTEXTO). Generated from Python 3.11's unicodedata.bidirectional() (Unicode 14.0),
// restricted to the permitted code points of the Python package idna's tables (Unicode 15.0) less
// those new in 15.0, which libidn2 (Unicode 14.0) rejects as unassigned. Code points libidn2
// rejects never reach this table, so they are merged into whichever range is next to them. No
// permitted code point is of class B, S, WS or an explicit embedding, so these classes are all a
// label can hold.
constexpr BidiRange kBidiRanges[] = {
    {0x2D, 0x2D, kON}, {0x30, 0x39, kEN}, {0xB7, 0xB7, kON}, {0x2B9, 0x2BA, kON},
    {0x2C6, 0x2CF, kON}, {0x2EC, 0x2EC, kON}, {0x300, 0x36F, kNSM}, {0x375, 0x375, kON},
    {0x483, 0x487, kNSM}, {0x591, 0x5C7, kNSM}, {0x5D0, 0x5F4, kR}, {0x610, 0x61A, kNSM},
    {0x620, 0x64A, kR}, {0x64B, 0x65F, kNSM}, {0x660, 0x669, kAN}, {0x66E, 0x66F, kR},
    {0x670, 0x670, kNSM}, {0x671, 0x6D5, kR}, {0x6D6, 0x6E4, kNSM}, {0x6E5, 0x6E6, kR},
    {0x6E7, 0x6ED, kNSM}, {0x6EE, 0x6EF, kR}, {0x6F0, 0x6F9, kEN}, {0x6FA, 0x710, kR},
    {0x711, 0x711, kNSM}, {0x712, 0x72F, kR}, {0x730, 0x74A, kNSM}, {0x74D, 0x7A5, kR},
    {0x7A6, 0x7B0, kNSM}, {0x7B1, 0x7EA, kR}, {0x7EB, 0x7F3, kNSM}, {0x7F4, 0x7F5, kR},
    {0x7FD, 0x7FD, kNSM}, {0x800, 0x815, kR}, {0x816, 0x819, kNSM}, {0x81A, 0x81A, kR},
    {0x81B, 0x823, kNSM}, {0x824, 0x824, kR}, {0x825, 0x827, kNSM}, {0x828, 0x828, kR},
    {0x829, 0x82D, kNSM}, {0x840, 0x858, kR}, {0x859, 0x85B, kNSM}, {0x860, 0x88E, kR},
    {0x898, 0x89F, kNSM}, {0x8A0, 0x8C9, kR}, {0x8CA, 0x902, kNSM}, {0x93A, 0x93A, kNSM},
    {0x93C, 0x93C, kNSM}, {0x941, 0x948, kNSM}, {0x94D, 0x94D, kNSM}, {0x951, 0x957, kNSM},
    {0x962, 0x963, kNSM}, {0x981, 0x981, kNSM}, {0x9BC, 0x9BC, kNSM}, {0x9C1, 0x9C4, kNSM},
    {0x9CD, 0x9CD, kNSM}, {0x9E2, 0x9E3, kNSM}, {0x9FE, 0xA02, kNSM}, {0xA3C, 0xA3C, kNSM},
    {0xA41, 0xA51, kNSM}, {0xA70, 0xA71, kNSM}, {0xA75, 0xA82, kNSM}, {0xABC, 0xABC, kNSM},
    {0xAC1, 0xAC8, kNSM}, {0xACD, 0xACD, kNSM}, {0xAE2, 0xAE3, kNSM}, {0xAFA, 0xB01, kNSM},
    {0xB3C, 0xB3C, kNSM}, {0xB3F, 0xB3F, kNSM}, {0xB41, 0xB44, kNSM}, {0xB4D, 0xB56, kNSM},
    {0xB62, 0xB63, kNSM}, {0xB82, 0xB82, kNSM}, {0xBC0, 0xBC0, kNSM}, {0xBCD, 0xBCD, kNSM},
    {0xC00, 0xC00, kNSM}, {0xC04, 0xC04, kNSM}, {0xC3C, 0xC3C, kNSM}, {0xC3E, 0xC40, kNSM},
    {0xC46, 0xC56, kNSM}, {0xC62, 0xC63, kNSM}, {0xC81, 0xC81, kNSM}, {0xCBC, 0xCBC, kNSM},
    {0xCCC, 0xCCD, kNSM}, {0xCE2, 0xCE3, kNSM}, {0xD00, 0xD01, kNSM}, {0xD3B, 0xD3C, kNSM},
    {0xD41, 0xD44, kNSM}, {0xD4D, 0xD4D, kNSM}, {0xD62, 0xD63, kNSM}, {0xD81, 0xD81, kNSM},
    {0xDCA, 0xDCA, kNSM}, {0xDD2, 0xDD6, kNSM}, {0xE31, 0xE31, kNSM}, {0xE34, 0xE3A, kNSM},
    {0xE47, 0xE4E, kNSM}, {0xEB1, 0xEB1, kNSM}, {0xEB4, 0xEBC, kNSM}, {0xEC8, 0xECD, kNSM},
    {0xF18, 0xF19, kNSM}, {0xF35, 0xF39, kNSM}, {0xF71, 0xF7E, kNSM}, {0xF80, 0xF87, kNSM},
    {0xF8D, 0xFC6, kNSM}, {0x102D, 0x1030, kNSM}, {0x1032, 0x1037, kNSM}, {0x1039, 0x103A, kNSM},
    {0x103D, 0x103E, kNSM}, {0x1058, 0x1059, kNSM}, {0x105E, 0x1060, kNSM}, {0x1071, 0x1074, kNSM},
    {0x1082, 0x1082, kNSM}, {0x1085, 0x1086, kNSM}, {0x108D, 0x108D, kNSM}, {0x109D, 0x109D, kNSM},
    {0x135D, 0x135F, kNSM}, {0x1712, 0x1714, kNSM}, {0x1732, 0x1733, kNSM}, {0x1752, 0x1753, kNSM},
    {0x1772, 0x1773, kNSM}, {0x17B7, 0x17BD, kNSM}, {0x17C6, 0x17C6, kNSM}, {0x17C9, 0x17D3, kNSM},
    {0x17DD, 0x17DD, kNSM}, {0x1885, 0x1886, kNSM}, {0x18A9, 0x18A9, kNSM}, {0x1920, 0x1922, kNSM},
    {0x1927, 0x1928, kNSM}, {0x1932, 0x1932, kNSM}, {0x1939, 0x193B, kNSM}, {0x1A17, 0x1A18, kNSM},
    {0x1A1B, 0x1A1B, kNSM}, {0x1A56, 0x1A56, kNSM}, {0x1A58, 0x1A60, kNSM}, {0x1A62, 0x1A62, kNSM},
    {0x1A65, 0x1A6C, kNSM}, {0x1A73, 0x1A7F, kNSM}, {0x1AB0, 0x1B03, kNSM}, {0x1B34, 0x1B34, kNSM},
    {0x1B36, 0x1B3A, kNSM}, {0x1B3C, 0x1B3C, kNSM}, {0x1B42, 0x1B42, kNSM}, {0x1B6B, 0x1B81, kNSM},
    {0x1BA2, 0x1BA5, kNSM}, {0x1BA8, 0x1BA9, kNSM}, {0x1BAB, 0x1BAD, kNSM}, {0x1BE6, 0x1BE6, kNSM},
    {0x1BE8, 0x1BE9, kNSM}, {0x1BED, 0x1BED, kNSM}, {0x1BEF, 0x1BF1, kNSM}, {0x1C2C, 0x1C33, kNSM},
    {0x1C36, 0x1C37, kNSM}, {0x1CD0, 0x1CE0, kNSM}, {0x1CE2, 0x1CE8, kNSM}, {0x1CED, 0x1CED, kNSM},
    {0x1CF4, 0x1CF4, kNSM}, {0x1CF8, 0x1CF9, kNSM}, {0x1DC0, 0x1DFF, kNSM}, {0x200C, 0x200D, kON},
    {0x2CEF, 0x2CF1, kNSM}, {0x2D7F, 0x2D7F, kNSM}, {0x2DE0, 0x2DFF, kNSM}, {0x2E2F, 0x2E2F, kON},
    {0x302A, 0x302D, kNSM}, {0x3099, 0x309A, kNSM}, {0x30FB, 0x30FB, kON}, {0xA66F, 0xA67D, kNSM},
    {0xA67F, 0xA67F, kON}, {0xA69E, 0xA69F, kNSM}, {0xA6F0, 0xA6F1, kNSM}, {0xA717, 0xA71F, kON},
    {0xA788, 0xA788, kON}, {0xA802, 0xA802, kNSM}, {0xA806, 0xA806, kNSM}, {0xA80B, 0xA80B, kNSM},
    {0xA825, 0xA826, kNSM}, {0xA82C, 0xA82C, kNSM}, {0xA8C4, 0xA8C5, kNSM}, {0xA8E0, 0xA8F1, kNSM},
    {0xA8FF, 0xA8FF, kNSM}, {0xA926, 0xA92D, kNSM}, {0xA947, 0xA951, kNSM}, {0xA980, 0xA982, kNSM},
    {0xA9B3, 0xA9B3, kNSM}, {0xA9B6, 0xA9B9, kNSM}, {0xA9BC, 0xA9BD, kNSM}, {0xA9E5, 0xA9E5, kNSM},
    {0xAA29, 0xAA2E, kNSM}, {0xAA31, 0xAA32, kNSM}, {0xAA35, 0xAA36, kNSM}, {0xAA43, 0xAA43, kNSM},
    {0xAA4C, 0xAA4C, kNSM}, {0xAA7C, 0xAA7C, kNSM}, {0xAAB0, 0xAAB0, kNSM}, {0xAAB2, 0xAAB4, kNSM},
    {0xAAB7, 0xAAB8, kNSM}, {0xAABE, 0xAABF, kNSM}, {0xAAC1, 0xAAC1, kNSM}, {0xAAEC, 0xAAED, kNSM},
    {0xAAF6, 0xAAF6, kNSM}, {0xABE5, 0xABE5, kNSM}, {0xABE8, 0xABE8, kNSM}, {0xABED, 0xABED, kNSM},
    {0xFB1E, 0xFE2F, kNSM}, {0xFE73, 0xFE73, kR}, {0x101FD, 0x101FD, kNSM},
    {0x102E0, 0x102E0, kNSM}, {0x10376, 0x1037A, kNSM}, {0x10800, 0x10A00, kR},
    {0x10A01, 0x10A0F, kNSM}, {0x10A10, 0x10A35, kR}, {0x10A38, 0x10A3F, kNSM},
    {0x10A60, 0x10AE4, kR}, {0x10AE5, 0x10AE6, kNSM}, {0x10B00, 0x10D23, kR},
    {0x10D24, 0x10D27, kNSM}, {0x10D30, 0x10D39, kAN}, {0x10E80, 0x10EA9, kR},
    {0x10EAB, 0x10EAC, kNSM}, {0x10EB0, 0x10F45, kR}, {0x10F46, 0x10F50, kNSM},
    {0x10F70, 0x10F81, kR}, {0x10F82, 0x10F85, kNSM}, {0x10FB0, 0x10FF6, kR},
    {0x11001, 0x11001, kNSM}, {0x11038, 0x11046, kNSM}, {0x11070, 0x11070, kNSM},
    {0x11073, 0x11074, kNSM}, {0x1107F, 0x11081, kNSM}, {0x110B3, 0x110B6, kNSM},
    {0x110B9, 0x110C2, kNSM}, {0x11100, 0x11102, kNSM}, {0x11127, 0x1112B, kNSM},
    {0x1112D, 0x11134, kNSM}, {0x11173, 0x11173, kNSM}, {0x11180, 0x11181, kNSM},
    {0x111B6, 0x111BE, kNSM}, {0x111C9, 0x111CC, kNSM}, {0x111CF, 0x111CF, kNSM},
    {0x1122F, 0x11231, kNSM}, {0x11234, 0x11234, kNSM}, {0x11236, 0x1123E, kNSM},
    {0x112DF, 0x112DF, kNSM}, {0x112E3, 0x112EA, kNSM}, {0x11300, 0x11301, kNSM},
    {0x1133B, 0x1133C, kNSM}, {0x11340, 0x11340, kNSM}, {0x11366, 0x11374, kNSM},
    {0x11438, 0x1143F, kNSM}, {0x11442, 0x11444, kNSM}, {0x11446, 0x11446, kNSM},
    {0x1145E, 0x1145E, kNSM}, {0x114B3, 0x114B8, kNSM}, {0x114BA, 0x114BA, kNSM},
    {0x114BF, 0x114C0, kNSM}, {0x114C2, 0x114C3, kNSM}, {0x115B2, 0x115B5, kNSM},
    {0x115BC, 0x115BD, kNSM}, {0x115BF, 0x115C0, kNSM}, {0x115DC, 0x115DD, kNSM},
    {0x11633, 0x1163A, kNSM}, {0x1163D, 0x1163D, kNSM}, {0x1163F, 0x11640, kNSM},
    {0x116AB, 0x116AB, kNSM}, {0x116AD, 0x116AD, kNSM}, {0x116B0, 0x116B5, kNSM},
    {0x116B7, 0x116B7, kNSM}, {0x1171D, 0x1171F, kNSM}, {0x11722, 0x11725, kNSM},
    {0x11727, 0x1172B, kNSM}, {0x1182F, 0x11837, kNSM}, {0x11839, 0x1183A, kNSM},
    {0x1193B, 0x1193C, kNSM}, {0x1193E, 0x1193E, kNSM}, {0x11943, 0x11943, kNSM},
    {0x119D4, 0x119DB, kNSM}, {0x119E0, 0x119E0, kNSM}, {0x11A01, 0x11A06, kNSM},
    {0x11A09, 0x11A0A, kNSM}, {0x11A33, 0x11A38, kNSM}, {0x11A3B, 0x11A47, kNSM},
    {0x11A51, 0x11A56, kNSM}, {0x11A59, 0x11A5B, kNSM}, {0x11A8A, 0x11A96, kNSM},
    {0x11A98, 0x11A99, kNSM}, {0x11C30, 0x11C3D, kNSM}, {0x11C92, 0x11CA7, kNSM},
    {0x11CAA, 0x11CB0, kNSM}, {0x11CB2, 0x11CB3, kNSM}, {0x11CB5, 0x11CB6, kNSM},
    {0x11D31, 0x11D45, kNSM}, {0x11D47, 0x11D47, kNSM}, {0x11D90, 0x11D91, kNSM},
    {0x11D95, 0x11D95, kNSM}, {0x11D97, 0x11D97, kNSM}, {0x11EF3, 0x11EF4, kNSM},
    {0x16AF0, 0x16AF4, kNSM}, {0x16B30, 0x16B36, kNSM}, {0x16F4F, 0x16F4F, kNSM},
    {0x16F8F, 0x16F92, kNSM}, {0x16FE4, 0x16FE4, kNSM}, {0x1BC9D, 0x1DAAF, kNSM},
    {0x1E000, 0x1E02A, kNSM}, {0x1E130, 0x1E136, kNSM}, {0x1E2AE, 0x1E2AE, kNSM},
    {0x1E2EC, 0x1E2EF, kNSM}, {0x1E800, 0x1E8C4, kR}, {0x1E8D0, 0x1E8D6, kNSM},
    {0x1E922, 0x1E943, kR}, {0x1E944, 0x1E94A, kNSM}, {0x1E94B, 0x1E959, kR},
};

BidiClass bidi_class(char32_t cp) {
  const auto* next = std::upper_bound(std::begin(kBidiRanges), std::end(kBidiRanges), cp,
                                      [](char32_t value, const BidiRange& range) { return value < range.first; });
  if (next == std::begin(kBidiRanges)) return kL;
  const BidiRange& range = *(next - 1);
  return cp <= range.last ? range.bidi_class : kL;
}

// What the Bidi rule needs to know of one label (RFC 5893 section 2). It only applies to the labels
// of a "Bidi domain name", one with an R, AL or AN character in any label, so a domain name is
// judged after all of its labels are seen.
struct LabelBidi {
  bool has_rtl = false;  // holds an R, AL or AN character
  bool meets_rule = true;
};

// The six conditions on a UTF-8 label. libidn2 checks them itself only on labels with right-to-left
// characters, and misses condition 4 (no EN together with AN in a right-to-left label).
LabelBidi bidi_of(string_view label) {
  std::array<bool, kBidiClassCount> seen{};
  BidiClass first = kON, last = kON;  // `last`: the last class that is not NSM
  for (size_t i = 0; i < label.size();) {
    char32_t cp;
    const size_t length = decode_utf8(label, i, cp);
    if (length == 0) return {false, false};
    const BidiClass cls = bidi_class(cp);
    if (i == 0) first = cls;
    if (cls != kNSM) last = cls;
    seen[cls] = true;
    i += length;
  }
  LabelBidi result;
  result.has_rtl = seen[kR] || seen[kAN];
  if (first == kL) {  // left-to-right: conditions 5 and 6
    result.meets_rule = !result.has_rtl && (last == kL || last == kEN);
  } else if (first == kR) {  // right-to-left: conditions 2, 3 and 4
    result.meets_rule = !seen[kL] && (last == kR || last == kEN || last == kAN) && !(seen[kEN] && seen[kAN]);
  } else {  // condition 1
    result.meets_rule = false;
  }
  return result;
}

enum class DomainSyntax {
  kAscii,    // hostname: LDH labels and A-labels
  kIdn,      // idn-hostname: U-labels too, and the full stops of IDNA2003 as separators
  kIdnMail,  // idn-email's domain: as kIdn, but labels are brought to NFC first (RFC 6532 section
             // 3.1 only recommends NFC, so mail addresses may arrive decomposed)
};

constexpr size_t kMaxLabelLength = 63;   // octets, in A-label form
constexpr size_t kMaxNameLength = 253;   // the 255 octets of the DNS wire form, less the two length octets
// No longer UTF-8 label can be a U-label: an A-label of 63 octets holds at most 59 code points, which
// decompose to at most 4 each, of at most 4 bytes.
constexpr size_t kMaxULabelBytes = 1024;

// LDH label (RFC 1123 section 2.1, RFC 952): letters, digits and inner hyphens, 1-63 characters.
bool is_ldh_label(string_view label) {
  return !label.empty() && label.size() <= kMaxLabelLength && label.front() != '-' && label.back() != '-' &&
         std::all_of(label.begin(), label.end(), [](char c) { return is_alpha(c) || is_digit(c) || c == '-'; });
}

// An ASCII label that starts with "xn--" (in any case) must be an A-label: libidn2 decodes it,
// checks the U-label against IDNA2008 (code points, hyphens, contextual rules) and that it encodes
// back to the same A-label; the U-label is then decoded again for the name-wide Bidi rule.
bool check_a_label(string_view label, LabelBidi& bidi) {
  std::array<char, kMaxLabelLength + 1> alabel;
  *std::transform(label.begin(), label.end(), alabel.begin(), to_lower) = '\0';
  std::uint8_t* registered = nullptr;
  const int status = idn2_register_u8(nullptr, reinterpret_cast<const std::uint8_t*>(alabel.data()), &registered, 0);
  idn2_free(registered);
  if (status != IDN2_OK) return false;
  char* ulabel = nullptr;
  if (idn2_to_unicode_8z8z(alabel.data(), &ulabel, 0) != IDN2_OK) {
    idn2_free(ulabel);
    return false;
  }
  bidi = bidi_of(ulabel);
  idn2_free(ulabel);
  return true;
}

// A label with non-ASCII characters must be a U-label (RFC 5890 section 2.3.2.1), which libidn2's
// registration check verifies (IDNA2008 code points, NFC, "--" in positions 3-4, contextual rules,
// an A-label of at most 63 octets) except for the leading and trailing hyphen of RFC 5891 section
// 4.2.3.1. `length` receives the label's length in A-label form.
bool check_u_label(string_view label, bool normalize, size_t& length) {
  // libidn2 takes C strings, so a NUL would hide the rest of the label.
  if (label.size() > kMaxULabelBytes || label.find('\0') != npos || label.front() == '-' || label.back() == '-') {
    return false;
  }
  std::array<char, kMaxULabelBytes + 1> ulabel;
  *std::copy(label.begin(), label.end(), ulabel.begin()) = '\0';
  std::uint8_t* alabel = nullptr;
  const int status = idn2_register_u8(reinterpret_cast<const std::uint8_t*>(ulabel.data()), nullptr, &alabel,
                                      normalize ? IDN2_NFC_INPUT : 0);
  if (status == IDN2_OK) length = std::strlen(reinterpret_cast<const char*>(alabel));
  idn2_free(alabel);
  return status == IDN2_OK;
}

// Checks one label; `length` receives its length in A-label form.
bool check_label(string_view label, DomainSyntax syntax, size_t& length, LabelBidi& bidi) {
  if (label.empty()) return false;
  if (std::all_of(label.begin(), label.end(), is_ascii)) {
    if (!is_ldh_label(label)) return false;
    length = label.size();
    if (label.size() >= 4 && iequals(label.substr(0, 4), "xn--")) return check_a_label(label, bidi);
    // Letters are L, digits EN and hyphens (never last) ES: such a label is left-to-right and
    // meets the Bidi rule when it starts with a letter.
    bidi = {false, is_alpha(label.front())};
    return true;
  }
  if (syntax == DomainSyntax::kAscii || !check_u_label(label, syntax == DomainSyntax::kIdnMail, length)) return false;
  bidi = bidi_of(label);
  return true;
}

// Length of the label separator at s[i], 0 when there is none. IDNA names may also use the
// ideographic, fullwidth and halfwidth ideographic full stops (RFC 3490 section 3.1).
size_t separator_length(string_view s, size_t i, bool unicode) {
  if (s[i] == '.') return 1;
  if (!unicode) return 0;
  for (string_view stop : {string_view("\u3002"), string_view("\uFF0E"), string_view("\uFF61")}) {
    if (s.substr(i, stop.size()) == stop) return stop.size();
  }
  return 0;
}

// A domain name: labels joined by separators, no empty label (so no root dot), at most 253
// octets in A-label form, and when any label has a right-to-left character, every label meeting
// the Bidi rule (RFC 5893 section 2).
bool check_domain(string_view name, DomainSyntax syntax) {
  const bool unicode = syntax != DomainSyntax::kAscii;
  size_t length = 0;
  bool bidi_name = false, bidi_rule_met = true;
  for (size_t start = 0;;) {
    size_t end = start, separator = 0;
    while (end < name.size() && (separator = separator_length(name, end, unicode)) == 0) ++end;
    size_t label_length = 0;
    LabelBidi bidi;
    if (!check_label(name.substr(start, end - start), syntax, label_length, bidi)) return false;
    length += label_length + (start > 0 ? 1 : 0);
    bidi_name = bidi_name || bidi.has_rtl;
    bidi_rule_met = bidi_rule_met && bidi.meets_rule;
    if (end == name.size()) break;
    start = end + separator;
  }
  return length <= kMaxNameLength && (!bidi_name || bidi_rule_met);
}

// ---- E-mail addresses (RFC 5321 section 4.1.2, RFC 6531 section 3.3) -----------------------------

constexpr size_t kMaxLocalPartLength = 64;  // octets, RFC 5321 section 4.5.3.1.1

// atext of RFC 5322 section 3.2.3: what an unquoted local part's atoms are made of.
constexpr bool is_atext(char c) { return is_alpha(c) || is_digit(c) || is_one_of(c, "!#$%&'*+-/=?^_`{|}~"); }

// Length of the UTF8-non-ascii character at s[i] that RFC 6531 adds to atext and qtextSMTP, or 0.
size_t non_ascii_length(string_view s, size_t i) {
  char32_t cp;
  return is_ascii(s[i]) ? 0 : decode_utf8(s, i, cp);
}

// address-literal: "[" IPv4 "]" or "[IPv6:" IPv6 "]". A General-address-literal (another tag) is
// refused: no other tag has been registered, so no such address can be delivered to.
bool check_address_literal(string_view s) {
  if (s.size() < 2 || s.front() != '[' || s.back() != ']') return false;
  const string_view inner = s.substr(1, s.size() - 2);
  if (inner.size() >= 5 && iequals(inner.substr(0, 5), "IPv6:")) return check_ipv6(inner.substr(5));
  return check_ipv4(inner);
}

// Mailbox = Local-part "@" ( Domain / address-literal ), where Local-part is a Dot-string (atoms
// joined by single dots) or a Quoted-string. `international` adds RFC 6531's non-ASCII characters.
bool check_mailbox(string_view s, bool international) {
  size_t i = 0;
  if (!s.empty() && s[0] == '"') {
    for (i = 1;;) {
      if (i == s.size()) return false;
      const char c = s[i];
      size_t length;
      if (c == '"') {
        ++i;
        break;
      } else if (c == '\\') {  // quoted-pairSMTP: a backslash and any printable ASCII character
        if (i + 1 == s.size() || s[i + 1] < 32 || s[i + 1] > 126) return false;
        i += 2;
      } else if (c >= 32 && c <= 126) {  // qtextSMTP: printable ASCII but '"' and '\'
        ++i;
      } else if (international && (length = non_ascii_length(s, i)) > 0) {
        i += length;
      } else {
        return false;
      }
    }
  } else {
    bool after_dot = true;  // at the start or just after a dot, where an atom must begin
    while (i < s.size() && s[i] != '@') {
      size_t length;
      if (s[i] == '.') {
        if (after_dot) return false;
        after_dot = true;
        ++i;
      } else if (is_atext(s[i])) {
        after_dot = false;
        ++i;
      } else if (international && (length = non_ascii_length(s, i)) > 0) {
        after_dot = false;
        i += length;
      } else {
        return false;
      }
    }
    if (after_dot) return false;
  }
  if (i > kMaxLocalPartLength || i == s.size() || s[i] != '@') return false;
  const string_view domain = s.substr(i + 1);
  if (!domain.empty() && domain.front() == '[') return check_address_literal(domain);
  return check_domain(domain, international ? DomainSyntax::kIdnMail : DomainSyntax::kAscii);
}

// ---- URIs and IRIs (RFC 3986, RFC 3987) --------------------------------------------------------

constexpr bool is_unreserved(char c) { return is_alpha(c) || is_digit(c) || is_one_of(c, "-._~"); }
constexpr bool is_sub_delim(char c) { return is_one_of(c, "!$&'()*+,;="); }

// ucschar of RFC 3987: the non-ASCII characters an IRI may hold unescaped.
constexpr bool is_ucschar(char32_t c) {
  if (c < 0x10000) return (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xF900 && c <= 0xFDCF) || (c >= 0xFDF0 && c <= 0xFFEF);
  if ((c & 0xFFFF) > 0xFFFD) return false;  // the two noncharacters that end each plane
  return c < 0xE0000 || (c >= 0xE1000 && c < 0xF0000);
}

// iprivate of RFC 3987: private-use characters, which only an IRI's query may hold.
constexpr bool is_iprivate(char32_t c) {
  return (c >= 0xE000 && c <= 0xF8FF) || (c >= 0xF0000 && (c & 0xFFFF) <= 0xFFFD);
}

// Which non-ASCII characters a component may hold: none in a URI, ucschar in an IRI, and ucschar
// or iprivate in an IRI's query.
enum class NonAscii { kNone, kUcschar, kUcscharOrPrivate };

// Length of a non-ASCII character at s[i] that `allowed` permits, or 0.
size_t allowed_non_ascii_length(string_view s, size_t i, NonAscii allowed) {
  char32_t cp;
  const size_t length = allowed == NonAscii::kNone ? 0 : decode_utf8(s, i, cp);
  if (length == 0) return 0;
  return is_ucschar(cp) || (allowed == NonAscii::kUcscharOrPrivate && is_iprivate(cp)) ? length : 0;
}

// True when all of `s` is unreserved characters, percent-encodings, sub-delims and `extra`
// characters: the shape every component of RFC 3986 takes, each with its own `extra`.
bool is_component(string_view s, string_view extra, NonAscii non_ascii) {
  for (size_t i = 0; i < s.size();) {
    const char c = s[i];
    size_t length;
    if (is_unreserved(c) || is_sub_delim(c) || is_one_of(c, extra)) {
      ++i;
    } else if (c == '%') {
      if (!is_pct_encoded(s, i)) return false;
      i += 3;
    } else if ((length = allowed_non_ascii_length(s, i, non_ascii)) > 0) {
      i += length;
    } else {
      return false;
    }
  }
  return true;
}

// scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
bool is_scheme(string_view s) {
  return !s.empty() && is_alpha(s[0]) &&
         std::all_of(s.begin(), s.end(), [](char c) { return is_alpha(c) || is_digit(c) || is_one_of(c, "+-."); });
}

// IP-literal = "[" ( IPv6address / IPvFuture ) "]", given without its brackets;
// IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" ).
bool is_ip_literal(string_view s) {
  if (s.empty() || (s[0] != 'v' && s[0] != 'V')) return check_ipv6(s);
  size_t i = 1;
  while (i < s.size() && is_hex(s[i])) ++i;
  if (i == 1 || i == s.size() || s[i] != '.' || i + 1 == s.size()) return false;
  return std::all_of(s.begin() + static_cast<std::ptrdiff_t>(i) + 1, s.end(),
                     [](char c) { return is_unreserved(c) || is_sub_delim(c) || c == ':'; });
}

// authority = [ userinfo "@" ] host [ ":" port ]. A reg-name cannot hold ":" or "@", so the first
// "@" ends the userinfo and the first ":" after an unbracketed host starts the port.
bool is_authority(string_view s, NonAscii non_ascii) {
  if (const size_t at = s.find('@'); at != npos) {
    if (!is_component(s.substr(0, at), ":", non_ascii)) return false;
    s.remove_prefix(at + 1);
  }
  string_view port;
  if (!s.empty() && s[0] == '[') {
    const size_t close = s.find(']');
    if (close == npos || !is_ip_literal(s.substr(1, close - 1))) return false;
    port = s.substr(close + 1);
  } else {
    const size_t colon = s.find(':');
    if (!is_component(s.substr(0, colon), "", non_ascii)) return false;
    port = colon == npos ? string_view() : s.substr(colon);
  }
  return port.empty() || (port[0] == ':' && std::all_of(port.begin() + 1, port.end(), is_digit));
}

// URI-reference (RFC 3986 section 4.1) or, with `iri`, IRI-reference (RFC 3987 section 2.2);
// `absolute` requires the scheme of a URI / IRI. The query and fragment are split off first; a ":"
// before any "/" then starts the scheme, which is how a relative path's first segment ends up
// without a ":" (path-noscheme). "//" starts an authority, so a path never starts with "//".
bool check_uri(string_view s, bool iri, bool absolute) {
  const NonAscii non_ascii = iri ? NonAscii::kUcschar : NonAscii::kNone;
  if (const size_t hash = s.find('#'); hash != npos) {
    if (!is_component(s.substr(hash + 1), ":@/?", non_ascii)) return false;
    s = s.substr(0, hash);
  }
  if (const size_t question = s.find('?'); question != npos) {
    if (!is_component(s.substr(question + 1), ":@/?", iri ? NonAscii::kUcscharOrPrivate : NonAscii::kNone)) {
      return false;
    }
    s = s.substr(0, question);
  }
  if (const size_t colon = s.find_first_of(":/"); colon != npos && s[colon] == ':') {
    if (!is_scheme(s.substr(0, colon))) return false;
    s.remove_prefix(colon + 1);
  } else if (absolute) {
    return false;
  }
  if (s.starts_with("//")) {
    const size_t path = s.find('/', 2);
    if (!is_authority(s.substr(2, path == npos ? npos : path - 2), non_ascii)) return false;
    s = path == npos ? string_view() : s.substr(path);
  }
  return is_component(s, ":@/", non_ascii);
}

// ---- URI templates (RFC 6570) ------------------------------------------------------------------

// literals of RFC 6570 section 2.1 in ASCII: printable characters but '"', '%' (outside a
// pct-encoded), '<', '>', '\', '^', '`', '{', '|' and '}'. The apostrophe is allowed as verified
// erratum 6937 restores it.
constexpr bool is_template_literal(char c) { return c > ' ' && c < 0x7F && !is_one_of(c, "\"%<>\\^`{|}"); }

// expression = "{" [ operator ] variable-list "}" (sections 2.2-2.4), from s[i] just past the "{".
// The operators reserved for future extensions ("=", ",", "!", "@", "|") are in the grammar, so
// accepted.
bool parse_template_expression(string_view s, size_t& i) {
  if (i < s.size() && is_one_of(s[i], "+#./;?&=,!@|")) ++i;
  for (;;) {
    // varname = varchar *( ["."] varchar ), varchar = ALPHA / DIGIT / "_" / pct-encoded
    bool varchar_expected = true;
    while (i < s.size()) {
      if (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '_') {
        ++i;
      } else if (is_pct_encoded(s, i)) {
        i += 3;
      } else if (s[i] == '.' && !varchar_expected) {
        ++i;
        varchar_expected = true;
        continue;
      } else {
        break;
      }
      varchar_expected = false;
    }
    if (varchar_expected) return false;
    if (i < s.size() && s[i] == ':') {  // prefix: max-length = %x31-39 0*3DIGIT
      if (++i == s.size() || s[i] < '1' || s[i] > '9') return false;
      const size_t start = i;
      while (i < s.size() && is_digit(s[i]) && i - start < 4) ++i;
    } else if (i < s.size() && s[i] == '*') {  // explode
      ++i;
    }
    if (i == s.size()) return false;
    if (s[i++] == '}') return true;
    if (s[i - 1] != ',') return false;
  }
}

// URI-Template = *( literals / expression ); literals may also be ucschar, iprivate and
// pct-encoded.
bool check_uri_template(string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t length;
    if (s[i] == '{') {
      if (!parse_template_expression(s, ++i)) return false;
    } else if (is_template_literal(s[i])) {
      ++i;
    } else if (is_pct_encoded(s, i)) {
      i += 3;
    } else if ((length = allowed_non_ascii_length(s, i, NonAscii::kUcscharOrPrivate)) > 0) {
      i += length;
    } else {
      return false;
    }
  }
  return true;
}

// ---- Identifiers and pointers ------------------------------------------------------------------

// RFC 4122 (RFC 9562) string form: 8-4-4-4-12 hex digits in either case, any version and variant.
bool check_uuid(string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool hyphen = i == 8 || i == 13 || i == 18 || i == 23;
    if (hyphen ? s[i] != '-' : !is_hex(s[i])) return false;
  }
  return true;
}

// RFC 6901: empty, or "/"-prefixed reference tokens in which "~" is always "~0" or "~1".
bool check_json_pointer(string_view s) {
  if (!s.empty() && s[0] != '/') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '~' && (i + 1 == s.size() || (s[i + 1] != '0' && s[i + 1] != '1'))) return false;
  }
  return true;
}

// Reads a non-negative-integer ("0", or digits without a leading zero) at s[i].
bool read_non_negative_integer(string_view s, size_t& i) {
  if (i == s.size() || !is_digit(s[i])) return false;
  if (s[i++] == '0') return true;
  while (i < s.size() && is_digit(s[i])) ++i;
  return true;
}

// Relative JSON Pointer: non-negative-integer [ index-manipulation ] ( "#" / json-pointer ).
// The index manipulation ("+" / "-" and an integer) is draft-bhutton-relative-json-pointer-00's,
// which draft 2020-12 cites; draft-07's (draft-handrews-...-01) is the same grammar without it.
bool check_relative_json_pointer(string_view s) {
  size_t i = 0;
  if (!read_non_negative_integer(s, i)) return false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-') && !read_non_negative_integer(s, ++i)) return false;
  const string_view rest = s.substr(i);
  return rest == "#" || check_json_pointer(rest);
}

// ---- The table of formats ----------------------------------------------------------------------

bool check_email(string_view s) { return check_mailbox(s, false); }
bool check_idn_email(string_view s) { return check_mailbox(s, true); }
bool check_hostname(string_view s) { return check_domain(s, DomainSyntax::kAscii); }
bool check_idn_hostname(string_view s) { return check_domain(s, DomainSyntax::kIdn); }
bool check_uri_absolute(string_view s) { return check_uri(s, false, true); }
bool check_uri_reference(string_view s) { return check_uri(s, false, false); }
bool check_iri(string_view s) { return check_uri(s, true, true); }
bool check_iri_reference(string_view s) { return check_uri(s, true, false); }
bool check_regex(string_view s) { return is_valid_ecma_regex(s); }

struct Format {
  string_view name;
  bool (*check)(string_view);
};

constexpr Format kFormats[] = {
    {"date-time", check_date_time},
    {"date", check_date},
    {"time", check_time},
    {"duration", check_duration},
    {"email", check_email},
    {"idn-email", check_idn_email},
    {"hostname", check_hostname},
    {"idn-hostname", check_idn_hostname},
    {"ipv4", check_ipv4},
    {"ipv6", check_ipv6},
    {"uri", check_uri_absolute},
    {"uri-reference", check_uri_reference},
    {"iri", check_iri},
    {"iri-reference", check_iri_reference},
    {"uri-template", check_uri_template},
    {"uuid", check_uuid},
    {"json-pointer", check_json_pointer},
    {"relative-json-pointer", check_relative_json_pointer},
    {"regex", check_regex},
};

const Format* find_format(string_view name) {
  for (const Format& format : kFormats) {
    if (format.name == name) return &format;
  }
  return nullptr;
}

}  // namespace

bool format_is_known(std::string_view format) { return find_format(format) != nullptr; }

bool check_format(std::string_view format, std::string_view value) {
  const Format* known = find_format(format);
  return known == nullptr || known->check(value);
}

}  // namespace runmock::schema
