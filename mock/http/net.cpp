#include "http/net.h"

#include <arpa/inet.h>

#include <array>
#include <cstring>

namespace runmock::http {

bool is_loopback(std::string_view address) {
  std::string text(address);
  if (text.size() > 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  if (auto zone = text.find('%'); zone != std::string::npos) text.resize(zone);
  std::array<unsigned char, 16> bytes{};
  if (inet_pton(AF_INET, text.c_str(), bytes.data()) == 1) return bytes[0] == 127;
  if (inet_pton(AF_INET6, text.c_str(), bytes.data()) != 1) return false;
  static constexpr std::array<unsigned char, 16> kLoopback6{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  if (bytes == kLoopback6) return true;
  static constexpr std::array<unsigned char, 12> kMappedPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp(bytes.data(), kMappedPrefix.data(), kMappedPrefix.size()) == 0 && bytes[12] == 127;
}

std::string url_host(std::string_view host) {
  if (host.find(':') != std::string_view::npos && host.front() != '[') return "[" + std::string(host) + "]";
  return std::string(host);
}

}  // namespace runmock::http
