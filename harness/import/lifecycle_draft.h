// A draft lifecycle.json from the state words alone. Each word is put in one class by the words
// it is made of (EXECUTOR_ERROR → executor, error; InProgress → in, progress):
//   waiting    pending queued created submitted scheduled accepted waiting new ...   (initial)
//   active     running processing executing started initializing paused ...
//   cancelling cancelling canceling stopping terminating aborting
//   succeeded  succeeded success complete completed done finished ...            (terminal)
//   failed     failed failure error crashed timeout expired rejected preempted ... (terminal)
//   cancelled  cancelled canceled stopped aborted terminated revoked killed       (terminal)
// A word of no class is guessed active (and said so). The transitions are permissive: a waiting
// state may move to any other state, an active one to any state but a waiting one, cancelling to
// a terminal state, a terminal state nowhere. Every state requires the run's id field. The
// document says "draft": true.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "import/notes.h"

namespace runmock::import {

enum class StateClass { waiting, active, cancelling, succeeded, failed, cancelled };

struct StateWord {
  std::string word;
  StateClass kind = StateClass::active;
  bool recognised = false;
};

// The class of one state word.
StateWord classify_state(const std::string& word);

struct LifecycleDraft {
  std::vector<StateWord> states;
  std::vector<std::string> initial;
  // The states the scenarios walk through ("" when the API has none of that class).
  std::string first, running, succeeded, failed, cancelling, cancelled;
  nlohmann::ordered_json document;
};

// Throws ImportError (exit 1) when the words leave no state to start in or none to end in.
LifecycleDraft draft_lifecycle(const std::string& api, const std::string& state_pointer, const std::string& id_pointer,
                               const std::vector<std::string>& words, Notes& notes);

const char* class_name(StateClass kind);

}  // namespace runmock::import
