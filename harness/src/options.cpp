#include "racebook/options.hpp"

#include <unistd.h>

#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace racebook {
namespace {

struct Forced {
  const char* flag;
  const char* value;
};

// Common flags (sanitizer_flags.inc) that every runtime's parser accepts in each of its
// variables: ASan's runtime lets LSAN_OPTIONS and UBSAN_OPTIONS set them too, and TSan's lets
// UBSAN_OPTIONS, so they are forced in all four.
constexpr Forced kCommon[] = {
    {"log_path", "stderr"},        // reports go to the stream the harness reads
    {"log_to_syslog", "0"},
    {"log_exe_name", "0"},
    {"color", "never"},            // ANSI codes would split the lines the parser reads
    {"exitcode", "66"},
    {"abort_on_error", "0"},
    {"help", "0"},
    {"print_summary", "1"},        // gcc's libubsan defaults to 0
    {"symbolize", "1"},            // frames need file and line to match markers
    {"symbolize_inline_frames", "1"},
    {"symbolize_vs_style", "0"},
    {"strip_path_prefix", ""},
    {"detect_deadlocks", "1"},
    {"detect_leaks", "1"},
    {"leak_check_at_exit", "1"},
    {"allocator_may_return_null", "0"},  // else a bad allocation returns NULL, unreported
    {"handle_segv", "1"},
    {"handle_sigbus", "1"},
    {"handle_sigfpe", "1"},
    // The interceptors' range checks are how TSan and ASan see libc's accesses.
    {"check_printf", "1"},
    {"strict_memcmp", "1"},
    {"intercept_strlen", "1"},
    {"intercept_strchr", "1"},
    {"intercept_strndup", "1"},
    {"intercept_strcmp", "1"},
    {"intercept_strstr", "1"},
    {"intercept_strspn", "1"},
    {"intercept_strpbrk", "1"},
    {"intercept_strtok", "1"},
    {"intercept_memcmp", "1"},
    {"intercept_memmem", "1"},
    {"intercept_intrin", "1"},
    {"intercept_stat", "1"},
    {"intercept_send", "1"},
};

// Per runtime (tsan_flags.inc, asan_flags.inc, lsan_flags.inc, ubsan_flags.inc), with the
// value racebook's verdicts are made with.
constexpr Forced kTsan[] = {
    {"suppressions", ""},          // no report may be suppressed
    {"report_bugs", "1"},
    {"report_thread_leaks", "1"},
    {"report_destroy_locked", "1"},
    {"report_mutex_bugs", "1"},
    {"report_signal_unsafe", "1"},
    {"report_atomic_races", "1"},
    {"halt_on_error", "0"},        // every report of the run, not only the first
    {"force_seq_cst_atomics", "0"},  // would add synchronisation that hides races
    {"io_sync", "1"},              // 2 synchronises all I/O, which hides races
    {"ignore_noninstrumented_modules", "0"},
    {"ignore_interceptors_accesses", "0"},
    {"flush_memory_ms", "0"},      // flushing the shadow forgets accesses
    {"memory_limit_mb", "0"},
    {"stop_on_start", "0"},
    {"die_after_fork", "1"},
    {"second_deadlock_stack", "1"},
    // racebook's verdicts are made without the at-exit sleep: a variant joins its threads.
    {"atexit_sleep_ms", "0"},
};

constexpr Forced kAsan[] = {
    {"suppressions", ""},
    {"halt_on_error", "1"},        // with -fsanitize-recover=address, 0 would exit 0
    {"start_deactivated", "0"},
    {"detect_stack_use_after_return", "1"},
    {"detect_odr_violation", "2"},
    {"detect_container_overflow", "1"},
    {"alloc_dealloc_mismatch", "1"},
    {"new_delete_type_mismatch", "1"},
    {"poison_heap", "1"},
    {"poison_partial", "1"},
    {"poison_array_cookie", "1"},
    {"allow_user_poisoning", "1"},
    {"replace_str", "1"},
    {"replace_intrin", "1"},
    {"report_globals", "1"},
    {"check_malloc_usable_size", "1"},
    {"quarantine_size", "-1"},     // a small quarantine misses use-after-free
    {"quarantine_size_mb", "-1"},
};

constexpr Forced kLsan[] = {
    {"suppressions", ""},
    {"use_unaligned", "0"},        // more roots would hide leaks
    {"use_poisoned", "0"},
};

constexpr Forced kUbsan[] = {
    {"suppressions", ""},
    {"halt_on_error", "0"},
    {"print_stacktrace", "1"},
    {"report_error_type", "0"},
    {"silence_unsigned_overflow", "0"},
};

// racebook's defaults that a user may change: they go before the user's options.
// history_size=7 (the most) keeps the earlier access of a race in the runtime's trace: clang
// 14's runtime silently drops a race whose earlier stack it cannot restore (measured on
// counter_race: 12 of 20 runs reported at the default, 100 of 100 at 7), and gcc 12's prints
// "[failed to restore the stack]" instead of the marked line.
constexpr Forced kTsanDefaults[] = {
    {"history_size", "7"},
};

template <std::size_t N>
void add(std::vector<Forced>& out, const Forced (&table)[N]) {
  out.insert(out.end(), table, table + N);
}

std::vector<Forced> forced_for(const std::string& variable) {
  std::vector<Forced> out;
  add(out, kCommon);
  if (variable == "TSAN_OPTIONS") add(out, kTsan);
  if (variable == "ASAN_OPTIONS") add(out, kAsan);
  if (variable == "LSAN_OPTIONS") add(out, kLsan);
  if (variable == "UBSAN_OPTIONS") add(out, kUbsan);
  return out;
}

bool is_separator(char c) {
  return c == ':' || c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

}  // namespace

std::vector<std::pair<std::string, std::string>> split_sanitizer_flags(const std::string& text,
                                                                       const std::string& variable) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_separator(text[i])) ++i;
    if (i >= text.size()) break;
    std::size_t start = i;
    while (i < text.size() && text[i] != '=' && !is_separator(text[i])) ++i;
    std::string name = text.substr(start, i - start);
    std::string value;
    if (i < text.size() && text[i] == '=') {
      ++i;
      if (i < text.size() && (text[i] == '\'' || text[i] == '"')) {
        const char quote = text[i++];
        start = i;
        while (i < text.size() && text[i] != quote) ++i;
        if (i >= text.size()) {
          // The runtime would take the rest of the string, racebook's options included, as
          // this value, and then stop with a parse error.
          throw std::invalid_argument(variable + " has an unterminated " + std::string(1, quote) +
                                      " quote in " + name + "=...; close the quote");
        }
        value = text.substr(start, i - start);
        ++i;
      } else {
        start = i;
        while (i < text.size() && !is_separator(text[i])) ++i;
        value = text.substr(start, i - start);
      }
    } else {
      // The runtime stops at a flag without a value, before it reads racebook's options.
      throw std::invalid_argument(variable + " has \"" + name + "\" without a value; write " +
                                  name + "=<value>, and quote a value with spaces or colons "
                                  "in it (log_path='/my dir/log')");
    }
    out.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

