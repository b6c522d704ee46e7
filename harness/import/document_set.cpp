// The document and the files its references reach; following and checking references (see
// document_set.h).
#include "import/document_set.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <set>

#include "import/import_error.h"

namespace runmock::import {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::size_t kMaxFiles = 1000;
constexpr int kMaxHops = 64;

// Keys whose values are data, not description (unless they name a property: `properties: {example: ...}`).
bool is_data_key(const std::string& key) {
  return key == "example" || key == "examples" || key == "enum" || key == "const" || key == "default" || key.rfind("x-", 0) == 0;
}

bool names_members(const std::string& key) {
  return key == "properties" || key == "patternProperties" || key == "$defs" || key == "definitions" || key == "schemas" ||
         key == "dependentSchemas";
}

void collect_references(const json& value, const std::string& pointer, const std::string& parent_key,
                        std::vector<std::pair<std::string, std::string>>& out) {
  if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) collect_references(value[i], pointer + "/" + std::to_string(i), "", out);
    return;
  }
  if (!value.is_object()) return;
  if (auto ref = value.find("$ref"); ref != value.end() && ref->is_string()) out.emplace_back(pointer, ref->get<std::string>());
  for (const auto& [key, member] : value.items()) {
    if (!names_members(parent_key) && is_data_key(key)) continue;
    collect_references(member, child_pointer(pointer, key), key, out);
  }
}

std::string percent_decode(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

bool exists(const Place& place) {
  if (!place.valid()) return false;
  try {
    return place.doc->root().contains(json::json_pointer(place.pointer));
  } catch (const json::exception&) {
    return false;
  }
}

// The files runmock's own extensions name (x-runmock-request-variants, x-runmock-response-variants).
std::vector<std::pair<std::string, std::string>> variant_files_in(const json& root) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!root.contains("paths") || !root["paths"].is_object()) return out;
  for (const auto& [path, item] : root["paths"].items()) {
    if (!item.is_object()) continue;
    for (const auto& [method, op] : item.items()) {
      if (!op.is_object()) continue;
      std::string at = child_pointer(child_pointer("/paths", path), method);
      if (auto v = op.find("x-runmock-request-variants"); v != op.end() && v->is_object()) {
        for (const auto& [name, file] : v->items()) {
          if (file.is_string()) out.emplace_back(child_pointer(at + "/x-runmock-request-variants", name), file.get<std::string>());
        }
      }
      if (auto v = op.find("x-runmock-response-variants"); v != op.end() && v->is_object()) {
        for (const auto& [status, spec] : v->items()) {
          const json& variants = member(spec, "variants");
          if (!variants.is_object()) continue;
          for (const auto& [name, file] : variants.items()) {
            if (file.is_string()) out.emplace_back(at + "/x-runmock-response-variants/" + status + "/variants/" + name, file.get<std::string>());
          }
        }
      }
    }
  }
  return out;
}

// Depth-first search, without recursion, over the in-place edges of schemas ($ref, allOf, anyOf,
// oneOf, not) from every place of a document that holds a reference.
class CycleFinder {
 public:
  explicit CycleFinder(const DocumentSet& set) : set_(set) {}

  void start_at(const Place& root) {
    for (const auto& [pointer, ref] : references_in(root.doc->root())) {
      Place start{root.doc, pointer};
      if (!done_.count(key(start))) search(start);
    }
  }

 private:
  struct Frame {
    Place place;
    std::vector<Place> next;
    std::size_t i = 0;
  };

  static std::string key(const Place& p) { return std::to_string(reinterpret_cast<std::uintptr_t>(p.doc)) + p.pointer; }

  std::vector<Place> edges(const Place& p) const {
    std::vector<Place> out;
    const json& v = p.value();
    if (!v.is_object()) return out;
    if (auto ref = v.find("$ref"); ref != v.end() && ref->is_string()) {
      if (Place to = set_.target(*p.doc, ref->get<std::string>()); exists(to)) out.push_back(to);
    }
    for (const char* applicator : {"allOf", "anyOf", "oneOf"}) {
      if (auto list = v.find(applicator); list != v.end() && list->is_array()) {
        for (std::size_t i = 0; i < list->size(); ++i) out.push_back(p.child(applicator).child(std::to_string(i)));
      }
    }
    if (v.contains("not")) out.push_back(p.child("not"));
    return out;
  }

  void search(const Place& start) {
    std::vector<Frame> stack{{start, edges(start)}};
    std::set<std::string> on_path{key(start)};
    while (!stack.empty()) {
      Frame& top = stack.back();
      if (top.i == top.next.size()) {
        on_path.erase(key(top.place));
        done_.insert(key(top.place));
        stack.pop_back();
        continue;
      }
      Place next = top.next[top.i++];
      if (on_path.count(key(next))) refuse(stack, next);
      if (done_.count(key(next))) continue;
      on_path.insert(key(next));
      stack.push_back({next, edges(next)});
    }
  }

  [[noreturn]] static void refuse(const std::vector<Frame>& stack, const Place& again) {
    std::string chain;
    auto from = std::find_if(stack.begin(), stack.end(), [&](const Frame& f) { return f.place == again; });
    for (auto it = from; it != stack.end(); ++it) chain += it->place.pointer + " -> ";
    throw ImportError(again.where() + ": cyclic $ref: " + chain + again.pointer + " (a schema that contains itself without a property in between)");
  }

