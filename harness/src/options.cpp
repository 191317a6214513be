#include "racebook/options.hpp"

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

}  // namespace racebook
