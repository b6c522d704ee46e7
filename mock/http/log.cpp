#include "http/log.h"

#include <cmath>
#include <cstdio>

#include "http/json_text.h"
#include "http/net.h"

namespace runmock::http {

std::optional<LogFormat> parse_log_format(std::string_view name) {
  if (name == "text") return LogFormat::text;
  if (name == "json") return LogFormat::json;
  if (name == "off") return LogFormat::off;
  return std::nullopt;
}

std::string listening_line(std::string_view host, int port, std::string_view name) {
  return std::string(name) + " listening on http://" + url_host(host) + ":" + std::to_string(port);
}

namespace {

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F) {
      char escaped[4];
      std::snprintf(escaped, sizeof escaped, "%%%02X", u);
      out += escaped;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string or_dash(const std::string& s) { return s.empty() ? "-" : printable(s); }

}  // namespace

std::string format_log_line(const JournalEntry& e, LogFormat format) {
  double ms = std::round(e.duration_ms * 100.0) / 100.0;
  if (format == LogFormat::off) return {};
  if (format == LogFormat::json) {
    nlohmann::json line = {{"time", e.time},         {"request_id", e.request_id}, {"method", e.method}, {"path", e.path},
                           {"query", e.query},       {"status", e.status},         {"ms", ms},           {"api", e.api},
                           {"run", e.run},           {"scenario", e.scenario},     {"verdict", e.verdict}};
    if (!e.message.empty()) line["message"] = e.message;
    if (!e.fault.empty()) line["fault"] = e.fault;
    return dump_json(line);
  }
  char duration[32];
  std::snprintf(duration, sizeof duration, "%.2fms", ms);
  std::string line = e.request_id + " " + printable(e.method) + " " + printable(e.path) + (e.query.empty() ? "" : "?" + printable(e.query)) +
                     " " + std::to_string(e.status) + " " + duration + " api=" + or_dash(e.api) + " run=" + or_dash(e.run) +
                     " scenario=" + or_dash(e.scenario) + " verdict=" + or_dash(e.verdict);
  if (!e.fault.empty()) line += " fault=" + dump_json(e.fault);
  if (!e.message.empty()) line += " message=" + dump_json(e.message);
  return line;
}

}  // namespace runmock::http
