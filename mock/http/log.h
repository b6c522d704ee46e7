// The server's stdout: the listening line first, then one line per request (text or JSON).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "http/journal.h"

namespace runmock::http {

enum class LogFormat { text, json, off };

// "text", "json" or "off"; nullopt for anything else.
std::optional<LogFormat> parse_log_format(std::string_view name);

// Exactly "<name> listening on http://HOST:PORT" (IPv6 hosts in brackets).
std::string listening_line(std::string_view host, int port, std::string_view name = "runmock");

// One request as a log line (without the newline); empty for LogFormat::off.
// text: `req-000001 GET /path?q 200 0.42ms api=emergence run=- scenario=- verdict=valid`, then
//       ` message="..."` (a JSON string) when the request was refused
//       (control characters and spaces in the target are percent-encoded, so a line stays a line)
// json: {"time", "request_id", "method", "path", "query", "status", "ms", "api", "run", "scenario", "verdict", "message"}
std::string format_log_line(const JournalEntry& entry, LogFormat format);

}  // namespace runmock::http
