// Small network helpers: which peers count as loopback, how a host goes into a URL.
#pragma once

#include <string>
#include <string_view>

namespace runmock::http {

// True for 127.0.0.0/8, ::1 and IPv4-mapped loopback (::ffff:127.0.0.1). Anything that does not
// parse as an IP address is not loopback.
bool is_loopback(std::string_view address);

// The host as it goes into a URL: IPv6 literals in brackets ("::1" → "[::1]"), others unchanged.
std::string url_host(std::string_view host);

}  // namespace runmock::http
