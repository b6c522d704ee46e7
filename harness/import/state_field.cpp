// Finding the state field and the run id field of the run schema (see state_field.h).
#include "import/state_field.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "import/import_error.h"
#include "validator/json_value.h"

namespace runmock::import {
namespace {

constexpr std::array kStateNames{"status", "state", "phase", "stage"};

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// 0 for an exact state name ("status"), 1 for a name containing one ("job_status"), -1 otherwise.
int name_rank(const std::string& name) {
  const std::string l = lower(name);
  for (const char* word : kStateNames) {
    if (l == word) return 0;
  }
  for (const char* word : kStateNames) {
    if (l.find(word) != std::string::npos) return 1;
  }
  return -1;
}

std::vector<std::string> split_pointer(const std::string& pointer) {
  std::vector<std::string> tokens;
  for (std::size_t at = 1; at <= pointer.size();) {
    auto next = pointer.find('/', at);
    if (next == std::string::npos) next = pointer.size();
    std::string token = pointer.substr(at, next - at);
    for (std::size_t i = token.find('~'); i != std::string::npos; i = token.find('~', i + 1)) token.replace(i, 2, token[i + 1] == '1' ? "/" : "~");
    tokens.push_back(token);
    at = next + 1;
  }
  return tokens;
}

StateField requested_field(const SchemaView& view, const Place& run_schema, const std::string& requested) {
  if (requested.empty() || requested.front() != '/') throw ImportError("--state " + requested + ": write a JSON Pointer into the run, e.g. /status");
  Place at = run_schema;
  for (const auto& token : split_pointer(requested)) {
    auto props = view.properties(at);
    auto it = props.find(token);
    if (it == props.end()) throw ImportError(run_schema.where() + ": --state " + requested + ": the run schema has no property '" + token + "' there");
    at = it->second;
  }
  auto words = view.enum_words(at);
  if (!words) {
    throw ImportError(at.where() + ": --state " + requested + ": the property is not an enum of strings, so its states cannot be read (name a property whose schema lists the states)");
  }
  return {requested, *words, at};
}

struct Candidate {
  int rank = 99;
  StateField field;
};

void consider(const SchemaView& view, const std::map<std::string, Place>& props, const std::string& prefix, int depth, Candidate& best) {
  for (const auto& [name, place] : props) {
    int rank = name_rank(name);
    if (rank < 0) continue;
    if (auto words = view.enum_words(place); words && rank + depth * 2 < best.rank) {
      best = {rank + depth * 2, {prefix + "/" + schema::pointer_escape(name), *words, place}};
    }
  }
}

}  // namespace

StateField find_state_field(const SchemaView& view, const Place& run_schema, const std::string& requested, Notes& notes) {
  if (!run_schema.valid()) throw ImportError("the get operation answers no JSON schema, so the run's state field cannot be found", kExitNoRoles);
  if (!requested.empty()) return requested_field(view, run_schema, requested);
  Candidate best;
  auto top = view.properties(run_schema);
  consider(view, top, "", 0, best);
  for (const auto& [name, place] : top) consider(view, view.properties(place), "/" + schema::pointer_escape(name), 1, best);
  if (best.field.pointer.empty()) {
    throw ImportError(run_schema.where() + ": no state field found in the run schema (no enum property named status, state, phase or stage): name it with --state POINTER",
                      kExitNoRoles);
  }
  std::string words;
  for (const auto& w : best.field.words) words += (words.empty() ? "" : ", ") + w;
  notes.guess("state field: " + best.field.pointer + " (an enum: " + words + "; " + best.field.schema.where() + ")");
  return best.field;
}

std::string run_id_field(const SchemaView& view, const Place& run_schema, const std::string& parameter, Notes& notes) {
  auto props = view.properties(run_schema);
  if (props.count(parameter)) {
    notes.guess("run id field: " + parameter + " (the get path's parameter {" + parameter + "})");
    return parameter;
  }
  if (props.count("id")) {
    notes.guess("run id field: id (the get path's parameter {" + parameter + "} is no property of the run)");
    return "id";
  }
  notes.cannot("run id field: the run has neither '" + parameter + "' nor 'id'; its id is written as '" + parameter + "'");
  return parameter;
}

}  // namespace runmock::import
