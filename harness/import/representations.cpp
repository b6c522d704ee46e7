// The run's representations, from the run schema (see representations.h).
#include "import/representations.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "import/sample_value.h"
#include "validator/json_value.h"

namespace runmock::import {
namespace {

using nlohmann::ordered_json;

const std::set<std::string> kCreatedWords{"created", "creation", "create", "submitted", "submit", "submission", "started", "start", "begin", "began", "queued", "enqueued"};
const std::set<std::string> kEndedWords{"ended", "end", "completed", "completion", "complete", "finished", "finish", "stopped", "done", "terminated", "closed"};
const std::set<std::string> kTimeWords{"at", "time", "date", "timestamp", "on", "datetime", "ts"};

std::vector<std::string> name_tokens(const std::string& name) {
  std::vector<std::string> out(1);
  for (std::size_t i = 0; i < name.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    const bool boundary = std::isupper(c) && i > 0 && std::islower(static_cast<unsigned char>(name[i - 1]));
    if ((!std::isalnum(c) || boundary) && !out.back().empty()) out.emplace_back();
    if (std::isalnum(c)) out.back().push_back(static_cast<char>(std::tolower(c)));
  }
  if (out.back().empty()) out.pop_back();
  return out;
}

bool has_any(const std::vector<std::string>& tokens, const std::set<std::string>& words) {
  return std::any_of(tokens.begin(), tokens.end(), [&](const std::string& t) { return words.count(t) > 0; });
}

enum class Moment { none, created, ended };

// Whether a property holds when the run was created (or started) or when it ended.
Moment moment_of(const SchemaView& view, const std::string& name, const Place& place) {
  if (!view.types(place).count("string")) return Moment::none;
  const auto tokens = name_tokens(name);
  const bool time_like = view.format(place) == "date-time" || has_any(tokens, kTimeWords);
  if (!time_like) return Moment::none;
  if (has_any(tokens, kEndedWords)) return Moment::ended;
  if (has_any(tokens, kCreatedWords)) return Moment::created;
  return Moment::none;
}

bool is_duration(const SchemaView& view, const std::string& name, const Place& place) {
  const auto types = view.types(place);
  const auto tokens = name_tokens(name);
  return (types.count("number") || types.count("integer")) && std::find(tokens.begin(), tokens.end(), "duration") != tokens.end();
}

// readOnly: the server sets it, so the create body's value (if any) is not echoed.
bool read_only(const SchemaView& view, const Place& place) {
  for (const Place& part : view.parts(place)) {
    if (member(part.value(), "readOnly") == true) return true;
  }
  return false;
}

std::string first_token(const std::string& pointer) {
  auto next = pointer.find('/', 1);
  std::string token = pointer.substr(1, next == std::string::npos ? std::string::npos : next - 1);
  for (std::size_t i = token.find('~'); i != std::string::npos; i = token.find('~', i + 1)) token.replace(i, 2, token[i + 1] == '1' ? "/" : "~");
  return token;
}

// {"phase": "$state"} for the rest of "/status/phase" after its first token.
ordered_json state_value(const std::string& pointer) {
  auto next = pointer.find('/', 1);
  if (next == std::string::npos) return "$state";
  return ordered_json{{first_token(pointer.substr(next)), state_value(pointer.substr(next))}};
}

// The key and the expression of one property in the run's representation (nullopt: left out).
std::optional<std::pair<std::string, ordered_json>> field_of(const SchemaView& view, const RunShape& shape, const std::string& name,
                                                            const Place& place, bool required) {
  const bool nullable = view.nullable(place);
  const std::string optional_key = required || nullable ? name : name + "?";
  if (name == shape.id_field) return std::pair(name, ordered_json("$id"));
  if (name == first_token(shape.state_pointer)) return std::pair(name, state_value(shape.state_pointer));
  switch (moment_of(view, name, place)) {
    case Moment::created: return std::pair(name, ordered_json("$created_at"));
    case Moment::ended: return std::pair(optional_key, ordered_json("$ended_at"));
    case Moment::none: break;
  }
  if (is_duration(view, name, place)) return std::pair(optional_key, ordered_json("$duration_seconds"));
  if (shape.create_body.valid() && !read_only(view, place) && view.properties(shape.create_body).count(name)) {
    ordered_json from_body = "$data/request/" + schema::pointer_escape(name);
    if (!required || nullable) return std::pair(name + (nullable ? "" : "?"), from_body);
    return std::pair(name, ordered_json{{"$first", ordered_json::array({from_body, template_literal(sample_value(view, place))})}});
  }
  if (!shape.parent_param.empty() && name == shape.parent_param) return std::pair(name, ordered_json("$data/" + schema::pointer_escape(name)));
  if (required) return std::pair(name, template_literal(sample_value(view, place)));
  return std::nullopt;
}

}  // namespace

ordered_json run_representation(const SchemaView& view, const RunShape& shape) {
  ordered_json fields = ordered_json::object();
  const auto required = view.required(shape.run_schema);
  auto props = view.properties(shape.run_schema);
  if (!props.count(shape.id_field)) fields[shape.id_field] = "$id";
  for (const auto& [name, place] : props) {
    if (auto field = field_of(view, shape, name, place, required.count(name) > 0)) fields[field->first] = field->second;
  }
  if (!fields.contains(first_token(shape.state_pointer))) fields[first_token(shape.state_pointer)] = state_value(shape.state_pointer);
  return {{"fields", fields}, {"merge_phase_fields", true}};
}

std::optional<ordered_json> derived_representation(const SchemaView& view, const Place& schema, const RunShape& shape) {
  Place own = view.set().follow(schema);
  if (!own.valid() || own == view.set().follow(shape.run_schema)) return std::nullopt;
  auto props = view.properties(own);
  if (props.empty()) return ordered_json{{"fields", ordered_json::object()}};
  auto run_props = view.properties(shape.run_schema);
  run_props.emplace(shape.id_field, Place{});
  ordered_json pick = ordered_json::array(), defaults = ordered_json::object();
  const auto required = view.required(own);
  for (const auto& [name, place] : props) {
    if (run_props.count(name)) pick.push_back(name);
    else if (required.count(name)) defaults[name] = template_literal(sample_value(view, place));
  }
  ordered_json out = {{"from", "run"}, {"pick", pick}};
  if (!defaults.empty()) out["defaults"] = defaults;
  return out;
}

}  // namespace runmock::import
