// JSON Web Tokens: the input is an Authorization header value ("Bearer <jwt>", or anything). Its
// token is decoded, time-checked and verified with HS256 under a fixed secret; a token that decodes
// is also re-signed with that secret, which must then verify up to its time claims (so the code
// after the signature check is reached, which a fuzzer cannot reach by forging an HMAC).
#include <string>

#include "fuzz_support.h"
#include "http/jwt.h"

namespace {

namespace jwt = runmock::http::jwt;
using runmock::fuzz::check;

constexpr std::int64_t kNow = 1700000000;  // 2023-11-14T22:13:20Z
constexpr std::int64_t kLeeway = 30;

const jwt::Verifier& verifier() {
  static const jwt::Verifier instance = jwt::Verifier::hs256(jwt::kDevSecret);
  return instance;
}

void check_base64url(std::string_view text) {
  auto decoded = jwt::base64url_decode(text);
  if (decoded) check(jwt::base64url_decode(jwt::base64url_encode(*decoded)) == decoded, "base64url: decode(encode(decode(t))) == decode(t)");
  check(jwt::base64url_decode(jwt::base64url_encode(text)) == std::string(text), "base64url: decode(encode(bytes)) == bytes");
}

std::string token_of(std::string_view header) {
  try {
    return jwt::bearer_token(header);
  } catch (const jwt::JwtError&) {
    return std::string(header);
  }
}

bool is_time_error(const jwt::JwtError& error) {
  return error.kind() == jwt::ErrorKind::expired || error.kind() == jwt::ErrorKind::not_yet_valid ||
         error.kind() == jwt::ErrorKind::malformed;  // exp or nbf is not a number
}

void check_decoded(const std::string& text) {
  jwt::Token token;
  try {
    token = jwt::decode(text);
  } catch (const jwt::JwtError&) {
    return;
  }
  check(token.header.is_object() && token.payload.is_object(), "a decoded token's header and payload are objects");
  try {
    jwt::check_time(token, kNow, kLeeway);
  } catch (const jwt::JwtError& error) {
    check(is_time_error(error), "check_time() throws only time errors");
  }
  try {
    verifier().verify(jwt::sign_hs256(token.payload, jwt::kDevSecret), kNow, kLeeway);
  } catch (const jwt::JwtError& error) {
    check(is_time_error(error), "a token re-signed with the verifier's secret verifies up to its time claims");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > runmock::fuzz::kMaxInputBytes) return -1;
  std::string_view header = runmock::fuzz::as_text(data, size);
  check_base64url(header);
  std::string token = token_of(header);
  check_decoded(token);
  try {
    verifier().verify(token, kNow);
  } catch (const jwt::JwtError&) {
  }
  return 0;
}
