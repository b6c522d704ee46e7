// A JWT with the given claims and a dummy signature, for end-to-end tests of a server that checks
// claims but not signatures (runmock's default).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace runmock::testing {

inline std::string base64url(const std::string& text) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned value = 0;
  int bits = 0;
  for (unsigned char c : text) {
    value = (value << 8) | c;
    bits += 8;
    while (bits >= 6) {
      out.push_back(alphabet[(value >> (bits - 6)) & 63]);
      bits -= 6;
    }
  }
  if (bits > 0) out.push_back(alphabet[(value << (6 - bits)) & 63]);
  return out;
}

inline std::string unsigned_token(const nlohmann::json& claims) {
  return base64url(R"({"alg":"HS256","typ":"JWT"})") + "." + base64url(claims.dump()) + ".c2lnbmF0dXJl";
}

}  // namespace runmock::testing
