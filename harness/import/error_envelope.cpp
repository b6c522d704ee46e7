// Guessing the error envelope from the declared error responses (see error_envelope.h).
#include "import/error_envelope.h"

#include <algorithm>
#include <set>

#include "import/sample_value.h"

namespace runmock::import {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr int kMaxDepth = 3;

const std::set<std::string> kCode{"code", "error_code", "errorCode", "errorcode", "error_type", "errorType"};
const std::set<std::string> kMessage{"message", "detail", "description", "error_description", "error_message", "errorMessage", "msg", "reason"};
const std::set<std::string> kStatus{"status", "status_code", "statusCode", "http_status", "httpStatus", "code_http"};
const std::set<std::string> kDetails{"details", "errors", "violations", "field_errors", "fieldErrors", "invalid_params"};
const std::set<std::string> kRequestId{"request_id", "requestId", "correlation_id", "correlationId"};

struct ErrorSchema {
  Place schema;
  std::string media;
  int count = 0;
  const OperationInfo* operation = nullptr;  // where it is first declared
  std::string status;
};

bool is_error_status(const std::string& status) { return status == "default" || status.front() == '4' || status.front() == '5'; }

// The error schemas of the operations, most declared first.
std::vector<ErrorSchema> error_schemas(const SchemaView& view, const std::vector<const OperationInfo*>& operations, std::vector<std::string>& statuses) {
  std::vector<ErrorSchema> found;
  for (const OperationInfo* op : operations) {
    if (!op) continue;
    Place responses = Place{&view.set().main(), op->pointer}.child("responses");
    if (!responses.value().is_object()) continue;
    for (const auto& [status, response] : responses.value().items()) {
      if (status.empty()) continue;
      statuses.push_back(status);
      if (!is_error_status(status)) continue;
      Place at = view.set().follow(responses.child(status));
      const json& content = member(at.value(), "content");
      if (!content.is_object()) continue;
      for (const auto& [media, entry] : content.items()) {
        if ((media != "application/json" && media.find("+json") == std::string::npos) || !member(entry, "schema").is_object()) continue;
        Place schema = view.set().follow(at.child("content").child(media).child("schema"));
        auto same = std::find_if(found.begin(), found.end(), [&](const ErrorSchema& e) { return e.schema == schema; });
        if (same == found.end()) found.push_back({schema, media, 1, op, status});
        else ++same->count;
      }
    }
  }
  std::stable_sort(found.begin(), found.end(), [](const ErrorSchema& a, const ErrorSchema& b) { return a.count > b.count; });
  return found;
}

bool is_problem(const std::map<std::string, Place>& props) { return props.count("title") && props.count("status") && (props.count("detail") || props.count("type")); }

class Matcher {
 public:
  explicit Matcher(const SchemaView& view) : view_(view) {}
  bool matched() const { return matched_; }

  std::optional<ordered_json> body(const Place& schema, int depth) {
    auto props = view_.properties(schema);
    if (props.empty() || depth > kMaxDepth) return std::nullopt;
    const bool problem = is_problem(props);
    const auto required = view_.required(schema);
    ordered_json out = ordered_json::object();
    for (const auto& [name, place] : props) {
      if (auto value = member_value(name, place, problem, depth)) out[name] = *value;
      else if (required.count(name)) out[name] = template_literal(sample_value(view_, place));
    }
    return out;
  }

 private:
  std::optional<ordered_json> member_value(const std::string& name, const Place& place, bool problem, int depth) {
    if (problem) {
      if (name == "type") return ordered_json("about:blank");
      if (name == "title") return mark("$code");
      if (name == "detail") return mark("$message");
    }
    const auto types = view_.types(place);
    if (kCode.count(name) && !types.count("integer")) return mark("$code");
    if (kStatus.count(name)) return types.count("string") && !types.count("integer") ? mark("{status}") : mark("$status");
    if (kMessage.count(name)) return mark("$message");
    if (kDetails.count(name)) return ordered_json("$details");
    if (kRequestId.count(name)) return ordered_json("$request_id");
    if (name == "error" && types.count("string")) return mark("$message");
    if (types.count("object") || !view_.properties(place).empty()) {
      Matcher inner(view_);
      auto nested = inner.body(place, depth + 1);
      if (nested && inner.matched()) {
        matched_ = true;
        return nested;
      }
    }
    return std::nullopt;
  }

  ordered_json mark(const char* value) {
    matched_ = true;
    return value;
  }

  const SchemaView& view_;
  bool matched_ = false;
};

bool declares(const std::vector<std::string>& statuses, const std::string& status) {
  return std::find(statuses.begin(), statuses.end(), status) != statuses.end();
}

ordered_json messages(const std::string& noun) {
  return {{"unknown_scenario", {{"status", 400}, {"code", "INVALID_REQUEST"}, {"message", "Prefer names no scenario '{name}' (known: {known})"}}},
          {"no_scenario", {{"status", 500}, {"code", "INTERNAL_ERROR"}, {"message", "no scenario matches and none is the default"}}},
          {"store_full", {{"status", 503}, {"code", "SERVICE_UNAVAILABLE"}, {"message", "{reason}"}}},
          {"run_not_found", {{"status", 404}, {"code", "NOT_FOUND"}, {"message", "no " + noun + " '{id}'"}}}};
}

}  // namespace

ErrorGuess guess_errors(const SchemaView& view, const std::vector<const OperationInfo*>& operations, const std::string& noun, Notes& notes) {
  ErrorGuess guess;
  std::optional<ordered_json> body;
  for (const auto& candidate : error_schemas(view, operations, guess.statuses)) {
    Matcher matcher(view);
    body = matcher.body(candidate.schema, 0);
    if (body && matcher.matched()) {
      notes.guess("error envelope: " + body->dump() + " (the error schema at " + candidate.schema.where() + ", " + candidate.media + ")");
      if (candidate.media != "application/json") notes.cannot("error media type: " + candidate.media + " is declared; runmock sends errors as application/json");
      guess.model_operation = candidate.operation;
      guess.model_status = candidate.status;
      break;
    }
    body.reset();
  }
  if (!body) {
    body = ordered_json{{"code", "$code"}, {"message", "$message"}};
    notes.guess("error envelope: {code, message} (no declared error response has a schema runmock can read)");
  }
  guess.section = {{"body", *body}};
  if (declares(guess.statuses, "422")) {
    guess.section["details"] = "field-list";  // always a 422 VALIDATION_ERROR listing every violation in $details
    guess.section["bad_request"] = {{"status", 422}, {"code", "VALIDATION_ERROR"}};
  } else {
    guess.section["details"] = "first-and-count";
    guess.section["bad_request"] = {{"status", 400},
                                    {"code", "INVALID_REQUEST"},
                                    {"message", "invalid request: {first} (and {more} more)"},
                                    {"message_one", "invalid request: {first}"}};
  }
  guess.section["wrong_content_type"] = declares(guess.statuses, "415") || !declares(guess.statuses, "400") ? 415 : 400;
  guess.section["messages"] = messages(noun);
  return guess;
}

}  // namespace runmock::import
