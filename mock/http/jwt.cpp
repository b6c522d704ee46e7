#include "http/jwt.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <array>
#include <cctype>
#include <limits>

#include "http/json_text.h"

namespace runmock::http::jwt {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxJsonDepth = 32;

const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

BioPtr memory_bio(std::string_view text) { return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size()))); }

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int n = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
            out.data(), &n)) {
    throw JwtError(ErrorKind::bad_key, "HMAC-SHA256 failed");
  }
  return std::string(reinterpret_cast<const char*>(out.data()), n);
}

std::string signing_input_of(const json& header, const json& claims) {
  return base64url_encode(header.dump()) + "." + base64url_encode(claims.dump());
}

json decode_part(std::string_view part, const char* name) {
  auto bytes = base64url_decode(part);
  if (!bytes) throw JwtError(ErrorKind::malformed, std::string("token ") + name + " is not base64url");
  JsonText parsed = parse_json_text(*bytes, kMaxJsonDepth);
  if (!parsed.ok()) throw JwtError(ErrorKind::malformed, std::string("token ") + name + " is " + parsed.error);
  if (!parsed.value.is_object()) throw JwtError(ErrorKind::malformed, std::string("token ") + name + " is not a JSON object");
  return std::move(parsed.value);
}

std::optional<std::int64_t> time_claim(const Token& token, const char* name) {
  auto it = token.payload.find(name);
  if (it == token.payload.end() || it->is_null()) return std::nullopt;
  if (!it->is_number()) throw JwtError(ErrorKind::malformed, std::string("token claim '") + name + "' is not a number");
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  if (it->is_number_unsigned()) return it->get<std::uint64_t>() > static_cast<std::uint64_t>(kMax) ? kMax : it->get<std::int64_t>();
  if (it->is_number_float()) {
    double d = it->get<double>();
    if (d >= 9.2e18) return kMax;
    if (d <= -9.2e18) return kMin;
    return static_cast<std::int64_t>(d);
  }
  return it->get<std::int64_t>();
}

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (bytes.size() - i == 1) {
    unsigned v = byte(i) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (bytes.size() - i == 2) {
    unsigned v = (byte(i) << 16) | (byte(i + 1) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '-') v = 62;
    else if (c == '_') v = 63;
    else return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

std::string bearer_token(std::string_view header) {
  while (!header.empty() && std::isspace(static_cast<unsigned char>(header.front()))) header.remove_prefix(1);
  while (!header.empty() && std::isspace(static_cast<unsigned char>(header.back()))) header.remove_suffix(1);
  if (header.empty()) throw JwtError(ErrorKind::missing, "no Authorization header: send 'Authorization: Bearer <token>'");
  auto space = header.find(' ');
  std::string scheme(header.substr(0, space));
  for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "bearer") {
    throw JwtError(ErrorKind::malformed, "the Authorization header is not a Bearer token (scheme '" + std::string(header.substr(0, space)) + "')");
  }
  std::string_view token = space == std::string_view::npos ? std::string_view{} : header.substr(space + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  if (token.empty()) throw JwtError(ErrorKind::missing, "the Authorization header says Bearer but carries no token");
  return std::string(token);
}

Token decode(std::string_view token) {
  if (token.empty()) throw JwtError(ErrorKind::missing, "no token");
  auto first = token.find('.');
  auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    std::size_t parts = 1;
    for (char c : token) parts += c == '.';
    throw JwtError(ErrorKind::malformed, "the token is not a JWT: expected three dot-separated parts, found " + std::to_string(parts));
  }
  Token out;
  out.header = decode_part(token.substr(0, first), "header");
  out.payload = decode_part(token.substr(first + 1, second - first - 1), "payload");
  auto signature = base64url_decode(token.substr(second + 1));
  if (!signature) throw JwtError(ErrorKind::malformed, "token signature is not base64url");
  out.signature = std::move(*signature);
  out.signing_input = std::string(token.substr(0, second));
  return out;
}

void check_time(const Token& token, std::int64_t now, std::int64_t leeway) {
  if (auto exp = time_claim(token, "exp"); exp && now - leeway >= *exp) {
    throw JwtError(ErrorKind::expired, "the token expired (exp " + std::to_string(*exp) + ", now " + std::to_string(now) + ")");
  }
  if (auto nbf = time_claim(token, "nbf"); nbf && now + leeway < *nbf) {
    throw JwtError(ErrorKind::not_yet_valid, "the token is not valid yet (nbf " + std::to_string(*nbf) + ", now " + std::to_string(now) + ")");
  }
}

std::string sign_hs256(const json& claims, std::string_view secret) {
  std::string input = signing_input_of({{"alg", "HS256"}, {"typ", "JWT"}}, claims);
  return input + "." + base64url_encode(hmac_sha256(secret, input));
}

std::string sign_rs256(const json& claims, std::string_view private_key_pem) {
  BioPtr bio = memory_bio(private_key_pem);
  PkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) throw JwtError(ErrorKind::bad_key, "not an RSA private key in PEM");
  std::string input = signing_input_of({{"alg", "RS256"}, {"typ", "JWT"}}, claims);
  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::size_t length = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length, reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    throw JwtError(ErrorKind::bad_key, "RS256 signing failed");
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    throw JwtError(ErrorKind::bad_key, "RS256 signing failed");
  }
  signature.resize(length);
  return input + "." + base64url_encode(signature);
}

