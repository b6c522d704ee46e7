// Reading one file of an OpenAPI description (see source_document.h).
#include "import/source_document.h"

#include <yaml-cpp/depthguard.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "import/import_error.h"
#include "loader/source_locations.h"
#include "loader/yaml_bounds.h"
#include "loader/yaml_json.h"
#include "validator/json_value.h"

namespace runmock::import {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Files past this size are refused before they are read whole (the YAML loader's scalar bound is 4 MiB).
constexpr std::uintmax_t kMaxFileBytes = 16u << 20;

std::string at(const fs::path& file, std::size_t line, std::size_t column) {
  return file.string() + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string read_text(const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) throw ImportError(file.string() + ": no such file");
  if (fs::file_size(file, ec) > kMaxFileBytes) throw ImportError(file.string() + ": the file is larger than 16 MiB");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ImportError(file.string() + ": cannot read the file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Records where each value of a YAML document starts, by JSON Pointer.
class MarkRecorder : public contracts::YamlVisitor {
 public:
  explicit MarkRecorder(std::map<std::string, std::pair<std::size_t, std::size_t>>& marks) : marks_(marks) {}

  bool enter(const YAML::Node& value, const contracts::YamlStep& step) override {
    std::string pointer;
    if (!open_.empty()) pointer = child_pointer(open_.back(), step.key ? step.key->Scalar() : std::to_string(step.index));
    const YAML::Mark mark = step.key ? step.key->Mark() : value.Mark();
    marks_.emplace(pointer, std::pair<std::size_t, std::size_t>(mark.line + 1, mark.column + 1));
    open_.push_back(std::move(pointer));
    return true;
  }
  void leave() override { open_.pop_back(); }

 private:
  std::map<std::string, std::pair<std::size_t, std::size_t>>& marks_;
  std::vector<std::string> open_;
};

// Refuses JSON text nested deeper than the YAML loader's bound, at the bracket that goes too deep.
void check_json_depth(const std::string& text, const fs::path& file) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == ']' || c == '}') depth -= depth > 0 ? 1 : 0;
    else if ((c == '[' || c == '{') && ++depth > contracts::kMaxYamlDepth) {
      auto [line, column] = contracts::line_column_of_offset(text, i);
      throw ImportError(at(file, line, column) + ": nested more than " + std::to_string(contracts::kMaxYamlDepth) + " levels deep");
    }
  }
}

json parse_json(const std::string& text, const fs::path& file) {
  check_json_depth(text, file);
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    auto [line, column] = contracts::line_column_of_offset(text, e.byte == 0 ? 0 : e.byte - 1);
    std::string message = e.what();
    if (auto colon = message.find(": "); colon != std::string::npos) message = message.substr(colon + 2);
    throw ImportError(at(file, line, column) + ": not valid JSON: " + message);
  }
}

json parse_yaml(const std::string& text, const fs::path& file, std::map<std::string, std::pair<std::size_t, std::size_t>>& marks) {
  try {
    YAML::Node node = contracts::load_yaml(text);
    json value = contracts::yaml_to_json(node, text);
    MarkRecorder recorder(marks);
    contracts::walk_yaml(node, recorder, text);
    return value;
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's own guard (its message is only "bad file"), before runmock's bound is reached.
    throw ImportError(at(file, e.mark.line + 1, e.mark.column + 1) + ": nested too deep for the YAML reader");
  } catch (const YAML::Exception& e) {
    throw ImportError(at(file, e.mark.line + 1, e.mark.column + 1) + ": not valid YAML: " + e.msg);
  } catch (const contracts::YamlBoundsError& e) {
    throw ImportError(at(file, e.mark().line + 1, e.mark().column + 1) + ": " + e.what());
  }
}

}  // namespace

SourceDocument SourceDocument::read(const fs::path& file) {
  return parse(read_text(file), file, file.extension() == ".json");
}

SourceDocument SourceDocument::parse(const std::string& text, const fs::path& file, bool json) {
  SourceDocument doc;
  doc.file_ = file;
  doc.text_ = text;
  doc.json_ = json;
  doc.root_ = json ? parse_json(text, file) : parse_yaml(text, file, doc.yaml_marks_);
  return doc;
}

std::string SourceDocument::where(const std::string& pointer) const {
  if (json_) {
    auto found = contracts::locate_pointer(text_, pointer);
    return found ? at(file_, found->line, found->column) : file_.string();
  }
  for (std::string p = pointer;; p = parent_pointer(p)) {
    if (auto it = yaml_marks_.find(p); it != yaml_marks_.end()) return at(file_, it->second.first, it->second.second);
    if (p.empty()) return file_.string();
  }
}

const json& member(const json& value, const std::string& key) {
  static const json kNull;
  if (!value.is_object()) return kNull;
  auto it = value.find(key);
  return it == value.end() ? kNull : *it;
}

std::string parent_pointer(const std::string& pointer) {
  auto slash = pointer.rfind('/');
  return slash == std::string::npos ? "" : pointer.substr(0, slash);
}

std::string child_pointer(const std::string& pointer, const std::string& token) { return pointer + "/" + schema::pointer_escape(token); }

}  // namespace runmock::import
