#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "http/jwt.h"

namespace runmock::http::jwt {
namespace {

using nlohmann::json;

constexpr std::int64_t kNow = 1705314600;  // 2024-01-15T10:30:00Z

json claims(std::int64_t exp = 4102444800) { return {{"client_id", "craft-sdk"}, {"project_id", "proj:customer-analytics"}, {"exp", exp}}; }

// Expects `f` to throw JwtError of `kind` and returns its message.
template <typename F>
std::string error_of(F&& f, ErrorKind kind) {
  try {
    f();
  } catch (const JwtError& e) {
    EXPECT_EQ(static_cast<int>(e.kind()), static_cast<int>(kind)) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no JwtError";
  return {};
}

TEST(Base64Url, RoundTripsEveryLength) {
  std::string bytes;
  for (int i = 0; i < 64; ++i) {
    std::string encoded = base64url_encode(bytes);
    EXPECT_EQ(encoded.find_first_of("+/="), std::string::npos);
    auto decoded = base64url_decode(encoded);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(*decoded, bytes);
    bytes.push_back(static_cast<char>(i * 37 + 200));
  }
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(*base64url_decode("aGk="), "hi") << "padding is tolerated";
  EXPECT_FALSE(base64url_decode("a+b/"));
  EXPECT_FALSE(base64url_decode("abcde"));
}

TEST(Jwt, Hs256CreateDecodeVerify) {
  std::string token = sign_hs256(claims(), "s3cret");
  Token decoded = decode(token);
  EXPECT_EQ(decoded.header["alg"], "HS256");
  EXPECT_EQ(decoded.payload["client_id"], "craft-sdk");
  Token verified = Verifier::hs256("s3cret").verify(token, kNow);
  EXPECT_EQ(verified.payload["project_id"], "proj:customer-analytics");
  error_of([&] { Verifier::hs256("other").verify(token, kNow); }, ErrorKind::bad_signature);
  // A payload swapped under a valid signature.
  std::string forged = token.substr(0, token.find('.') + 1) + base64url_encode(R"({"client_id":"evil","project_id":"proj:x","exp":4102444800})") +
                       token.substr(token.rfind('.'));
  error_of([&] { Verifier::hs256("s3cret").verify(forged, kNow); }, ErrorKind::bad_signature);
  EXPECT_NO_THROW(Verifier().verify(forged, kNow)) << "without a key, signatures are not checked";
}

TEST(Jwt, Rs256WithAKeyPairMadeHere) {
  KeyPair keys = generate_rsa_key_pair(2048);
  EXPECT_NE(keys.private_pem.find("BEGIN PRIVATE KEY"), std::string::npos);
  EXPECT_NE(keys.public_pem.find("BEGIN PUBLIC KEY"), std::string::npos);
  std::string token = sign_rs256(claims(), keys.private_pem);
  Verifier verifier = Verifier::rs256(keys.public_pem);
  EXPECT_TRUE(verifier.checks_signatures());
  EXPECT_EQ(verifier.verify(token, kNow).header["alg"], "RS256");

  std::string tampered = token;
  tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
  error_of([&] { verifier.verify(tampered, kNow); }, ErrorKind::bad_signature);

  KeyPair other = generate_rsa_key_pair(2048);
  error_of([&] { Verifier::rs256(other.public_pem).verify(token, kNow); }, ErrorKind::bad_signature);

  std::string hs = sign_hs256(claims(), keys.public_pem);  // the classic confusion attack
  std::string message = error_of([&] { verifier.verify(hs, kNow); }, ErrorKind::unsupported_algorithm);
  EXPECT_NE(message.find("HS256"), std::string::npos) << message;
}

TEST(Jwt, AlgNoneIsRefusedWhenAKeyIsConfigured) {
  std::string unsigned_token = base64url_encode(R"({"alg":"none"})") + "." + base64url_encode(claims().dump()) + ".";
  error_of([&] { Verifier::hs256("s").verify(unsigned_token, kNow); }, ErrorKind::unsupported_algorithm);
  EXPECT_NO_THROW(Verifier().verify(unsigned_token, kNow));
}

TEST(Jwt, BadKeys) {
  error_of([] { Verifier::rs256("not a pem"); }, ErrorKind::bad_key);
  error_of([] { Verifier::hs256(""); }, ErrorKind::bad_key);
  error_of([] { sign_rs256(claims(), "nope"); }, ErrorKind::bad_key);
}

TEST(Jwt, ExpiryAndNotBefore) {
  std::string token = sign_hs256(claims(kNow), "s");
  std::string message = error_of([&] { Verifier::hs256("s").verify(token, kNow); }, ErrorKind::expired);
  EXPECT_NE(message.find("expired"), std::string::npos);
  EXPECT_NO_THROW(Verifier::hs256("s").verify(token, kNow - 1));
  EXPECT_NO_THROW(Verifier::hs256("s").verify(token, kNow, 5)) << "leeway";
  json c = claims();
  c["nbf"] = kNow + 60;
  error_of([&] { check_time(decode(sign_hs256(c, "s")), kNow); }, ErrorKind::not_yet_valid);
  c["exp"] = "tomorrow";
  error_of([&] { check_time(decode(sign_hs256(c, "s")), kNow); }, ErrorKind::malformed);
  c = claims();
  c["exp"] = 1e300;
  EXPECT_NO_THROW(check_time(decode(sign_hs256(c, "s")), kNow)) << "a huge exp is far future, not undefined behaviour";
  c.erase("exp");
  EXPECT_NO_THROW(check_time(decode(sign_hs256(c, "s")), kNow)) << "absent claims are the claims schema's business";
}

TEST(Jwt, FixtureClaimsExpire) {
  std::ifstream in(RUNMOCK_SOURCE_DIR "/fixtures/emergence/tokens/expired.json");
  ASSERT_TRUE(in);
  std::stringstream text;
  text << in.rdbuf();
  json fixture = json::parse(text.str());
  json payload = fixture.contains("claims") ? fixture["claims"] : fixture;
  error_of([&] { Verifier().verify(sign_hs256(payload, "s"), 1893456000); }, ErrorKind::expired);
}

TEST(Jwt, GarbageGetsClearMessages) {
  std::string m = error_of([] { decode("abc"); }, ErrorKind::malformed);
  EXPECT_NE(m.find("three dot-separated parts, found 1"), std::string::npos) << m;
  m = error_of([] { decode("a.b.c.d"); }, ErrorKind::malformed);
  EXPECT_NE(m.find("found 4"), std::string::npos) << m;
  m = error_of([] { decode("!!!.e30.x"); }, ErrorKind::malformed);
  EXPECT_NE(m.find("header is not base64url"), std::string::npos) << m;
  m = error_of([] { decode(base64url_encode("{\"alg\":") + ".e30.x"); }, ErrorKind::malformed);
  EXPECT_NE(m.find("header is not valid JSON"), std::string::npos) << m;
  m = error_of([] { decode(base64url_encode(R"({"alg":"HS256"})") + "." + base64url_encode("[1]") + ".x"); }, ErrorKind::malformed);
  EXPECT_NE(m.find("payload is not a JSON object"), std::string::npos) << m;
  m = error_of([] { decode(base64url_encode(R"({"alg":"HS256"})") + "." + base64url_encode("{\"a\":\"\xff\"}") + ".x"); }, ErrorKind::malformed);
  EXPECT_NE(m.find("UTF-8"), std::string::npos) << m;
  m = error_of([] { decode(base64url_encode(R"({"alg":"HS256"})") + "." + base64url_encode(std::string(100000, '[')) + ".x"); },
               ErrorKind::malformed);
  EXPECT_NE(m.find("nested deeper"), std::string::npos) << m;
  error_of([] { decode(""); }, ErrorKind::missing);
}

TEST(Jwt, BearerHeader) {
  EXPECT_EQ(bearer_token("Bearer abc.def.ghi"), "abc.def.ghi");
  EXPECT_EQ(bearer_token("  bearer   abc  "), "abc");
  error_of([] { bearer_token(""); }, ErrorKind::missing);
  error_of([] { bearer_token("Bearer"); }, ErrorKind::missing);
  std::string m = error_of([] { bearer_token("Basic dXNlcjpwYXNz"); }, ErrorKind::malformed);
  EXPECT_NE(m.find("not a Bearer token"), std::string::npos) << m;
}

TEST(Jwt, DevToken) {
  std::string token = dev_token();
  EXPECT_EQ(token, dev_token()) << "deterministic";
  Token t = Verifier::hs256(kDevSecret).verify(token, kNow);
  EXPECT_EQ(t.payload, json({{"client_id", "runmock-dev"}, {"project_id", "proj:customer-analytics"}, {"exp", 4102444800}}));
  EXPECT_NE(dev_token("c", "proj:x"), token);
}

}  // namespace
}  // namespace runmock::http::jwt
