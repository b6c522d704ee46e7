#include "uri.h"

#include <cctype>
#include <optional>

namespace runmock::schema {
namespace {

struct Components {
  std::optional<std::string_view> scheme;
  std::optional<std::string_view> authority;
  std::string_view path;
  std::optional<std::string_view> query;
  std::optional<std::string_view> fragment;
};

Components parse(std::string_view uri) {
  Components c;
  if (auto hash = uri.find('#'); hash != std::string_view::npos) {
    c.fragment = uri.substr(hash + 1);
    uri = uri.substr(0, hash);
  }
  if (auto q = uri.find('?'); q != std::string_view::npos) {
    c.query = uri.substr(q + 1);
    uri = uri.substr(0, q);
  }
  if (has_scheme(uri)) {
    auto colon = uri.find(':');
    c.scheme = uri.substr(0, colon);
    uri = uri.substr(colon + 1);
  }
  if (uri.substr(0, 2) == "//") {
    uri = uri.substr(2);
    auto slash = uri.find('/');
    c.authority = uri.substr(0, slash);
    uri = slash == std::string_view::npos ? std::string_view{} : uri.substr(slash);
  }
  c.path = uri;
  return c;
}

// RFC 3986 section 5.2.4.
std::string remove_dot_segments(std::string_view input) {
  std::string out;
  while (!input.empty()) {
    if (input.substr(0, 3) == "../") {
      input.remove_prefix(3);
    } else if (input.substr(0, 2) == "./") {
      input.remove_prefix(2);
    } else if (input.substr(0, 3) == "/./") {
      input.remove_prefix(2);
    } else if (input == "/.") {
      input = "/";
    } else if (input.substr(0, 4) == "/../" || input == "/..") {
      input = input.size() == 3 ? std::string_view("/") : input.substr(3);
      auto last = out.rfind('/');
      out.erase(last == std::string::npos ? 0 : last);
    } else if (input == "." || input == "..") {
      input = {};
    } else {
      auto next = input.find('/', input[0] == '/' ? 1 : 0);
      auto segment = input.substr(0, next);
      out.append(segment);
      input = next == std::string_view::npos ? std::string_view{} : input.substr(next);
    }
  }
  return out;
}

std::string merge_paths(const Components& base, std::string_view reference_path) {
  if (base.authority && base.path.empty()) return "/" + std::string(reference_path);
  auto last = base.path.rfind('/');
  if (last == std::string_view::npos) return std::string(reference_path);
  return std::string(base.path.substr(0, last + 1)) + std::string(reference_path);
}

std::string recompose(std::string_view scheme, std::optional<std::string_view> authority,
                      std::string_view path, std::optional<std::string_view> query,
                      std::optional<std::string_view> fragment) {
  std::string out;
  if (!scheme.empty()) out.append(scheme).push_back(':');
  if (authority) out.append("//").append(*authority);
  out.append(path);
  if (query) out.append("?").append(*query);
  if (fragment && !fragment->empty()) out.append("#").append(*fragment);
  return out;
}

}  // namespace

bool has_scheme(std::string_view uri) {
  if (uri.empty() || !std::isalpha(static_cast<unsigned char>(uri[0]))) return false;
  for (char ch : uri) {
    if (ch == ':') return true;
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '+' && ch != '-' && ch != '.') return false;
  }
  return false;
}

std::string resolve_uri(std::string_view base, std::string_view reference) {
  Components r = parse(reference);
  if (r.scheme) {
    return recompose(*r.scheme, r.authority, remove_dot_segments(r.path), r.query, r.fragment);
  }
  Components b = parse(base);
  std::string_view scheme = b.scheme.value_or("");
  if (r.authority) {
    return recompose(scheme, r.authority, remove_dot_segments(r.path), r.query, r.fragment);
  }
  if (r.path.empty()) {
    return recompose(scheme, b.authority, b.path, r.query ? r.query : b.query, r.fragment);
  }
  std::string path = r.path[0] == '/' ? remove_dot_segments(r.path) : remove_dot_segments(merge_paths(b, r.path));
  return recompose(scheme, b.authority, path, r.query, r.fragment);
}

UriParts split_fragment(std::string_view uri) {
  auto hash = uri.find('#');
  if (hash == std::string_view::npos) return {uri, {}};
  return {uri.substr(0, hash), uri.substr(hash + 1)};
}

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  auto hex = [](char ch) -> int {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      int hi = hex(text[i + 1]);
      int lo = hex(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

}  // namespace runmock::schema
