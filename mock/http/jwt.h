// JSON Web Tokens on OpenSSL (no other JWT library): create HS256/RS256 tokens, decode a Bearer
// token's payload with clear errors for garbage, verify signatures when configured, check exp/nbf
// against a given time (the engine's clock, so a manual clock expires tokens too).
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace runmock::http::jwt {

enum class ErrorKind {
  missing,                // no token (no Authorization header, or an empty one)
  malformed,              // not "Bearer <jwt>", not three base64url parts, header/payload not JSON objects
  unsupported_algorithm,  // alg is not the one the verifier checks ("none" included)
  bad_signature,
  expired,        // now >= exp
  not_yet_valid,  // now < nbf
  bad_key,        // the configured key cannot be used
};

class JwtError : public std::runtime_error {
 public:
  JwtError(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

// A decoded token. Nothing about it is trusted until a Verifier says so.
struct Token {
  nlohmann::json header;   // a JSON object
  nlohmann::json payload;  // a JSON object: the claims
  std::string signing_input;  // "<header>.<payload>" as sent
  std::string signature;      // raw bytes
};

std::string base64url_encode(std::string_view bytes);
// Accepts the unpadded form (and tolerates '=' padding); nullopt for any other character.
std::optional<std::string> base64url_decode(std::string_view text);

// "Bearer <token>" (scheme case-insensitive) → "<token>". Throws JwtError (missing, malformed).
std::string bearer_token(std::string_view authorization_header);

// Splits and decodes a compact JWT without checking its signature or times. Throws JwtError
// (malformed) saying which part is wrong.
Token decode(std::string_view token);

// Throws JwtError (expired, not_yet_valid, malformed when exp/nbf is not a number). Claims that
// are absent are not checked (the dialect's claims schema says which are required).
void check_time(const Token& token, std::int64_t now_seconds, std::int64_t leeway_seconds = 0);

std::string sign_hs256(const nlohmann::json& claims, std::string_view secret);
// Throws JwtError (bad_key) when the PEM is not an RSA private key.
std::string sign_rs256(const nlohmann::json& claims, std::string_view private_key_pem);

// Checks tokens against one configured key, parsed once; thread-safe.
class Verifier {
 public:
  // No key: signatures are not checked (runmock's default: claims, not signatures).
  Verifier();
  static Verifier hs256(std::string secret);
  // An RSA public key in PEM ("-----BEGIN PUBLIC KEY-----"). Throws JwtError (bad_key).
  static Verifier rs256(std::string_view public_key_pem);

  // Decodes the token, checks its signature (when a key is configured) and exp/nbf against
  // `now_seconds`. Throws JwtError.
  Token verify(std::string_view token, std::int64_t now_seconds, std::int64_t leeway_seconds = 0) const;

  bool checks_signatures() const { return algorithm_ != nullptr; }

 private:
  const char* algorithm_ = nullptr;  // "HS256", "RS256" or null
  std::string secret_;
  std::shared_ptr<void> public_key_;  // EVP_PKEY
};

// The development token `runmock token` prints and `runmock serve` announces.
inline constexpr const char* kDevSecret = "runmock-dev-secret";
inline constexpr const char* kDevClientId = "runmock-dev";
inline constexpr const char* kDevProjectId = "proj:customer-analytics";
inline constexpr std::int64_t kDevExpiry = 4102444800;  // 2100-01-01T00:00:00Z

// {"client_id": ..., "project_id": ..., "exp": exp}
nlohmann::json dev_claims(const std::string& client_id = kDevClientId, const std::string& project_id = kDevProjectId,
                          std::int64_t exp = kDevExpiry);
// HS256 over dev_claims(): the same arguments always give the same token.
std::string dev_token(const std::string& client_id = kDevClientId, const std::string& project_id = kDevProjectId,
                      const std::string& secret = kDevSecret, std::int64_t exp = kDevExpiry);

// A fresh RSA key pair in PEM (PKCS#8 private key, SubjectPublicKeyInfo public key), for tests and
// fixtures. Throws JwtError (bad_key) if OpenSSL fails.
struct KeyPair {
  std::string private_pem;
  std::string public_pem;
};
KeyPair generate_rsa_key_pair(int bits = 2048);

}  // namespace runmock::http::jwt
