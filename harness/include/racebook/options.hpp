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

// ---- Valgrind (the detectors helgrind and drd) ----
//
// Valgrind reads options from ~/.valgrindrc, $VALGRIND_OPTS and ./.valgrindrc (in that order,
// before its command line; coregrind/m_commandline.c), where an --xml=yes, --log-file=,
// --suppressions=, -q or --tool= would hide every report from racebook. So racebook runs it with
// --command-line-only=yes (it then reads none of them) and puts the user's options from those
// three places on the command line itself, after checking each: the ones that decide whether a
// report is made, printed, sent to the harness, readable, or reflected in the exit status are
// racebook's, written after the user's (the last one given counts), and the few that cannot be
// undone by a later option are refused. Everything else passes through.
namespace racebook {

struct ValgrindUserOptions {
  // The texts of the three sources, split by Valgrind at whitespace; empty when absent.
  std::string home_rc, env, cwd_rc;
  std::string home_rc_path, cwd_rc_path;  // where the files were read (for messages)
};

// Reads ~/.valgrindrc ($HOME from `env`), $VALGRIND_OPTS and ./.valgrindrc as Valgrind would
// (./.valgrindrc not when the working directory is $HOME).
ValgrindUserOptions read_valgrind_user_options(const std::map<std::string, std::string>& env);

struct ValgrindOptions {
  // Valgrind's arguments before the program: --tool=..., --command-line-only=yes, the user's
  // options, racebook's.
  std::vector<std::string> args;
  // Environment variables the child must not get: VALGRIND_OPTS (already on the command line)
  // and VALGRIND_LIB (would load the tool from another directory).
  std::vector<std::string> unset_env;
  // One line per user setting racebook overrode or dropped, naming where it came from.
  std::vector<std::string> overridden;
};

// `tool` is "helgrind" or "drd". Throws std::invalid_argument, naming the option and where it
// came from, for an option racebook cannot let through (see options.cpp).
ValgrindOptions valgrind_options(const std::string& tool, const ValgrindUserOptions& user,
                                 const std::map<std::string, std::string>& env = {});

// Whether a run's output shows that Valgrind itself failed, or that its reports may not all
// have reached racebook: "" when the output is whole, else the reason (one line, with
// Valgrind's own words). `tool` is "helgrind" or "drd"; `finished` is whether the program ran
// to its end (exited or died of a signal, not killed by the time limit).
std::string valgrind_trouble(const std::string& log, const std::string& tool, bool finished);

}  // namespace racebook
