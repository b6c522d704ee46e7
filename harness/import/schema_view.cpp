// Reading schemas through $ref and allOf (see schema_view.h).
#include "import/schema_view.h"

#include <algorithm>

namespace runmock::import {
namespace {

using nlohmann::json;

constexpr int kMaxDepth = 16;

}  // namespace

void SchemaView::collect_parts(const Place& schema, std::vector<Place>& out, int depth) const {
  if (!schema.valid() || depth > kMaxDepth) return;
  if (std::find(out.begin(), out.end(), schema) != out.end()) return;
  const json& value = schema.value();
  if (!value.is_object()) return;
  out.push_back(schema);
  if (auto ref = value.find("$ref"); ref != value.end() && ref->is_string()) {
    collect_parts(set_.target(*schema.doc, ref->get<std::string>()), out, depth + 1);
  }
  if (auto all = value.find("allOf"); all != value.end() && all->is_array()) {
    for (std::size_t i = 0; i < all->size(); ++i) collect_parts(schema.child("allOf").child(std::to_string(i)), out, depth + 1);
  }
}

std::vector<Place> SchemaView::parts(const Place& schema) const {
  std::vector<Place> out;
  collect_parts(schema, out, 0);
  return out;
}

std::map<std::string, Place> SchemaView::properties(const Place& schema) const {
  std::map<std::string, Place> out;
  for (const Place& part : parts(schema)) {
    const json& props = member(part.value(), "properties");
    if (!props.is_object()) continue;
    for (const auto& [name, member] : props.items()) out.emplace(name, part.child("properties").child(name));
  }
  return out;
}

std::set<std::string> SchemaView::required(const Place& schema) const {
  std::set<std::string> out;
  for (const Place& part : parts(schema)) {
    const json& list = member(part.value(), "required");
    if (!list.is_array()) continue;
    for (const auto& name : list) {
      if (name.is_string()) out.insert(name.get<std::string>());
    }
  }
  return out;
}

std::set<std::string> SchemaView::types(const Place& schema) const {
  std::set<std::string> out;
  for (const Place& part : parts(schema)) {
    const json& value = part.value();
    if (auto type = value.find("type"); type != value.end()) {
      if (type->is_string()) out.insert(type->get<std::string>());
      for (const auto& t : type->is_array() ? *type : json::array()) {
        if (t.is_string()) out.insert(t.get<std::string>());
      }
    }
    if (member(value, "nullable") == true) out.insert("null");
  }
  for (const char* choice : {"anyOf", "oneOf"}) {
    for (const Place& part : parts(schema)) {
      const json& list = member(part.value(), choice);
      for (std::size_t i = 0; list.is_array() && i < list.size(); ++i) {
        for (const auto& t : types(part.child(choice).child(std::to_string(i)))) out.insert(t);
      }
    }
  }
  return out;
}

std::optional<std::vector<std::string>> SchemaView::enum_words(const Place& schema) const {
  for (const Place& part : parts(schema)) {
    const json& value = part.value();
    if (auto list = value.find("enum"); list != value.end() && list->is_array()) {
      std::vector<std::string> words;
      for (const auto& w : *list) {
        if (w.is_string()) words.push_back(w.get<std::string>());
        else if (!w.is_null()) return std::nullopt;
      }
      if (!words.empty()) return words;
    }
    for (const char* choice : {"anyOf", "oneOf"}) {
      const json& list = member(value, choice);
      for (std::size_t i = 0; list.is_array() && i < list.size(); ++i) {
        if (auto words = enum_words(part.child(choice).child(std::to_string(i)))) return words;
      }
    }
  }
  return std::nullopt;
}

std::string SchemaView::format(const Place& schema) const {
  for (const Place& part : parts(schema)) {
    if (auto f = part.value().find("format"); f != part.value().end() && f->is_string()) return f->get<std::string>();
  }
  return "";
}

Place SchemaView::items(const Place& schema) const {
  for (const Place& part : parts(schema)) {
    if (part.value().contains("items") && part.value()["items"].is_object()) return part.child("items");
  }
  return {};
}

}  // namespace runmock::import
