// Partial ISO 8601 timestamps, as amperity's list filters take them: a prefix of
// "YYYY-MM-DDThh:mm:ss" names the first instant of the period it spells out.
//
//   2024                  → 2024-01-01T00:00:00Z
//   2024-06               → 2024-06-01T00:00:00Z
//   2024-06-03            → 2024-06-03T00:00:00Z
//   2024-06-03T10         → 2024-06-03T10:00:00Z
//   2024-06-03T10:30      → 2024-06-03T10:30:00Z
//   2024-06-03T10:30:15.5 → the full form (RFC 3339, fraction allowed)
//
// Each may end with one UTC designator: "Z", "+00:00" or "+0000"; no other offset. Configuration:
// none.
#pragma once

#include <optional>
#include <string>

#include "engine/time.h"

namespace runmock::mechanisms {

// The first instant `text` names (see above); nullopt when it is none of those forms or not a
// valid date and time.
std::optional<engine::Instant> parse_partial_timestamp(const std::string& text);

}  // namespace runmock::mechanisms
