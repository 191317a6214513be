// The sanitizer options a case program runs with. Options that decide whether a report is
// made, printed, sent to the harness, readable, or reflected in the exit status are racebook's:
// they are written last in every *_OPTIONS variable the runtimes read (a flag given twice takes
// its last value), so no user setting, `include=` file or compiled-in default can turn a report
// into a clean verdict. Every other option of the user's passes through, before racebook's.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace racebook {

struct SanitizerOptions {
  // TSAN_OPTIONS, ASAN_OPTIONS, LSAN_OPTIONS, UBSAN_OPTIONS as the child gets them.
  std::map<std::string, std::string> env;
  // One line per user setting racebook overrode: "TSAN_OPTIONS: report_bugs=0 -> report_bugs=1".
  std::vector<std::string> overridden;
};

// `current` is the environment holding the user's options (normally the process's own).
// Throws std::invalid_argument, naming the variable, for a user string the runtimes would stop
// on before reading racebook's options (an unterminated quote, a flag without a value), for
// include= / include_if_exists= (a file racebook cannot check), and for stack_trace_format.
SanitizerOptions sanitizer_options(const std::map<std::string, std::string>& current);

// The user's options string split as the runtimes' flag parser splits it: on ':', ',', spaces,
// tabs, carriage returns and newlines, with '...' or "..." quoting a value. Pairs in order.
std::vector<std::pair<std::string, std::string>> split_sanitizer_flags(const std::string& text,
                                                                       const std::string& variable);

}  // namespace racebook
