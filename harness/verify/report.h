// The results of a verify run: one Check per thing checked, printed as a line while it runs, and
// summarised as text, as JSON (--json) or as JUnit XML (--junit).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace runmock::verify {

enum class Outcome { pass, fail, skip };

// One reason a check failed: where in the answer (a JSON Pointer), what, and which rule.
struct Finding {
  std::string pointer;
  std::string message;
  std::string schema_location;  // the contract's schema keyword or lifecycle rule; may be empty
};

// The request a check sent last (reported with a failure).
struct SentRequest {
  std::string method;
  std::string url;
  std::string body;
};

struct Check {
  std::string api;
  std::string operation;  // the group the check belongs to
  std::string name;       // e.g. "documented request fixtures/emergence/examples/x.json"; stable across runs
  std::string detail;     // what this run observed, e.g. "pending -> running -> completed, 4 polls"
  Outcome outcome = Outcome::pass;
  std::vector<Finding> findings;  // why it failed
  std::string skip_reason;
  SentRequest request;
  double seconds = 0;
};

// "PASS emergence createWorkflowRun: <name> (<detail>)", "FAIL ...: <pointer>: <message> [<location>]; ...",
// "SKIP ...: <reason>".
std::string check_line(const Check& check);

struct Summary {
  std::size_t passed = 0;
  std::size_t failed = 0;
  std::size_t skipped = 0;
};
Summary summarize(const std::vector<Check>& checks);

// "12 passed, 1 failed, 2 skipped in 3.4 s".
std::string summary_line(const Summary& summary, double seconds);

nlohmann::json json_report(const std::string& api, const std::string& target, const std::vector<Check>& checks, double seconds);

// One <testsuite> per operation (in the order first seen), one <testcase> per check (its detail
// as <system-out>).
std::string junit_xml(const std::string& api, const std::vector<Check>& checks, double seconds);

// Text safe inside an XML attribute or element: markup characters as entities, control characters
// XML 1.0 cannot carry as U+FFFD, invalid UTF-8 bytes as U+FFFD.
std::string xml_escape(std::string_view text);

}  // namespace runmock::verify