  const DocumentSet& set_;
  std::set<std::string> done_;
};

}  // namespace

const json& Place::value() const {
  static const json kNull;
  if (!exists(*this)) return kNull;
  return doc->root().at(json::json_pointer(pointer));
}

std::string Place::where() const { return doc ? doc->where(pointer) : "(outside the document)"; }

Place Place::child(const std::string& token) const { return doc ? Place{doc, child_pointer(pointer, token)} : Place{}; }

std::vector<std::pair<std::string, std::string>> references_in(const json& root) {
  std::vector<std::pair<std::string, std::string>> out;
  collect_references(root, "", "", out);
  return out;
}

bool DocumentSet::is_remote(const std::string& ref) {
  auto colon = ref.find(':');
  auto slash = ref.find('/');
  auto hash = ref.find('#');
  return colon != std::string::npos && (slash == std::string::npos || colon < slash) && (hash == std::string::npos || colon < hash);
}

DocumentSet DocumentSet::load(const fs::path& file) { return from(SourceDocument::read(file)); }

DocumentSet DocumentSet::from(SourceDocument main) {
  DocumentSet set;
  set.main_ = std::make_unique<SourceDocument>(std::move(main));
  set.folder_ = set.main_->file().parent_path();
  set.load_references(*set.main_);
  for (const auto& [pointer, file] : variant_files_in(set.main_->root())) set.add_file(*set.main_, pointer, file);
  set.check_cycles();
  return set;
}

std::string DocumentSet::relative_path(const SourceDocument& doc) const {
  for (const auto& [relative, file] : files_) {
    if (file.get() == &doc) return relative;
  }
  return "";
}

void DocumentSet::add_file(const SourceDocument& from, const std::string& pointer, const std::string& relative) {
  fs::path base = fs::path(relative_path(from)).parent_path();
  std::string normal = (base / percent_decode(relative)).lexically_normal().generic_string();
  if (normal.empty() || normal.rfind("..", 0) == 0 || fs::path(relative).is_absolute()) {
    throw ImportError(from.where(pointer) + ": the reference '" + relative + "' leads outside the document's folder");
  }
  if (normal == main_->file().filename().generic_string() || files_.count(normal)) return;
  if (files_.size() >= kMaxFiles) throw ImportError(from.where(pointer) + ": the document references more than 1000 files");
  fs::path file = folder_ / normal;
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) throw ImportError(from.where(pointer) + ": the reference '" + relative + "' names no file (" + file.string() + ")");
  auto doc = std::make_unique<SourceDocument>(SourceDocument::read(file));
  const SourceDocument& loaded = *doc;
  files_.emplace(normal, std::move(doc));
  load_references(loaded);
}

void DocumentSet::load_references(const SourceDocument& doc) {
  for (const auto& [pointer, ref] : references_in(doc.root())) {
    if (is_remote(ref)) continue;
    std::string file = ref.substr(0, ref.find('#'));
    if (!file.empty()) add_file(doc, child_pointer(pointer, "$ref"), file);
    Place to = target(doc, ref);
    if (!to.valid()) {
      if (ref.find("#/") == std::string::npos && ref.find('#') != std::string::npos && ref.back() != '#') continue;  // an anchor
      throw ImportError(doc.where(child_pointer(pointer, "$ref")) + ": the reference '" + ref + "' cannot be resolved");
    }
    if (!exists(to)) throw ImportError(doc.where(child_pointer(pointer, "$ref")) + ": the reference '" + ref + "' leads nowhere (no value at " + to.pointer + ")");
  }
}

Place DocumentSet::target(const SourceDocument& from, const std::string& ref) const {
  if (is_remote(ref)) return {};
  auto hash = ref.find('#');
  std::string file = ref.substr(0, hash);
  std::string fragment = hash == std::string::npos ? "" : percent_decode(ref.substr(hash + 1));
  if (!fragment.empty() && fragment.front() != '/') return {};  // an anchor: not followed
  const SourceDocument* doc = &from;
  if (!file.empty()) {
    std::string normal = (fs::path(relative_path(from)).parent_path() / percent_decode(file)).lexically_normal().generic_string();
    if (normal == main_->file().filename().generic_string()) doc = main_.get();
    else if (auto it = files_.find(normal); it != files_.end()) doc = it->second.get();
    else return {};
  }
  return {doc, fragment};
}

Place DocumentSet::follow(const Place& place) const {
  Place at = place;
  for (int hops = 0; hops < kMaxHops && at.valid(); ++hops) {
    const json& value = at.value();
    if (!value.is_object() || !value.contains("$ref") || !value["$ref"].is_string()) return at;
    at = target(*at.doc, value["$ref"].get<std::string>());
  }
  return at.valid() ? Place{} : at;
}

void DocumentSet::check_cycles() const {
  CycleFinder finder(*this);
  finder.start_at(Place{main_.get(), ""});
  for (const auto& [relative, doc] : files_) finder.start_at(Place{doc.get(), ""});
}

}  // namespace runmock::import
