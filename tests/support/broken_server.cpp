// A test double for `runmock verify`: an emergence server that breaks the contract on purpose, in
// ways verify must name precisely. It accepts any create (even an invalid body) with 201, ignores
// tenants, and answers each poll of a run in turn with: a run missing the required `workflow_name`, a
// completed run whose `duration_seconds` is a string, then the run running again. Cancel and
// errors are correct. Prints "broken server listening on http://127.0.0.1:PORT" on start.
#include <httplib.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

namespace {

using nlohmann::json;

constexpr const char* kStartedAt = "2026-01-15T10:30:00Z";
constexpr const char* kCompletedAt = "2026-01-15T10:30:12Z";

struct BrokenRun {
  std::string configuration_id;
  int polls = 0;
  bool cancelled = false;
};

json error_body(int status, const std::string& code, const std::string& message) {
  return {{"error", {{"code", code}, {"message", message}, {"status", status}, {"details", nullptr}, {"request_id", "req-broken"}, {"trace_id", nullptr}}}};
}

void reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

json detail(const std::string& id, const BrokenRun& run) {
  json body = {{"id", id},
               {"configuration_id", run.configuration_id},
               {"status", "running"},
               {"workflow_name", "Broken"},
               {"workflow_type", "generate-pii-tags"},
               {"asset_fqn", nullptr},
               {"started_at", kStartedAt},
               {"completed_at", nullptr},
               {"service_name", nullptr},
               {"database_name", nullptr},
               {"schema_name", nullptr},
               {"table_name", nullptr},
               {"duration_seconds", nullptr},
               {"error_message", nullptr},
               {"input", json::object()},
               {"output", json::object()},
               {"tasks", json::array()}};
  if (run.cancelled) {
    body["status"] = "cancelled";
    body["completed_at"] = kCompletedAt;
    body["duration_seconds"] = 12.0;
  } else if (run.polls == 1) {
    body.erase("workflow_name");
  } else if (run.polls == 2) {
    body["status"] = "completed";
    body["completed_at"] = kCompletedAt;
    body["duration_seconds"] = "12";
  }
  return body;
}

// Emergence's auth: a Bearer JWT (three dot-separated parts), else 401.
bool authorized(const httplib::Request& req, httplib::Response& res) {
  std::string authorization = req.get_header_value("Authorization");
  std::string token = authorization.rfind("Bearer ", 0) == 0 ? authorization.substr(7) : "";
  if (std::count(token.begin(), token.end(), '.') == 2 && token.find('%') == std::string::npos) return true;
  reply(res, 401, error_body(401, "INVALID_TOKEN", "Authorization: a Bearer JWT is required"));
  return false;
}

}  // namespace

int main() {
  std::mutex mutex;
  std::map<std::string, BrokenRun> runs;
  int next_id = 0;
  httplib::Server server;
  const std::string runs_path = R"(/api/data-readiness/workflows/([^/]+)/runs)";

  server.Post(runs_path, [&](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    std::lock_guard lock(mutex);
    char id[40];
    std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012d", ++next_id);
    runs[id] = {req.matches[1], 0, false};
    reply(res, 201, {{"id", id}, {"configuration_id", req.matches[1]}, {"status", "pending"}, {"started_at", kStartedAt}, {"asset_fqn", nullptr}, {"save_all", true}});
  });
  server.Get(runs_path, [&](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    std::lock_guard lock(mutex);
    json items = json::array();
    for (const auto& [id, run] : runs) {
      if (run.configuration_id != req.matches[1]) continue;
      json item = detail(id, {run.configuration_id, 0, run.cancelled});
      for (const char* key : {"input", "output", "tasks"}) item.erase(key);
      items.push_back(item);
    }
    reply(res, 200, {{"items", items}, {"total", items.size()}, {"limit", 50}, {"offset", 0}});
  });
  server.Get(runs_path + "/([^/]+)", [&](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    std::lock_guard lock(mutex);
    auto it = runs.find(req.matches[2]);
    if (it == runs.end()) return reply(res, 404, error_body(404, "RESOURCE_NOT_FOUND", "no such run"));
    ++it->second.polls;
    reply(res, 200, detail(it->first, it->second));
  });
  server.Post(runs_path + "/([^/]+)/cancel", [&](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    std::lock_guard lock(mutex);
    auto it = runs.find(req.matches[2]);
    if (it == runs.end()) return reply(res, 404, error_body(404, "RESOURCE_NOT_FOUND", "no such run"));
    if (it->second.cancelled) return reply(res, 409, error_body(409, "RUN_ALREADY_TERMINAL", "the run is already cancelled"));
    it->second.cancelled = true;
    reply(res, 200, detail(it->first, it->second));
  });

  int port = server.bind_to_any_port("127.0.0.1");
  if (port <= 0) {
    std::fprintf(stderr, "broken server: cannot bind a loopback port\n");
    return 2;
  }
  std::printf("broken server listening on http://127.0.0.1:%d\nbroken server speaks emergence and breaks its contract\n", port);
  std::fflush(stdout);
  server.listen_after_bind();
  return 0;
}
