// Who may use the admin API (/__runmock/): the developer's own tools, never another web page.
// A page the developer merely visits can send a cross-origin "simple" request (a form post, a
// fetch with text/plain) without any preflight, and a DNS-rebinding page reaches loopback under a
// foreign host name; both would wipe, seed or read the mock. So an admin request is refused when:
//   1. its peer is not loopback (unless `remote`, which needs a token);
//   2. its Host is not one of this server's own names: the listening address, a loopback name
//      (127.0.0.1, localhost, [::1]) with the listening port, or a name given with --admin-host;
//   3. it carries an Origin other than this server's own (its own names, as http:// origins) or one
//      given with --admin-origin; `Origin: null` is refused too. No Origin (curl, scripts) is fine;
//   4. a token is set and it does not carry `Authorization: Bearer <token>` (401).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace runmock::http {

struct AdminGuard {
  std::string listen_host;  // as bound ("127.0.0.1", "0.0.0.0", "::1" ...)
  int port = 0;
  std::vector<std::string> origins;  // --admin-origin
  std::vector<std::string> hosts;    // --admin-host (names, with or without a port)
  std::string token;                 // --admin-token
  bool remote = false;               // --admin-remote

  // A Host header value this server answers to.
  bool host_allowed(std::string_view host) const;
  // An Origin allowed to call the admin API (its own pages, and the listed ones).
  bool origin_allowed(std::string_view origin) const;
  // An Origin given with --admin-origin (the only ones that get CORS headers).
  bool origin_listed(std::string_view origin) const;
};

struct AdminRefusal {
  int status = 403;
  std::string in;  // "peer", "header"
  std::string message;
};

// Why the admin API refuses this request, if it does. `host` and `origin` are the headers' values
// (nullopt when absent), `authorization` likewise.
std::optional<AdminRefusal> check_admin_request(const AdminGuard& guard, std::string_view peer, const std::optional<std::string>& host,
                                                const std::optional<std::string>& origin, const std::optional<std::string>& authorization);

}  // namespace runmock::http
