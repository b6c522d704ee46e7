// Guessing a lifecycle from the state words (see lifecycle_draft.h).
#include "import/lifecycle_draft.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "import/import_error.h"

namespace runmock::import {
namespace {

using nlohmann::ordered_json;

struct ClassWords {
  StateClass kind;
  std::set<std::string> words;
};

// In the order they are tried: "cancelling" before "cancelled", failures before successes
// ("completed_with_errors" failed), waiting before active ("not_started").
const std::vector<ClassWords>& class_words() {
  static const std::vector<ClassWords> kWords = {
      {StateClass::cancelling, {"cancelling", "canceling", "stopping", "terminating", "aborting", "cancelrequested"}},
      {StateClass::cancelled, {"cancelled", "canceled", "cancel", "stopped", "aborted", "terminated", "revoked", "killed", "withdrawn"}},
      {StateClass::failed, {"failed", "failure", "fail", "failing", "error", "errored", "errors", "crashed", "timeout", "timedout", "expired", "rejected",
                            "preempted", "lost", "broken", "dead", "invalid", "unsuccessful"}},
      {StateClass::succeeded, {"succeeded", "success", "successful", "succeed", "complete", "completed", "done", "finished", "ok", "passed", "ended"}},
      {StateClass::waiting, {"pending", "queued", "queue", "created", "submitted", "scheduled", "accepted", "waiting", "requested", "received",
                             "enqueued", "registered", "initial", "new", "not", "idle", "ready", "open", "init", "wait"}},
      {StateClass::active, {"running", "run", "progress", "processing", "executing", "started", "starting", "active", "initializing",
                            "initialising", "preparing", "provisioning", "paused", "suspended", "retrying", "working", "busy", "deploying",
                            "building", "uploading", "downloading", "validating", "resuming", "hold", "blocked"}},
  };
  return kWords;
}

// "EXECUTOR_ERROR" → {executor, error}; "InProgress" → {in, progress}; "cancel-requested" also
// gives the joined "cancelrequested".
std::vector<std::string> tokens_of(const std::string& word) {
  std::vector<std::string> out;
  std::string current, joined;
  for (std::size_t i = 0; i < word.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(word[i]);
    const bool boundary = std::isupper(c) && i > 0 && std::islower(static_cast<unsigned char>(word[i - 1]));
    if (!std::isalnum(c) || boundary) {
      if (!current.empty()) out.push_back(current);
      current.clear();
      if (!std::isalnum(c)) continue;
    }
    current.push_back(static_cast<char>(std::tolower(c)));
    joined.push_back(static_cast<char>(std::tolower(c)));
  }
  if (!current.empty()) out.push_back(current);
  if (out.size() > 1) out.push_back(joined);
  return out;
}

bool terminal(StateClass kind) { return kind == StateClass::succeeded || kind == StateClass::failed || kind == StateClass::cancelled; }

std::vector<std::string> of_class(const std::vector<StateWord>& states, std::initializer_list<StateClass> kinds) {
  std::vector<std::string> out;
  for (const auto& s : states) {
    if (std::find(kinds.begin(), kinds.end(), s.kind) != kinds.end()) out.push_back(s.word);
  }
  return out;
}

std::string first_of(const std::vector<StateWord>& states, StateClass kind, const std::string& preferred_token = "") {
  for (const auto& s : states) {
    auto tokens = tokens_of(s.word);
    if (s.kind == kind && !preferred_token.empty() && std::find(tokens.begin(), tokens.end(), preferred_token) != tokens.end()) return s.word;
  }
  for (const auto& s : states) {
    if (s.kind == kind) return s.word;
  }
  return "";
}

std::vector<std::string> successors(const StateWord& from, const std::vector<StateWord>& states) {
  using K = StateClass;
  if (terminal(from.kind)) return {};
  if (from.kind == K::cancelling) return of_class(states, {K::cancelled, K::succeeded, K::failed});
  std::vector<std::string> out;
  for (const auto& to : states) {
    if (to.word != from.word && (from.kind == K::waiting || to.kind != K::waiting)) out.push_back(to.word);
  }
  return out;
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out.empty() ? "none" : out;
}

ordered_json build_document(const std::string& api, const std::string& state_pointer, const std::string& id_pointer, const LifecycleDraft& d) {
  ordered_json states = ordered_json::object(), transitions = ordered_json::object();
  for (const auto& s : d.states) {
    states[s.word] = {{"terminal", terminal(s.kind)},
                      {"description", std::string("Guessed ") + class_name(s.kind) + (s.recognised ? " from the word." : ": the word says nothing runmock knows.")},
                      {"present", ordered_json::array({id_pointer})}};
    transitions[s.word] = successors(s, d.states);
  }
  return {{"api", api},
          {"draft", true},
          {"resource", "run"},
          {"description", "Guessed by runmock import-openapi from the state words alone: check the initial, terminal and active states and the transitions, then remove \"draft\"."},
          {"state_pointer", state_pointer},
          {"initial", d.initial},
          {"states", states},
          {"transitions", transitions}};
}

}  // namespace

const char* class_name(StateClass kind) {
  switch (kind) {
    case StateClass::waiting: return "waiting (initial)";
    case StateClass::active: return "active";
    case StateClass::cancelling: return "cancelling";
    case StateClass::succeeded: return "succeeded (terminal)";
    case StateClass::failed: return "failed (terminal)";
    case StateClass::cancelled: return "cancelled (terminal)";
  }
  return "";
}

StateWord classify_state(const std::string& word) {
  const auto tokens = tokens_of(word);
  for (const auto& cls : class_words()) {
    for (const auto& token : tokens) {
      if (cls.words.count(token)) return {word, cls.kind, true};
    }
  }
  return {word, StateClass::active, false};
}

LifecycleDraft draft_lifecycle(const std::string& api, const std::string& state_pointer, const std::string& id_pointer,
                               const std::vector<std::string>& words, Notes& notes) {
  LifecycleDraft d;
  for (const auto& w : words) {
    if (std::none_of(d.states.begin(), d.states.end(), [&](const StateWord& s) { return s.word == w; })) d.states.push_back(classify_state(w));
  }
  d.initial = of_class(d.states, {StateClass::waiting});
  if (d.initial.empty()) d.initial = of_class(d.states, {StateClass::active});
  if (d.initial.empty()) throw ImportError("the states (" + joined(words) + ") have none a run could start in", kExitNoRoles);
  if (of_class(d.states, {StateClass::succeeded, StateClass::failed, StateClass::cancelled}).empty()) {
    throw ImportError("the states (" + joined(words) + ") have none that ends a run (no word like completed, failed, cancelled)", kExitNoRoles);
  }
  d.first = first_of(d.states, StateClass::waiting, "queued");
  if (d.first.empty()) d.first = d.initial.front();
  d.running = first_of(d.states, StateClass::active, "running");
  if (d.running == d.first) d.running.clear();
  d.succeeded = first_of(d.states, StateClass::succeeded);
  d.failed = first_of(d.states, StateClass::failed);
  d.cancelling = first_of(d.states, StateClass::cancelling);
  d.cancelled = first_of(d.states, StateClass::cancelled);
  for (const auto& s : d.states) {
    if (!s.recognised) notes.cannot("state '" + s.word + "': no word runmock knows; guessed active (not terminal)");
  }
  notes.guess("lifecycle (draft): initial " + joined(d.initial) + "; terminal " +
              joined(of_class(d.states, {StateClass::succeeded, StateClass::failed, StateClass::cancelled})) + "; active " +
              joined(of_class(d.states, {StateClass::active, StateClass::cancelling})));
  d.document = build_document(api, state_pointer, id_pointer, d);
  return d;
}

}  // namespace runmock::import
