// AWS Signature Version 4 (pennsieve's webhook signer): the input is
// "<method>\0<path>\0<query>\0<headers, one 'name:value' a line>\0<body>". Signing must not crash
// and must be a function of the request: signing twice gives the same canonical request.
#include <string>

#include "mechanisms/sigv4.h"
#include "fuzz_support.h"

namespace {

namespace sigv4 = runmock::mechanisms::sigv4;
using runmock::fuzz::check;

std::vector<std::pair<std::string, std::string>> headers_of(std::string_view block) {
  std::vector<std::pair<std::string, std::string>> headers;
  while (!block.empty()) {
    auto newline = block.find('\n');
    std::string_view line = block.substr(0, newline);
    block = newline == std::string_view::npos ? std::string_view{} : block.substr(newline + 1);
    auto colon = line.find(':');
    std::string_view value = colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
    headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  return headers;
}

sigv4::Request request_of(std::string_view text) {
  auto fields = runmock::fuzz::split_fields(text, 5);
  return {std::string(fields[0]), std::string(fields[1]), std::string(fields[2]), headers_of(fields[3]), std::string(fields[4])};
}

void sign_twice(const sigv4::Request& request, bool normalize_path) {
  const sigv4::Credentials credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  auto first = sigv4::sign(request, credentials, "us-east-1", "execute-api", "20150830T123600Z", normalize_path);
  auto second = sigv4::sign(request, credentials, "us-east-1", "execute-api", "20150830T123600Z", normalize_path);
  check(first.canonical_request == second.canonical_request, "the canonical request is a function of the request");
  check(first.signature == second.signature && first.authorization == second.authorization, "the signature is a function of the request");
  check(first.signature.size() == 64, "the signature is 32 bytes in hex");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > runmock::fuzz::kMaxInputBytes) return -1;
  sigv4::Request request = request_of(runmock::fuzz::as_text(data, size));
  sign_twice(request, true);
  sign_twice(request, false);
  return 0;
}
