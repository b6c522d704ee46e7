#include "mechanisms/sigv4.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <string_view>

#include "mechanisms/digest.h"

namespace runmock::mechanisms::sigv4 {
namespace {

constexpr const char* kAlgorithm = "AWS4-HMAC-SHA256";

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// A header value as SigV4 signs it: no leading or trailing white space, each inner run of white
// space (line folds included) one space.
std::string collapse_spaces(const std::string& value) {
  std::string out;
  bool in_space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      in_space = true;
      continue;
    }
    if (in_space && !out.empty()) out.push_back(' ');
    in_space = false;
    out.push_back(c);
  }
  return out;
}

// RFC 3986 percent-encoding of everything but the unreserved characters (and '/' in paths).
std::string uri_encode(const std::string& text, bool keep_slash) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 15]);
    }
  }
  return out;
}

int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes each %XX (two hex digits); any other '%' stays as it is, so that a client's stray '%'
// is signed as the %25 it would be encoded to.
std::string uri_decode(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    int high = text[i] == '%' && i + 2 < text.size() ? hex_digit_value(text[i + 1]) : -1;
    int low = high >= 0 ? hex_digit_value(text[i + 2]) : -1;
    if (low >= 0) {
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// The path's segments without empty ones and "." ones, each ".." removing the one before it.
std::vector<std::string> resolved_segments(const std::string& path) {
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    std::string segment = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return segments;
}

// RFC 3986 dot-segment removal plus the collapse of double slashes, as AWS normalizes paths. A
// path that ended with '/', "." or ".." keeps a trailing '/'.
std::string normalized_path(const std::string& path) {
  std::vector<std::string> segments = resolved_segments(path);
  if (segments.empty()) return "/";
  std::string out;
  for (const auto& segment : segments) out += "/" + segment;
  std::string last = path.substr(path.rfind('/') + 1);
  bool trailing = path.back() == '/' || last == "." || last == "..";
  return trailing ? out + "/" : out;
}

std::string canonical_path(const std::string& request_path, bool normalize) {
  std::string path = request_path.empty() ? "/" : request_path;
  if (normalize) path = normalized_path(path);
  return uri_encode(uri_decode(path), true);
}

// Each name and value decoded then encoded, sorted by name then value; empty pairs dropped.
std::string canonical_query(const std::string& query) {
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t start = 0;
  while (!query.empty() && start <= query.size()) {
    std::size_t end = query.find('&', start);
    std::string pair = query.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!pair.empty()) {
      std::size_t equals = pair.find('=');
      std::string name = pair.substr(0, equals);
      std::string value = equals == std::string::npos ? "" : pair.substr(equals + 1);
      params.emplace_back(uri_encode(uri_decode(name), false), uri_encode(uri_decode(value), false));
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) out += (out.empty() ? "" : "&") + name + "=" + value;
  return out;
}

struct CanonicalHeaders {
  std::string lines;  // "name:value\n" each, sorted by lower-case name
  std::string names;  // the signed headers: "host;x-amz-date"
};

// Names lower-cased, values trimmed; a header sent several times is one line, its values joined
// by ',' in the order sent.
CanonicalHeaders canonical_headers(const std::vector<std::pair<std::string, std::string>>& headers) {
  std::map<std::string, std::vector<std::string>> by_name;
  for (const auto& [name, value] : headers) by_name[lower(name)].push_back(collapse_spaces(value));
  CanonicalHeaders out;
  for (const auto& [name, values] : by_name) {
    std::string joined;
    for (const auto& value : values) joined += (joined.empty() ? "" : ",") + value;
    out.lines += name + ":" + joined + "\n";
    out.names += (out.names.empty() ? "" : ";") + name;
  }
  return out;
}

}  // namespace

std::string signing_key(const std::string& secret_access_key, const std::string& date, const std::string& region,
                        const std::string& service) {
  std::string date_key = hmac_sha256("AWS4" + secret_access_key, date);
  return hmac_sha256(hmac_sha256(hmac_sha256(date_key, region), service), "aws4_request");
}

Signed sign(const Request& request, const Credentials& credentials, const std::string& region, const std::string& service,
            const std::string& amz_date, bool normalize_path, const std::string& payload_hash) {
  CanonicalHeaders headers = canonical_headers(request.headers);
  Signed out;
  out.canonical_request = request.method + "\n" + canonical_path(request.path, normalize_path) + "\n" + canonical_query(request.query) +
                          "\n" + headers.lines + "\n" + headers.names + "\n" +
                          (payload_hash.empty() ? sha256_hex(request.body) : payload_hash);
  std::string date = amz_date.substr(0, 8);
  std::string scope = date + "/" + region + "/" + service + "/aws4_request";
  out.string_to_sign = std::string(kAlgorithm) + "\n" + amz_date + "\n" + scope + "\n" + sha256_hex(out.canonical_request);
  out.signature = hex(hmac_sha256(signing_key(credentials.secret_access_key, date, region, service), out.string_to_sign));
  out.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + "/" + scope +
                      ", SignedHeaders=" + headers.names + ", Signature=" + out.signature;
  return out;
}

}  // namespace runmock::mechanisms::sigv4
