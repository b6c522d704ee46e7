// Digests on OpenSSL: SHA-256 and HMAC-SHA256, and the lower-case hex form of raw bytes.
//
// Configuration: none. Used by the SigV4 signer (mechanisms/sigv4.h), the list cursor tag
// (mechanisms/cursor_tag.h) and ids derived from content (pennsieve's workflow instances).
#pragma once

#include <string>
#include <string_view>

namespace runmock::mechanisms {

// The SHA-256 of `data`, as 64 lower-case hex digits.
std::string sha256_hex(std::string_view data);

// HMAC-SHA256 of `data` under `key`: the 32 raw bytes (not hex), so that it can key the next
// HMAC of a chain (SigV4 derives its signing key that way).
std::string hmac_sha256(std::string_view key, std::string_view data);

// Each byte of `bytes` as two lower-case hex digits.
std::string hex(std::string_view bytes);

}  // namespace runmock::mechanisms
