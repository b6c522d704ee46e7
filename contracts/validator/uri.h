// URI references as JSON Schema uses them (RFC 3986): resolving `$id` and `$ref` against a base,
// and splitting off the fragment that names a place inside a schema resource.
#pragma once

#include <string>
#include <string_view>

namespace runmock::schema {

// Resolves `reference` against the absolute URI `base` (RFC 3986 section 5.2, with dot-segment
// removal). An empty fragment ("x#") is dropped, since it names the same resource as "x".
std::string resolve_uri(std::string_view base, std::string_view reference);

// The URI without its fragment, and the fragment (without '#'; empty when there is none).
struct UriParts {
  std::string_view resource;
  std::string_view fragment;
};
UriParts split_fragment(std::string_view uri);

// Decodes %XX escapes (fragments of `$ref` are percent-encoded JSON pointers or anchor names).
std::string percent_decode(std::string_view text);

// True when `uri` has a scheme, i.e. is absolute and needs no base.
bool has_scheme(std::string_view uri);

}  // namespace runmock::schema