SanitizerOptions sanitizer_options(const std::map<std::string, std::string>& current) {
  SanitizerOptions result;
  for (const char* variable : {"TSAN_OPTIONS", "ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS"}) {
    const auto forced = forced_for(variable);
    std::string user;
    if (auto it = current.find(variable); it != current.end()) user = it->second;
    // What the user's string sets last for each flag, as the runtime would read it.
    std::map<std::string, std::string> user_sets;
    for (auto& [name, value] : split_sanitizer_flags(user, variable)) {
      user_sets[name] = value;
      if (name == "include" || name == "include_if_exists") {
        // An included file is parsed before racebook's options, and a mistake in it stops the
        // runtime there, before racebook's options are read.
        throw std::invalid_argument(std::string(variable) + " has " + name + "=" + value +
                                    ": racebook cannot check options it does not see; write "
                                    "them into " + variable + " itself");
      }
      if (name == "stack_trace_format") {
        throw std::invalid_argument(std::string(variable) + " sets stack_trace_format: racebook "
                                    "reads the runtimes' own frame format; leave it unset");
      }
    }
    std::string value;
    if (std::string(variable) == "TSAN_OPTIONS") {
      for (const auto& d : kTsanDefaults) {
        value += (value.empty() ? "" : ":") + std::string(d.flag) + "=" + d.value;
      }
    }
    if (!user.empty()) value += (value.empty() ? "" : ":") + user;
    for (const auto& f : forced) {
      value += (value.empty() ? "" : ":") + std::string(f.flag) + "=" + f.value;
      if (auto it = user_sets.find(f.flag); it != user_sets.end() && it->second != f.value) {
        result.overridden.push_back(std::string(variable) + ": " + f.flag + "=" + it->second +
                                    " overridden by " + f.flag + "=" + f.value);
      }
    }
    result.env[variable] = value;
  }
  return result;
}

