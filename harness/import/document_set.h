// An OpenAPI description as a set of files: the document and every file its `$ref`s reach
// (relative references such as `schemas/run.schema.json#/$defs/status`, followed transitively and
// kept inside the document's folder), each a SourceDocument. A Place names one value in one of
// them; follow() walks `$ref` chains across the files. Remote references (http:, https:, urn:)
// are not fetched: follow() answers an empty Place for them, and the writers accept any value
// there. Loading refuses, naming file:line:col: a referenced file that is missing or outside the
// document's folder, an unresolvable local reference, and cyclic references (a schema that
// includes itself through $ref, allOf, anyOf, oneOf or not without a property in between).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "import/source_document.h"

namespace runmock::import {

struct Place {
  const SourceDocument* doc = nullptr;
  std::string pointer;

  bool valid() const { return doc != nullptr; }
  const nlohmann::json& value() const;  // null for an invalid place
  std::string where() const;             // file:line:col
  Place child(const std::string& token) const;
  bool operator==(const Place& other) const { return doc == other.doc && pointer == other.pointer; }
};

class DocumentSet {
 public:
  // Reads the document and the files it references. Throws ImportError.
  static DocumentSet load(const std::filesystem::path& file);
  // The same from an already read document (tests): only files next to `file` are read.
  static DocumentSet from(SourceDocument main);

  const SourceDocument& main() const { return *main_; }
  Place root() const { return {main_.get(), ""}; }
  // The referenced files by their path relative to the document's folder ("schemas/run.schema.json").
  const std::map<std::string, std::unique_ptr<SourceDocument>>& files() const { return files_; }
  // The relative path of a document of the set ("" for the main document).
  std::string relative_path(const SourceDocument& doc) const;

  // Where a `$ref` written in `from` leads: an empty Place for a remote reference or an anchor.
  Place target(const SourceDocument& from, const std::string& ref) const;
  // The value `place` stands for once its `$ref` chain is followed (the place itself when it is
  // no reference; empty when the chain ends outside the set).
  Place follow(const Place& place) const;

  // True for a reference this set does not follow (another host, a URN).
  static bool is_remote(const std::string& ref);

 private:
  void load_references(const SourceDocument& doc);
  void add_file(const SourceDocument& from, const std::string& pointer, const std::string& relative);
  void check_cycles() const;

  std::unique_ptr<SourceDocument> main_;
  std::filesystem::path folder_;
  std::map<std::string, std::unique_ptr<SourceDocument>> files_;
};

// Every `$ref` string of a document, as (pointer of the object holding it, the reference),
// examples and x- extensions left out.
std::vector<std::pair<std::string, std::string>> references_in(const nlohmann::json& root);

}  // namespace runmock::import
