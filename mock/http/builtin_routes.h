// The admin routes every server on this layer answers (serve and proxy alike):
//   GET /__runmock/health, GET|DELETE /__runmock/journal, GET|DELETE /__runmock/violations, and,
//   when the server carries out faults, GET|POST|DELETE /__runmock/faults and DELETE /__runmock/faults/{id}.
#pragma once

namespace runmock::http {

class Server;

// Registers them; called by Server's constructor.
void install_builtin_routes(Server& server);

}  // namespace runmock::http
