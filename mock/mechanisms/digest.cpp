#include "mechanisms/digest.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <limits>
#include <stdexcept>

namespace runmock::mechanisms {

namespace {
const unsigned char* bytes_of(std::string_view text) { return reinterpret_cast<const unsigned char*>(text.data()); }
}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(bytes_of(data), data.size(), digest);
  return hex(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  // OpenSSL takes the key length as an int.
  if (key.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) throw std::length_error("hmac_sha256: key too long");
  // An empty view may have no storage at all; OpenSSL wants a pointer even for an empty key.
  const char* key_bytes = key.empty() ? "" : key.data();
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key_bytes, static_cast<int>(key.size()), bytes_of(data), data.size(), out, &length);
  return std::string(reinterpret_cast<const char*>(out), length);
}

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char byte : bytes) {
    out.push_back(kDigits[byte >> 4]);
    out.push_back(kDigits[byte & 15]);
  }
  return out;
}

}  // namespace runmock::mechanisms
