#include "source_locations.h"

#include <string>
#include <vector>

namespace runmock::contracts {
namespace {

// A small scanner over JSON text that walks down the pointer's tokens without building values.
class PointerScanner {
 public:
  PointerScanner(std::string_view text, std::vector<std::string> tokens) : text_(text), tokens_(std::move(tokens)) {}

  std::optional<std::size_t> run() {
    skip_space();
    std::size_t found = pos_;
    for (const auto& token : tokens_) {
      skip_space();
      if (pos_ >= text_.size()) return found;
      char open = text_[pos_];
      if (open == '{') {
        if (!enter_member(token)) return found;
      } else if (open == '[') {
        if (!enter_item(token)) return found;
      } else {
        return found;
      }
      skip_space();
      found = pos_;
    }
    return found;
  }

 private:
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r')) ++pos_;
  }

  // Reads a string at pos_ (which is on the opening quote) and returns it decoded enough to compare
  // with a key: escapes other than \uXXXX are resolved; \uXXXX is kept as-is.
  std::string read_string() {
    std::string out;
    ++pos_;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) {
        char e = text_[pos_ + 1];
        switch (e) {
          case 'n': out.push_back('\n'); break;
          case 't': out.push_back('\t'); break;
          case 'r': out.push_back('\r'); break;
          case 'b': out.push_back('\b'); break;
          case 'f': out.push_back('\f'); break;
          case 'u': out.append(text_.substr(pos_, 6)); pos_ += 4; break;
          default: out.push_back(e);
        }
        pos_ += 2;
      } else {
        out.push_back(text_[pos_++]);
      }
    }
    ++pos_;
    return out;
  }

  // Skips one value of any kind.
  void skip_value() {
    skip_space();
    if (pos_ >= text_.size()) return;
    char ch = text_[pos_];
    if (ch == '"') {
      read_string();
    } else if (ch == '{' || ch == '[') {
      int depth = 0;
      while (pos_ < text_.size()) {
        char c = text_[pos_];
        if (c == '"') {
          read_string();
          continue;
        }
        if (c == '{' || c == '[') ++depth;
        if (c == '}' || c == ']') {
          if (--depth == 0) {
            ++pos_;
            return;
          }
        }
        ++pos_;
      }
    } else {
      while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '}' && text_[pos_] != ']' && text_[pos_] != ' ' &&
             text_[pos_] != '\n' && text_[pos_] != '\r' && text_[pos_] != '\t') {
        ++pos_;
      }
    }
  }

  bool enter_member(const std::string& key) {
    ++pos_;
    while (true) {
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != '"') return false;
      std::string name = read_string();
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != ':') return false;
      ++pos_;
      skip_space();
      if (name == key) return true;
      skip_value();
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != ',') return false;
      ++pos_;
    }
  }

  bool enter_item(const std::string& token) {
    std::size_t index = 0;
    for (char ch : token) {
      if (ch < '0' || ch > '9') return false;
      index = index * 10 + static_cast<std::size_t>(ch - '0');
    }
    ++pos_;
    for (std::size_t i = 0; i < index; ++i) {
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == ']') return false;
      skip_value();
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != ',') return false;
      ++pos_;
    }
    skip_space();
    return pos_ < text_.size() && text_[pos_] != ']';
  }

  std::string_view text_;
  std::vector<std::string> tokens_;
  std::size_t pos_ = 0;
};

}  // namespace

std::pair<std::size_t, std::size_t> line_column_of_offset(std::string_view text, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

std::optional<TextPosition> locate_pointer(std::string_view text, std::string_view pointer) {
  std::vector<std::string> tokens;
  std::size_t start = 0;
  if (!pointer.empty() && pointer[0] == '/') {
    start = 1;
    while (start <= pointer.size()) {
      std::size_t end = pointer.find('/', start);
      if (end == std::string_view::npos) end = pointer.size();
      std::string token;
      for (std::size_t i = start; i < end; ++i) {
        if (pointer[i] == '~' && i + 1 < end) {
          token.push_back(pointer[i + 1] == '1' ? '/' : '~');
          ++i;
        } else {
          token.push_back(pointer[i]);
        }
      }
      tokens.push_back(std::move(token));
      start = end + 1;
    }
  }
  auto offset = PointerScanner(text, std::move(tokens)).run();
  if (!offset) return std::nullopt;
  auto [line, column] = line_column_of_offset(text, *offset);
  return TextPosition{line, column};
}

}  // namespace runmock::contracts
