#include "http/admin_guard.h"

#include <algorithm>
#include <cctype>

#include "http/net.h"

namespace runmock::http {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "name:port" / "[v6]:port" / "name" → name and port ("" when none).
std::pair<std::string, std::string> split_host(std::string_view host) {
  std::string h = lower(host);
  if (!h.empty() && h.front() == '[') {
    auto close = h.find(']');
    if (close == std::string::npos) return {h, ""};
    std::string rest = h.substr(close + 1);
    return {h.substr(0, close + 1), rest.size() > 1 && rest[0] == ':' ? rest.substr(1) : ""};
  }
  auto colon = h.rfind(':');
  if (colon == std::string::npos || h.find(':') != colon) return {h, ""};
  return {h.substr(0, colon), h.substr(colon + 1)};
}

bool is_wildcard(std::string_view host) { return host == "0.0.0.0" || host == "::" || host == "[::]" || host.empty(); }

// This server's own names as they appear in a Host header (without the port).
std::vector<std::string> own_names(const AdminGuard& guard) {
  std::vector<std::string> names = {"127.0.0.1", "localhost", "[::1]"};
  if (!is_wildcard(guard.listen_host)) names.push_back(lower(url_host(guard.listen_host)));
  return names;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string own_list(const AdminGuard& guard, std::string_view prefix = "") {
  std::string out;
  for (const auto& name : own_names(guard)) out += (out.empty() ? "" : ", ") + std::string(prefix) + name + ":" + std::to_string(guard.port);
  return out;
}

}  // namespace

bool AdminGuard::host_allowed(std::string_view host) const {
  auto [name, given_port] = split_host(host);
  std::string expected_port = std::to_string(port);
  bool port_ok = given_port == expected_port || (given_port.empty() && port == 80);
  if (port_ok && contains(own_names(*this), name)) return true;
  for (const auto& extra : hosts) {
    auto [extra_name, extra_port] = split_host(extra);
    if (extra_name == name && (extra_port.empty() || extra_port == given_port)) return true;
  }
  return false;
}

bool AdminGuard::origin_listed(std::string_view origin) const {
  std::string o = lower(origin);
  return std::any_of(origins.begin(), origins.end(), [&](const std::string& listed) { return lower(listed) == o; });
}

bool AdminGuard::origin_allowed(std::string_view origin) const {
  if (origin_listed(origin)) return true;
  std::string o = lower(origin);
  constexpr std::string_view kScheme = "http://";
  if (o.rfind(kScheme, 0) != 0) return false;  // "null", https (runmock serves no TLS), anything else
  auto [name, given_port] = split_host(std::string_view(o).substr(kScheme.size()));
  return given_port == std::to_string(port) && contains(own_names(*this), name);
}

std::optional<AdminRefusal> check_admin_request(const AdminGuard& guard, std::string_view peer, const std::optional<std::string>& host,
                                                const std::optional<std::string>& origin, const std::optional<std::string>& authorization) {
  if (!guard.remote && !is_loopback(peer)) {
    return AdminRefusal{403, "peer",
                        "the admin API (/__runmock/) answers loopback clients only, and this request came from " + std::string(peer) +
                            " (start runmock with --admin-remote and --admin-token to allow it)"};
  }
  if (host && !guard.host_allowed(*host)) {
    return AdminRefusal{403, "header",
                        "Host '" + *host + "' is not one of this runmock's names (" + own_list(guard) +
                            "): the admin API does not answer pages reached under other names (DNS rebinding); --admin-host NAME allows one"};
  }
  if (origin && !guard.origin_allowed(*origin)) {
    return AdminRefusal{403, "header",
                        "Origin '" + *origin + "' may not use the admin API: only runmock's own pages (" + own_list(guard, "http://") +
                            ") and origins given with --admin-origin may"};
  }
  if (!guard.token.empty() && authorization.value_or("") != "Bearer " + guard.token) {
    return AdminRefusal{401, "header", "the admin API wants 'Authorization: Bearer <token>' with the token runmock was started with (--admin-token)"};
  }
  return std::nullopt;
}

}  // namespace runmock::http
