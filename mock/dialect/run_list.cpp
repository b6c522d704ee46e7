// Lists of runs (docs/dialects.md, "lists"): filters on the run's state, its data, its creation and
// end instants; offset or cursor paging (a cursor may be bound to the filters it was made for); the
// envelope's field names.
#include "dialect/error_shape.h"
#include "dialect/generic_dialect.h"
#include "engine/time.h"
#include "mechanisms/cursor_tag.h"
#include "mechanisms/partial_timestamp.h"

namespace runmock::dialect {

using nlohmann::json;
using http::RequestContext;
using http::Response;

namespace {

// One filter as the request gives it.
struct ActiveFilter {
  const ListSpec::Filter* spec;
  std::string text;
  std::optional<engine::Instant> instant;
};

bool keeps(const ActiveFilter& f, const engine::RunSnapshot& run) {
  using On = ListSpec::Filter::On;
  switch (f.spec->on) {
    case On::state: return true;  // the engine's states filter
    case On::data: {
      const json* value = find_pointer(run.data(), f.spec->pointer);
      return (value && value->is_string() ? value->get<std::string>() : std::string()) == f.text;
    }
    case On::created: return f.spec->from ? !(run.created_at() < *f.instant) : run.created_at() < *f.instant;
    case On::ended:
      if (!run.ended_at()) return false;
      return f.spec->from ? !(*run.ended_at() < *f.instant) : *run.ended_at() < *f.instant;
  }
  return true;
}

std::size_t count_of(const std::optional<std::string>& text, std::size_t fallback, std::optional<std::size_t> maximum) {
  if (!text) return fallback;
  try {
    std::size_t value = static_cast<std::size_t>(std::stoull(*text));
    return maximum ? std::min(value, *maximum) : value;
  } catch (const std::exception&) {
    return maximum.value_or(fallback);
  }
}

}  // namespace

// The API's own rules (its observe hook) apply to what a list shows, so a state filter sees what a
// get would.
void GenericDialect::observe_all(const Caller& caller) const {
  if (spec_.hooks.observe.empty()) return;
  engine::ListQuery all;
  all.api = spec_.api;
  all.tenant = caller.tenant;
  all.limit = static_cast<std::size_t>(-1);
  all.count_total = false;
  for (const auto& run : engine_.list(all).items) observed(run);
}

std::optional<Response> GenericDialect::list_query(RequestContext& ctx, const ListSpec& spec, const Caller& caller, engine::ListQuery& query,
                                                   std::string& tag) const {
  std::vector<ActiveFilter> active;
  std::vector<std::string> tag_values;
  for (const auto& filter : spec.filters) {
    auto value = ctx.query(filter.query);
    tag_values.push_back(value.value_or(""));
    if (!value && !filter.always) continue;
    ActiveFilter f{&filter, value.value_or(""), std::nullopt};
    if (filter.on == ListSpec::Filter::On::state) query.states = {f.text};
    if (filter.on == ListSpec::Filter::On::created || filter.on == ListSpec::Filter::On::ended) {
      f.instant = filter.partial ? mechanisms::parse_partial_timestamp(f.text) : engine::parse_timestamp(f.text);
      if (!f.instant && filter.partial && spec.bad_timestamp) return refuse_with(ctx, *spec.bad_timestamp, {{"name", filter.query}, {"value", f.text}}, "query");
      if (!f.instant) continue;
    }
    active.push_back(std::move(f));
  }
  if (spec.window_order) {
    auto from = ctx.query(spec.window_order->first), to = ctx.query(spec.window_order->second);
    auto start = from ? engine::parse_timestamp(*from) : std::nullopt, end = to ? engine::parse_timestamp(*to) : std::nullopt;
    if (start && end && *end < *start) return error_with(ctx, *spec.window_refuse, {});
  }
  observe_all(caller);
  const ConfigurationSpec& c = spec_.configurations;
  std::string scope = c.scope && c.from == ConfigurationSpec::From::path ? ctx.path_param(c.name) : "";
  bool scoped = c.scope && c.from == ConfigurationSpec::From::path;
  std::string scope_field = c.name;
  query.api = spec_.api;
  query.tenant = caller.tenant;
  query.filter = [active, scoped, scope, scope_field](const engine::RunSnapshot& run) {
    if (scoped && run.data().value(scope_field, "") != scope) return false;
    for (const auto& f : active) {
      if (!keeps(f, run)) return false;
    }
    return true;
  };
  query.newest_first = spec.newest_first;
  query.limit = count_of(ctx.query(spec.limit_query), spec.limit_default, spec.limit_maximum);
  if (spec.paging == ListSpec::Paging::offset) query.offset = count_of(ctx.query(spec.offset_query), 0, std::nullopt);
  query.count_total = !spec.envelope_total.empty() || (!spec.total_query.empty() && ctx.query(spec.total_query).value_or("false") == "true");
  if (spec.paging == ListSpec::Paging::cursor) {
    if (spec.cursor_bound) tag = mechanisms::cursor_tag(tag_values);
    if (auto cursor = ctx.query(spec.cursor_query)) {
      if (!spec.cursor_bound) {
        query.cursor = *cursor;
      } else if (auto unbound = mechanisms::unbind_cursor(tag, *cursor)) {
        query.cursor = *unbound;
      } else {
        return error_with(ctx, *spec.wrong_filters, {});
      }
    }
  }
  return std::nullopt;
}

Response GenericDialect::list(RequestContext& ctx) {
  const std::string& op = ctx.operation()->id;
  auto admitted = admission_.admit(ctx, op, false);
  if (auto* refusal = std::get_if<Response>(&admitted)) return std::move(*refusal);
  if (const auto& violations = ctx.check_request(); !violations.empty()) return bad_request(ctx, spec_.errors, violations);
  const Caller& caller = std::get<Caller>(admitted);
  const ListSpec& spec = spec_.lists.at(op);
  engine::ListQuery query;
  std::string tag;
  if (auto refusal = list_query(ctx, spec, caller, query, tag)) return std::move(*refusal);
  auto page = engine_.list(query);
  if (page.bad_cursor && spec.bad_cursor) return spec.bad_cursor->in.empty() ? error_with(ctx, *spec.bad_cursor, {}) : refuse_with(ctx, *spec.bad_cursor, {}, "query");
  json items = json::array();
  for (const auto& run : page.items) items.push_back(render(spec.item, run));
  if (spec.items.empty()) return Response::json(200, std::move(items));  // the answer is the bare array
  json body = {{spec.items, std::move(items)}};
  if (!spec.envelope_total.empty()) body[spec.envelope_total] = page.total;
  if (!spec.envelope_limit.empty()) body[spec.envelope_limit] = query.limit;
  if (!spec.envelope_offset.empty()) body[spec.envelope_offset] = query.offset;
  if (!page.next_cursor.empty() && !spec.cursor_out.empty()) body[spec.cursor_out] = spec.cursor_bound ? mechanisms::bind_cursor(tag, page.next_cursor) : page.next_cursor;
  if (!spec.total_out.empty() && query.count_total) body[spec.total_out] = page.total;
  return Response::json(200, std::move(body));
}

}  // namespace runmock::dialect
