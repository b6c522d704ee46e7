// One route's handler run for one request: the request checked against the route's operation as
// RouteOptions asks (recorded, or refused before the handler), the handler called (an exception
// becomes a 500 in the dialect's shape), and a JSON answer checked against the operation's
// response schema for its status — a contract-breaking answer becomes a 500 that names the
// violations and where the answer came from. Fills the exchange's journal entry.
#pragma once

#include <memory>
#include <string>

#include "faults/fault.h"
#include "http/context.h"
#include "http/journal.h"
#include "http/server.h"

namespace runmock::http {

struct RouteRun {
  const Handler& handler;
  const RouteOptions& options;
  const Dialect& dialect;
  const std::string& pattern;
  std::size_t max_json_depth;
};

// `phase_fault` receives the fault of the scenario phase the answer shows (RequestContext::fault).
Response run_route(const RouteRun& route, RequestData data, PathParams params, JournalEntry& entry, std::shared_ptr<const faults::Fault>& phase_fault);

}  // namespace runmock::http