Verifier::Verifier() = default;

Verifier Verifier::hs256(std::string secret) {
  if (secret.empty()) throw JwtError(ErrorKind::bad_key, "the HS256 secret is empty");
  Verifier v;
  v.algorithm_ = "HS256";
  v.secret_ = std::move(secret);
  return v;
}

Verifier Verifier::rs256(std::string_view public_key_pem) {
  BioPtr bio = memory_bio(public_key_pem);
  EVP_PKEY* key = bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (!key) throw JwtError(ErrorKind::bad_key, "not a public key in PEM (expected '-----BEGIN PUBLIC KEY-----')");
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
    EVP_PKEY_free(key);
    throw JwtError(ErrorKind::bad_key, "the public key is not an RSA key, so it cannot check RS256");
  }
  Verifier v;
  v.algorithm_ = "RS256";
  v.public_key_ = std::shared_ptr<void>(key, [](void* k) { EVP_PKEY_free(static_cast<EVP_PKEY*>(k)); });
  return v;
}

Token Verifier::verify(std::string_view token_text, std::int64_t now, std::int64_t leeway) const {
  Token token = decode(token_text);
  if (algorithm_) {
    auto alg = token.header.find("alg");
    std::string name = alg != token.header.end() && alg->is_string() ? alg->get<std::string>() : "";
    if (name != algorithm_) {
      throw JwtError(ErrorKind::unsupported_algorithm, "the token is signed with '" + name + "', but runmock checks " + algorithm_ + " tokens");
    }
    bool good = false;
    if (name == "HS256") {
      std::string expected = hmac_sha256(secret_, token.signing_input);
      good = expected.size() == token.signature.size() && CRYPTO_memcmp(expected.data(), token.signature.data(), expected.size()) == 0;
    } else {
      MdCtxPtr ctx(EVP_MD_CTX_new());
      good = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, static_cast<EVP_PKEY*>(public_key_.get())) == 1 &&
             EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(token.signature.data()), token.signature.size(),
                              reinterpret_cast<const unsigned char*>(token.signing_input.data()), token.signing_input.size()) == 1;
    }
    if (!good) throw JwtError(ErrorKind::bad_signature, "the token's " + name + " signature does not verify");
  }
  check_time(token, now, leeway);
  return token;
}

json dev_claims(const std::string& client_id, const std::string& project_id, std::int64_t exp) {
  return {{"client_id", client_id}, {"project_id", project_id}, {"exp", exp}};
}

std::string dev_token(const std::string& client_id, const std::string& project_id, const std::string& secret, std::int64_t exp) {
  return sign_hs256(dev_claims(client_id, project_id, exp), secret);
}

KeyPair generate_rsa_key_pair(int bits) {
  PkeyPtr key(EVP_RSA_gen(static_cast<unsigned>(bits)));
  if (!key) throw JwtError(ErrorKind::bad_key, "RSA key generation failed");
  BioPtr priv(BIO_new(BIO_s_mem()));
  BioPtr pub(BIO_new(BIO_s_mem()));
  if (!priv || !pub || PEM_write_bio_PrivateKey(priv.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
      PEM_write_bio_PUBKEY(pub.get(), key.get()) != 1) {
    throw JwtError(ErrorKind::bad_key, "writing the RSA key pair as PEM failed");
  }
  return {bio_text(priv.get()), bio_text(pub.get())};
}

}  // namespace runmock::http::jwt
