// AWS Signature Version 4, header signing (the Authorization header, not presigned URLs): the
// canonical request, the string to sign, the signature and the header, exactly as AWS's SigV4
// test suite expects them. Runmock signs its completion webhooks this way, as AWS services do.
//
// Configuration (the arguments of sign): the credentials (access key id, secret, optional session
// token), the region and service of the credential scope, the request time (yyyymmddThhmmssZ),
// whether the path is normalized (dot segments and double slashes removed: every service but S3),
// and the payload hash (default: the SHA-256 of the body; S3 takes "UNSIGNED-PAYLOAD" too).
//
// The caller puts every header to sign in the request (host and x-amz-date included, and
// x-amz-security-token / x-amz-content-sha256 when it sends them): all of them are signed.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace runmock::mechanisms::sigv4 {

struct Request {
  std::string method;
  std::string path;   // as sent (already URI-encoded), without the query
  std::string query;  // as sent, without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // as sent (host included)
  std::string body;
};

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // not used by sign: the caller sends it as x-amz-security-token
};

struct Signed {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;      // 64 lower-case hex digits
  std::string authorization;  // the Authorization header's value
};

// The key that signs the requests of one day, region and service (`date` is yyyymmdd):
// HMAC chain from "AWS4" + secret over date, region, service and "aws4_request"; raw bytes.
std::string signing_key(const std::string& secret_access_key, const std::string& date, const std::string& region,
                        const std::string& service);

// Signs `request`. `amz_date` is yyyymmddThhmmssZ (the x-amz-date the request carries).
// `normalize_path`: remove dot segments and double slashes (every service but S3).
// `payload_hash`: the payload hash to use (empty: the SHA-256 of the body). A '%' in the path or
// query that is not followed by two hex digits is taken literally (and encoded as %25).
Signed sign(const Request& request, const Credentials& credentials, const std::string& region, const std::string& service,
            const std::string& amz_date, bool normalize_path = true, const std::string& payload_hash = "");

}  // namespace runmock::mechanisms::sigv4
