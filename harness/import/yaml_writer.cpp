// Writing JSON as block YAML (see yaml_writer.h).
#include "import/yaml_writer.h"

#include <cctype>
#include <regex>
#include <set>

namespace runmock::import {
namespace {

using nlohmann::ordered_json;

bool plain_is_safe(const std::string& text) {
  static const std::regex kPlain(R"([A-Za-z_$/][A-Za-z0-9_$./+-]*)");
  static const std::set<std::string> kReserved{"true", "false", "null", "yes", "no", "on", "off", "y", "n"};
  if (!std::regex_match(text, kPlain)) return false;
  std::string lower;
  for (char c : text) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return !kReserved.count(lower);
}

// A literal block keeps the text exactly when it has no tab, no carriage return, no control
// character, does not start with a space and ends with at most one line feed.
bool literal_is_exact(const std::string& text) {
  if (text.find('\n') == std::string::npos || text.front() == ' ' || text.front() == '\n') return false;
  for (unsigned char c : text) {
    if ((c < 0x20 && c != '\n') || c == 0x7f) return false;
  }
  return text.size() < 2 || text[text.size() - 1] != '\n' || text[text.size() - 2] != '\n';
}

std::string quoted(const std::string& text) { return ordered_json(text).dump(-1, ' ', false, ordered_json::error_handler_t::replace); }

std::string scalar(const ordered_json& value) {
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    return plain_is_safe(text) ? text : quoted(text);
  }
  return value.dump();
}

std::string key_text(const std::string& key) { return plain_is_safe(key) ? key : quoted(key); }

class Writer {
 public:
  std::string take() { return std::move(out_); }

  void comment_lines(const std::vector<std::string>& lines) {
    for (const auto& line : lines) out_ += line.empty() ? "#\n" : "# " + line + "\n";
  }

  void mapping(const ordered_json& object, std::size_t indent) {
    for (const auto& [key, member] : object.items()) {
      out_ += std::string(indent, ' ') + key_text(key) + ":";
      nested(member, indent);
    }
  }

  void sequence(const ordered_json& array, std::size_t indent) {
    for (const auto& item : array) {
      out_ += std::string(indent, ' ') + "-";
      if (item.is_object() && !item.empty()) {
        // The first member on the dash's line, the others under it.
        out_ += " ";
        bool first = true;
        for (const auto& [key, member] : item.items()) {
          if (!first) out_ += std::string(indent + 2, ' ');
          first = false;
          out_ += key_text(key) + ":";
          nested(member, indent + 2);
        }
      } else {
        nested(item, indent);
      }
    }
  }

 private:
  // After "key:" or "-": a scalar on the same line, a collection on the next lines.
  void nested(const ordered_json& value, std::size_t indent) {
    if (value.is_object() && !value.empty()) {
      out_ += "\n";
      mapping(value, indent + 2);
    } else if (value.is_array() && !value.empty()) {
      out_ += "\n";
      sequence(value, indent + 2);
    } else if (value.is_object()) {
      out_ += " {}\n";
    } else if (value.is_array()) {
      out_ += " []\n";
    } else if (value.is_string() && literal_is_exact(value.get_ref<const std::string&>())) {
      literal(value.get_ref<const std::string&>(), indent + 2);
    } else {
      out_ += " " + scalar(value) + "\n";
    }
  }

  void literal(const std::string& text, std::size_t indent) {
    const bool ends_with_newline = text.back() == '\n';
    out_ += ends_with_newline ? " |\n" : " |-\n";
    std::size_t start = 0;
    const std::size_t end = ends_with_newline ? text.size() - 1 : text.size();
    while (start <= end) {
      auto next = text.find('\n', start);
      if (next == std::string::npos || next > end) next = end;
      std::string line = text.substr(start, next - start);
      out_ += line.empty() ? "\n" : std::string(indent, ' ') + line + "\n";
      start = next + 1;
    }
  }

  std::string out_;
};

}  // namespace

std::string to_yaml(const ordered_json& value, const std::vector<std::string>& header) {
  Writer writer;
  writer.comment_lines(header);
  if (value.is_object() && !value.empty()) writer.mapping(value, 0);
  else if (value.is_array() && !value.empty()) writer.sequence(value, 0);
  else return writer.take() + ordered_json(value).dump() + "\n";
  return writer.take();
}

}  // namespace runmock::import