// ---- Valgrind ----

namespace {

struct VgForced {
  const char* option;  // "--name"
  const char* value;
};

// Valgrind's core options (coregrind/m_main.c) that decide whether a report reaches racebook
// readable and whole, with racebook's value. The last one given counts, so these go last.
constexpr VgForced kVgCommon[] = {
    {"--error-exitcode", "66"},         // "reports found" in the exit status, as TSAN_OPTIONS
    {"--error-limit", "no"},            // else it stops after 1000 contexts / 10M errors
    {"--exit-on-first-error", "no"},    // every report of the run
    {"--xml", "no"},                    // --xml=yes prints no text report at all
    {"--log-fd", "2"},                  // overrides --log-file= and --log-socket= too
    {"--time-stamp", "no"},             // would prefix every line the parser reads
    {"--show-error-list", "no"},        // -s / =yes prints every report a second time
    {"--gen-suppressions", "no"},       // would interleave suppression text and ask on stdin
    {"--vgdb", "no"},                   // --vgdb-error=0 would wait for a debugger for ever
    {"--wait-for-gdb", "no"},
    {"--fullpath-after", ""},           // frames name full paths, as the markers are matched
    {"--num-callers", "50"},            // the default 12 frames often end inside libstdc++
                                        // (std::promise, std::thread) before the case's own line
    {"--child-silent-after-fork", "no"},  // yes hides every report of a forked child
};

// Per tool (helgrind/hg_main.c, drd/drd_main.c): the checks racebook's verdicts are made with.
constexpr VgForced kVgHelgrind[] = {
    {"--track-lockorders", "yes"},      // no would silence every lock-order report
    {"--history-level", "full"},        // both accesses' stacks in a race report
    {"--check-stack-refs", "yes"},      // no would ignore every access to a stack variable
    {"--ignore-thread-creation", "no"},
};

constexpr VgForced kVgDrd[] = {
    {"--check-stack-var", "yes"},       // DRD ignores stack variables by default; the cases
                                        // keep their shared objects on main's stack
    {"--first-race-only", "no"},
    {"--report-signal-unlocked", "yes"},
    {"--ignore-thread-creation", "no"},
};

// Options that cannot be undone by a later one, or that would change what the parser reads;
// refused with the reason.
struct VgRefused {
  const char* option;  // "--name" (matched with or without "=value")
  const char* why;
};
constexpr VgRefused kVgRefused[] = {
    {"--suppressions", "a suppression file hides the reports it matches, and a later option "
                       "cannot take it back; racebook runs with Valgrind's default suppressions "
                       "only"},
    {"-q", "it hides Valgrind's banner and ERROR SUMMARY, by which racebook knows that the run "
           "was whole"},
    {"--quiet", "it hides Valgrind's banner and ERROR SUMMARY, by which racebook knows that the "
                "run was whole"},
    {"--error-markers", "it adds lines inside the reports racebook reads"},
    {"-h", "Valgrind would print its help and not run the program"},
    {"--help", "Valgrind would print its help and not run the program"},
    {"--help-debug", "Valgrind would print its help and not run the program"},
    {"--help-dyn-options", "Valgrind would print its help and not run the program"},
    {"--version", "Valgrind would print its version and not run the program"},
};

// Options racebook drops (its own come first, or replace them), with what it uses instead.
constexpr VgForced kVgDropped[] = {
    {"--tool", nullptr},               // racebook's comes from --sanitizer
    {"--command-line-only", "yes"},    // racebook reads the three sources itself
};

std::string option_name(const std::string& word) {
  const auto eq = word.find('=');
  return eq == std::string::npos ? word : word.substr(0, eq);
}

std::string option_value(const std::string& word) {
  const auto eq = word.find('=');
  return eq == std::string::npos ? "" : word.substr(eq + 1);
}

// Valgrind's own splitting (m_commandline.c add_args_from_string): at whitespace, no quoting.
std::vector<std::string> split_at_spaces(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

std::string read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

ValgrindUserOptions read_valgrind_user_options(const std::map<std::string, std::string>& env) {
  ValgrindUserOptions user;
  const auto home = env.find("HOME");
  if (home != env.end()) {
    user.home_rc_path = home->second + "/.valgrindrc";
    user.home_rc = read_whole(user.home_rc_path);
  }
  if (auto it = env.find("VALGRIND_OPTS"); it != env.end()) user.env = it->second;
  // As Valgrind: not read when "." is $HOME (it would apply twice); only with a $HOME.
  if (home != env.end()) {
    char cwd[4096];
    if (::getcwd(cwd, sizeof cwd) != nullptr && home->second != cwd) {
      user.cwd_rc_path = std::string(cwd) + "/.valgrindrc";
      user.cwd_rc = read_whole(user.cwd_rc_path);
    }
  }
  return user;
}

ValgrindOptions valgrind_options(const std::string& tool, const ValgrindUserOptions& user,
                                 const std::map<std::string, std::string>& env) {
  if (tool != "helgrind" && tool != "drd") {
    throw std::invalid_argument("racebook runs Valgrind's helgrind or drd, not \"" + tool + "\"");
  }
  std::vector<VgForced> forced(std::begin(kVgCommon), std::end(kVgCommon));
  if (tool == "helgrind") forced.insert(forced.end(), std::begin(kVgHelgrind), std::end(kVgHelgrind));
  if (tool == "drd") forced.insert(forced.end(), std::begin(kVgDrd), std::end(kVgDrd));

  ValgrindOptions result;
  result.args = {"--tool=" + tool, "--command-line-only=yes"};
  const std::pair<const std::string*, std::string> sources[] = {
      {&user.home_rc, user.home_rc_path.empty() ? "~/.valgrindrc" : user.home_rc_path},
      {&user.env, "VALGRIND_OPTS"},
      {&user.cwd_rc, user.cwd_rc_path.empty() ? "./.valgrindrc" : user.cwd_rc_path}};
  // What the user's options set last for each forced option, and where.
  std::map<std::string, std::pair<std::string, std::string>> user_sets;
  for (const auto& [text, where] : sources) {
    for (const std::string& word : split_at_spaces(*text)) {
      const std::string name = option_name(word);
      if (word.empty() || word[0] != '-' || word == "-" || word == "--") {
        throw std::invalid_argument(where + " has \"" + word + "\", which is not a Valgrind "
                                    "option (Valgrind options start with - and are one word, "
                                    "--name=value); on racebook's command line it would be "
                                    "taken for the program to run. Remove it");
      }
      for (const auto& r : kVgRefused) {
        if (name == r.option) {
          throw std::invalid_argument(where + " has " + word + ": racebook cannot run " + tool +
                                      " with it: " + r.why + ". Remove it from " + where);
        }
      }
      if (name == "--fullpath-after" && !option_value(word).empty()) {
        throw std::invalid_argument(where + " has " + word + ": the frames' file names would "
                                    "no longer be the full paths racebook matches the markers "
                                    "with, and a later option cannot take it back. Remove it "
                                    "from " + where);
      }
      bool dropped = false;
      for (const auto& d : kVgDropped) {
        if (name == d.option) {
          dropped = true;
          const std::string ours = name == "--tool" ? tool : d.value;
          if (option_value(word) != ours) {
            result.overridden.push_back(where + ": " + word + " overridden by " + name + "=" + ours);
          }
        }
      }
      if (dropped) continue;
      result.args.push_back(word);
      // --log-file= and --log-socket= lose to racebook's --log-fd=2.
      if (name == "--log-file" || name == "--log-socket") {
        user_sets["--log-fd"] = {word, where};
      } else {
        user_sets[name] = {word, where};
      }
    }
  }
  for (const auto& f : forced) {
    const std::string word = std::string(f.option) + "=" + f.value;
    result.args.push_back(word);
    if (auto it = user_sets.find(f.option); it != user_sets.end() && it->second.first != word) {
      result.overridden.push_back(it->second.second + ": " + it->second.first + " overridden by " +
                                  word);
    }
  }
  for (const char* variable : {"VALGRIND_OPTS", "VALGRIND_LIB"}) {
    result.unset_env.push_back(variable);
  }
  if (auto it = env.find("VALGRIND_LIB"); it != env.end()) {
    result.overridden.push_back("VALGRIND_LIB=" + it->second + " removed: Valgrind loads " + tool +
                                " from its own installation");
  }
  return result;
}

std::string valgrind_trouble(const std::string& log, const std::string& tool, bool finished) {
  const std::string banner = tool == "drd" ? "drd, a thread error detector"
                                           : "Helgrind, a thread error detector";
  bool saw_banner = false, saw_other_banner = false, saw_summary = false;
  std::string other_banner;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // Valgrind's launcher and core print their fatal messages as "valgrind: ...", without the
    // ==PID== prefix: an unknown option, "failed to start tool", a missing program, a panic.
    if (line.rfind("valgrind: ", 0) == 0) {
      return "Valgrind itself failed: " + line;
    }
    for (const char* fatal : {"the 'impossible' happened", "VALGRIND INTERNAL ERROR",
                              "Valgrind's memory management: out of memory"}) {
      if (line.find(fatal) != std::string::npos) return "Valgrind itself failed: " + line;
    }
    if (line.find("I'm not reporting any more") != std::string::npos) {
      return "Valgrind stopped reporting errors, so a report may be missing: " + line;
    }
    // The rest are Valgrind's own lines: "==PID== text".
    if (line.rfind("==", 0) != 0) continue;
    const auto end = line.find("== ", 2);
    if (end == std::string::npos) continue;
    const std::string text = line.substr(end + 3);
    if (text == banner) {
      saw_banner = true;
    } else if (text.size() > 18 && text.find(", a ") != std::string::npos &&
               text.compare(text.size() - 9, 9, " detector") == 0) {
      saw_other_banner = true;
      other_banner = text;
    } else if (text.rfind("ERROR SUMMARY: ", 0) == 0) {
      saw_summary = true;
    }
  }
  if (!finished) return "";  // a time-out: the verdict says so; no summary is expected
  if (!saw_banner) {
    if (saw_other_banner) {
      return "Valgrind ran another tool (\"" + other_banner + "\") than " + tool;
    }
    return "Valgrind's banner (\"" + banner + "\") is missing from the output: Valgrind's "
           "messages did not reach racebook (a --log-file or -q from elsewhere?)";
  }
  if (!saw_summary) {
    return "Valgrind's closing \"ERROR SUMMARY:\" line is missing: its output did not reach "
           "racebook whole, so a report may be missing";
  }
  return "";
}

}  // namespace racebook
