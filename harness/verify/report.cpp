#include "verify/report.h"

#include <cstdio>
#include <map>

namespace runmock::verify {
namespace {

using nlohmann::json;

const char* outcome_word(Outcome outcome) {
  switch (outcome) {
    case Outcome::pass:
      return "PASS";
    case Outcome::fail:
      return "FAIL";
    case Outcome::skip:
      return "SKIP";
  }
  return "";
}

std::string finding_text(const Finding& finding) {
  std::string text = finding.pointer.empty() ? "" : finding.pointer + ": ";
  text += finding.message;
  if (!finding.schema_location.empty()) text += " [" + finding.schema_location + "]";
  return text;
}

std::string seconds_text(double seconds) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", seconds);
  return buffer;
}

// The length of the UTF-8 sequence starting at text[i], or 0 when it is not a valid one.
std::size_t utf8_length(std::string_view text, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(i);
  std::size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
  if (length == 0 || i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  return length;
}

}  // namespace

std::string check_line(const Check& check) {
  std::string line = std::string(outcome_word(check.outcome)) + " " + check.api + " " + check.operation + ": " + check.name;
  if (!check.detail.empty()) line += " (" + check.detail + ")";
  if (check.outcome == Outcome::skip) return line + ": " + check.skip_reason;
  std::string separator = ": ";
  for (const auto& finding : check.findings) {
    line += separator + finding_text(finding);
    separator = "; ";
  }
  return line;
}

Summary summarize(const std::vector<Check>& checks) {
  Summary summary;
  for (const auto& check : checks) {
    (check.outcome == Outcome::pass ? summary.passed : check.outcome == Outcome::fail ? summary.failed : summary.skipped)++;
  }
  return summary;
}

std::string summary_line(const Summary& summary, double seconds) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", seconds);
  return std::to_string(summary.passed) + " passed, " + std::to_string(summary.failed) + " failed, " + std::to_string(summary.skipped) +
         " skipped in " + buffer + " s";
}

json json_report(const std::string& api, const std::string& target, const std::vector<Check>& checks, double seconds) {
  Summary summary = summarize(checks);
  json items = json::array();
  for (const auto& check : checks) {
    json item = {{"operation", check.operation}, {"name", check.name}, {"outcome", outcome_word(check.outcome)}, {"seconds", check.seconds}};
    if (!check.detail.empty()) item["detail"] = check.detail;
    if (check.outcome == Outcome::skip) item["reason"] = check.skip_reason;
    if (!check.findings.empty()) {
      json findings = json::array();
      for (const auto& f : check.findings) findings.push_back({{"pointer", f.pointer}, {"message", f.message}, {"schema_location", f.schema_location}});
      item["findings"] = findings;
    }
    if (!check.request.method.empty()) item["request"] = {{"method", check.request.method}, {"url", check.request.url}, {"body", check.request.body}};
    items.push_back(std::move(item));
  }
  return {{"api", api},
          {"target", target},
          {"passed", summary.passed},
          {"failed", summary.failed},
          {"skipped", summary.skipped},
          {"seconds", seconds},
          {"checks", items}};
}

std::string xml_escape(std::string_view text) {
  static const std::string replacement = "\xEF\xBF\xBD";
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t length = utf8_length(text, i);
    if (length == 0) {
      out += replacement;
      ++i;
      continue;
    }
    if (length > 1) {
      out.append(text.substr(i, length));
      i += length;
      continue;
    }
    char c = text[i++];
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\n': out += "&#10;"; break;
      case '\t': out += "&#9;"; break;
      case '\r': out += "&#13;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += replacement;
        } else {
          out.push_back(c);
        }
    }
  }
  return out;
}

std::string junit_xml(const std::string& api, const std::vector<Check>& checks, double seconds) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<const Check*>> suites;
  for (const auto& check : checks) {
    auto& suite = suites[check.operation];
    if (suite.empty()) order.push_back(check.operation);
    suite.push_back(&check);
  }
  Summary total = summarize(checks);
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += "<testsuites name=\"runmock verify " + xml_escape(api) + "\" tests=\"" + std::to_string(checks.size()) + "\" failures=\"" +
         std::to_string(total.failed) + "\" errors=\"0\" skipped=\"" + std::to_string(total.skipped) + "\" time=\"" + seconds_text(seconds) +
         "\">\n";
  for (const auto& operation : order) {
    const auto& members = suites[operation];
    std::size_t failures = 0, skipped = 0;
    double suite_seconds = 0;
    for (const auto* check : members) {
      failures += check->outcome == Outcome::fail;
      skipped += check->outcome == Outcome::skip;
      suite_seconds += check->seconds;
    }
    std::string suite_name = xml_escape(api + "." + operation);
    xml += "  <testsuite name=\"" + suite_name + "\" tests=\"" + std::to_string(members.size()) + "\" failures=\"" + std::to_string(failures) +
           "\" errors=\"0\" skipped=\"" + std::to_string(skipped) + "\" time=\"" + seconds_text(suite_seconds) + "\">\n";
    for (const auto* check : members) {
      xml += "    <testcase classname=\"" + suite_name + "\" name=\"" + xml_escape(check->name) + "\" time=\"" + seconds_text(check->seconds) + "\"";
      if (check->outcome == Outcome::pass && check->detail.empty()) {
        xml += "/>\n";
        continue;
      }
      xml += ">\n";
      if (!check->detail.empty()) xml += "      <system-out>" + xml_escape(check->detail) + "</system-out>\n";
      if (check->outcome == Outcome::skip) {
        xml += "      <skipped message=\"" + xml_escape(check->skip_reason) + "\"/>\n";
      } else if (check->outcome == Outcome::fail) {
        std::string details = "request: " + check->request.method + " " + check->request.url + "\n";
        if (!check->request.body.empty()) details += "body: " + check->request.body + "\n";
        for (const auto& finding : check->findings) {
          details += "pointer: " + finding.pointer + "\nmessage: " + finding.message + "\n";
          if (!finding.schema_location.empty()) details += "schema location: " + finding.schema_location + "\n";
        }
        std::string message = check->findings.empty() ? "" : finding_text(check->findings.front());
        xml += "      <failure type=\"contract\" message=\"" + xml_escape(message) + "\">" + xml_escape(details) + "</failure>\n";
      }
      xml += "    </testcase>\n";
    }
    xml += "  </testsuite>\n";
  }
  xml += "</testsuites>\n";
  return xml;
}

}  // namespace runmock::verify
