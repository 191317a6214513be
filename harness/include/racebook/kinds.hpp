// The report kinds an expectation may name, and how many marked lines each needs. The slugs are
// the ones the parser gives (harness/src/classify.cpp), taken from the runtimes' own words.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace racebook {

struct KindInfo {
  std::string_view slug;       // "data-race"
  std::string_view tool;       // "ThreadSanitizer", ...
  int min_markers;             // how many @markers an expectation of this kind names
  int max_markers;             // -1: no upper bound (a lock cycle of any length)
  std::string_view markers;    // what they point at, for messages: "the two accesses"
};

// The kind, or nullptr when the slug is not one racebook knows.
const KindInfo* find_kind(std::string_view slug);

// Every known kind, in a stable order: by tool and number of markers, then by what they
// point at, each in the order the runtime documents them.
const std::vector<KindInfo>& known_kinds();

// "data-race, data-race-vptr, thread-leak, ..." for messages.
std::string known_kind_list();

}  // namespace racebook
