// One file of an OpenAPI description as import-openapi reads it: the document itself, or a schema
// file it references. YAML goes through runmock's bounded loader (aliases, nesting and size are
// bounded as everywhere in runmock, contracts/loader/yaml_bounds.h); JSON is checked for nesting
// deeper than the same bound before it is parsed, so a 100,000-deep document is refused with
// file:line:col instead of exhausting the stack. Every value keeps its place: where(pointer)
// names file:line:col of the value a JSON Pointer leads to (of its deepest existing ancestor when
// the pointer goes further).
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

namespace runmock::import {

class SourceDocument {
 public:
  // Reads `file` (YAML unless its name ends in .json). Throws ImportError naming file:line:col.
  static SourceDocument read(const std::filesystem::path& file);
  // A document from text (tests); `file` only names it in messages.
  static SourceDocument parse(const std::string& text, const std::filesystem::path& file, bool json);

  const std::filesystem::path& file() const { return file_; }
  const nlohmann::json& root() const { return root_; }
  // "file:line:col" of the value at `pointer` (RFC 6901), or "file" when the text has no place for it.
  std::string where(const std::string& pointer) const;

 private:
  std::filesystem::path file_;
  std::string text_;
  bool json_ = false;
  nlohmann::json root_;
  std::map<std::string, std::pair<std::size_t, std::size_t>> yaml_marks_;  // pointer → line, column (1-based)
};

// The member `key` of `value`, or null when `value` is no object or has no such member (documents
// are read as they come: a member of the wrong type is the caller's to judge, never an exception).
const nlohmann::json& member(const nlohmann::json& value, const std::string& key);

// The parent of a JSON Pointer ("/a/b" → "/a"; "" for "" and "/a").
std::string parent_pointer(const std::string& pointer);
// `pointer` + "/" + the escaped `token`.
std::string child_pointer(const std::string& pointer, const std::string& token);

}  // namespace runmock::import
