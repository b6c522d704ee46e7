// Guessing how the list operation filters, pages and wraps its runs (see list_section.h).
#include "import/list_section.h"

#include <set>

namespace runmock::import {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

const std::set<std::string> kLimit{"limit", "page_size", "pageSize", "per_page", "perPage", "max_results", "maxResults", "size", "count", "top", "max", "first"};
const std::set<std::string> kOffset{"offset", "skip", "start", "start_index", "startIndex"};
const std::set<std::string> kCursor{"cursor", "page_token", "pageToken", "next_token", "nextToken", "next_page_token", "nextPageToken",
                                    "continuation_token", "continuationToken", "after", "starting_after", "marker", "page_cursor", "token"};
const std::set<std::string> kCursorOut{"next_page_token", "nextPageToken", "next_token", "nextToken", "next_cursor", "nextCursor",
                                       "cursor", "next", "continuation_token", "continuationToken", "next_marker", "nextMarker"};
const std::set<std::string> kState{"status", "state", "phase"};
const std::set<std::string> kTotal{"total", "total_count", "totalCount", "total_size", "totalSize", "count"};

struct Parameter {
  std::string name;
  Place schema;
};

// The list operation's query parameters (the path item's and its own).
std::vector<Parameter> query_parameters(const SchemaView& view, const OperationInfo& op) {
  std::vector<Parameter> out;
  Place operation{&view.set().main(), op.pointer};
  for (const Place& list : {Place{operation.doc, parent_pointer(op.pointer)}.child("parameters"), operation.child("parameters")}) {
    if (!list.value().is_array()) continue;
    for (std::size_t i = 0; i < list.value().size(); ++i) {
      Place p = view.set().follow(list.child(std::to_string(i)));
      if (member(p.value(), "in") != "query" || !member(p.value(), "name").is_string()) continue;
      out.push_back({member(p.value(), "name").get<std::string>(), p.child("schema")});
    }
  }
  return out;
}

const Parameter* named(const std::vector<Parameter>& params, const std::set<std::string>& names) {
  for (const auto& p : params) {
    if (names.count(p.name)) return &p;
  }
  return nullptr;
}

std::string named_property(const std::map<std::string, Place>& props, const std::set<std::string>& names) {
  for (const auto& [name, place] : props) {
    if (names.count(name)) return name;
  }
  return "";
}

ordered_json limit_of(const SchemaView& view, const Parameter* limit) {
  ordered_json out = {{"query", limit ? limit->name : "limit"}};
  if (!limit) return out;
  for (const Place& part : view.parts(limit->schema)) {
    const json& d = member(part.value(), "default");
    const json& m = member(part.value(), "maximum");
    if (d.is_number_integer() && d.get<long long>() >= 1 && !out.contains("default")) out["default"] = d;
    if (m.is_number_integer() && m.get<long long>() >= 1 && !out.contains("maximum")) out["maximum"] = m;
  }
  return out;
}

ordered_json paging_of(const SchemaView& view, const std::vector<Parameter>& params, const std::map<std::string, Place>& envelope, Notes& notes) {
  const Parameter* limit = named(params, kLimit);
  const Parameter* cursor = named(params, kCursor);
  const std::string out = named_property(envelope, kCursorOut);
  if (cursor && !out.empty()) {
    notes.guess("list paging: cursor (?" + cursor->name + "=, next in '" + out + "'), page size ?" + (limit ? limit->name : "limit") + "=");
    return {{"style", "cursor"}, {"limit", limit_of(view, limit)}, {"cursor", {{"query", cursor->name}, {"out", out}}}};
  }
  if (cursor) notes.cannot("list paging: ?" + cursor->name + "= takes a cursor but the answer names no next one; offset paging is played");
  const Parameter* offset = named(params, kOffset);
  notes.guess(std::string("list paging: offset (?") + (offset ? offset->name : "offset") + "=, page size ?" + (limit ? limit->name : "limit") + "=)");
  return {{"style", "offset"}, {"limit", limit_of(view, limit)}, {"offset", {{"query", offset ? offset->name : "offset"}}}};
}

ordered_json filters_of(const SchemaView& view, const std::vector<Parameter>& params, const std::vector<std::string>& state_words, Notes& notes) {
  ordered_json filters = ordered_json::array();
  for (const auto& p : params) {
    auto words = view.enum_words(p.schema);
    if (kState.count(p.name) || (words && *words == state_words)) {
      filters.push_back({{"query", p.name}, {"state", true}});
      notes.guess("list filter: ?" + p.name + "= on the state");
      break;
    }
  }
  return filters;
}

// The envelope's array of runs: the property whose items are runs, else the first array.
std::string items_property(const SchemaView& view, const std::map<std::string, Place>& props, const Place& run_schema, Place& item) {
  std::string first;
  for (const auto& [name, place] : props) {
    Place items = view.items(place);
    if (!items.valid()) continue;
    if (view.set().follow(items) == view.set().follow(run_schema)) {
      item = items;
      return name;
    }
    if (first.empty()) {
      first = name;
      item = items;
    }
  }
  return first;
}

}  // namespace

std::optional<ListGuess> guess_list(const SchemaView& view, const OperationInfo& list, const Place& run_schema,
                                    const std::vector<std::string>& state_words, Notes& notes) {
  Place answer = response_schema(view, list);
  auto props = view.properties(answer);
  ListGuess guess;
  const std::string items = items_property(view, props, run_schema, guess.item_schema);
  if (items.empty()) {
    notes.cannot("list: " + list.id + " answers no object with an array of runs (a bare array cannot be played); no listing is played");
    return std::nullopt;
  }
  notes.guess("list items: '" + items + "' of the answer");
  const auto params = query_parameters(view, list);
  ordered_json envelope = {{"items", items}};
  if (auto total = named_property(props, kTotal); !total.empty() && total != items) envelope["total"] = total;
  if (props.count("limit")) envelope["limit"] = "limit";
  if (props.count("offset")) envelope["offset"] = "offset";
  guess.section = {{"filters", filters_of(view, params, state_words, notes)},
                   {"order", "newest"},
                   {"paging", paging_of(view, params, props, notes)},
                   {"envelope", envelope}};
  return guess;
}

}  // namespace runmock::import
