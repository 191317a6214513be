// Reports in the formats CI systems read: SARIF 2.1.0 (code-scanning alerts), GitHub workflow
// commands (pull-request annotations), and a stable signature per report, so a pipeline can
// de-duplicate the same race seen in many tests and gate on new reports only (baselines).
#pragma once

#include <filesystem>
#include <iosfwd>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "racebook/report.hpp"
#include "racebook/verdict.hpp"

namespace racebook {

// The key frames of a report, for logs of any program: one entry per key stack of
// key_stacks() (verdict.hpp: the two accesses of a race, each leaked thread's creation, each
// edge of a lock cycle, each leak's allocation, an ASan report's access and "freed by" stack,
// UBSan's site, else the stack under the headline, or when the runtime printed none there, the
// first titled stack with frames, as TSan >= 16's "Signal 10 handler invoked at:"), in that
// order. The frame of each is the
// first one (UBSan's "file:line:col: runtime error" site first, then the stack from #0) that
//   1. has a file and a line, is not in a sanitizer runtime or the C/C++ runtime (see below)
//      and, when `source_root` is not empty, is under it;
//   2. else (nothing under the root, or no root) has a file and a line and is not in a runtime;
//   3. else has a function name (not "<null>") and is not in a runtime (a frame with no file);
//   4. else none (the stack is empty or only runtime frames).
// "In a runtime": the function starts with __tsan, __asan, __lsan, __ubsan, __msan,
// __sanitizer, __interceptor or ___interceptor; or the module is libtsan, libasan, liblsan,
// libubsan, libclang_rt.*, libc, libm, libpthread, libgcc_s, libstdc++, libc++(abi) or ld-linux;
// or the file is in the sanitizers' sources (a directory named libsanitizer or sanitizer_common,
// or compiler-rt/lib, anywhere in the path), in glibc's (a directory sysdeps anywhere; csu/,
// nptl/, elf/, ./stdlib/ relative paths as glibc's debug info prints them) or in system headers
// and libraries (/usr/include/, /usr/lib/, /usr/local/include/, /usr/src/).
// Paths are compared lexically (no symbolic link resolved, nothing read from disk), a relative
// frame file taken relative to the current directory; `source_root` is also tried resolved
// (weakly_canonical). The frames are returned as printed (UBSan's site, which names no function,
// given the function of the stack's frame at its file and line, if any); `role` is
// key_stacks()'s.
std::vector<KeySite> signature_sites(const Report& report, const std::filesystem::path& source_root);

// A frame file as CI output writes it: relative to `source_root` ('/'-separated) when under it,
// else as printed. `under_root` says which.
std::string display_path(const std::string& file, const std::filesystem::path& source_root,
                         bool* under_root = nullptr);

// A report's identity across runs: "kind|site|site...", one site per signature_sites() entry,
// each "FILE:LINE FUNCTION" (FILE as display_path() writes it; "FILE:LINE" when the frame names
// no function), "FUNCTION" (rule 3) or "?"
// (rule 4); the sites sorted, so the two accesses of a race give one signature whichever
// thread the runtime saw first. Never addresses, pids, thread numbers, tids, modules or build
// ids, and no columns (gcc prints none, clang does: dropping them keeps one signature for a
// line whatever the compiler printed). The same race seen by two tests, or by the same test
// twice, has one signature; a different line has another. Pass the checkout as `source_root`
// for signatures that are the same on every machine (paths outside it are kept as printed).
std::string report_signature(const Report& report, const std::filesystem::path& source_root);

struct CiOutputOptions {
  std::filesystem::path source_root;  // file paths under it are written relative to it
  std::string log_name;               // where the reports were read ("-" for standard input)
  std::string information_uri;        // SARIF tool.driver.informationUri (absolute URI); left
                                      // out when empty
};

// SARIF 2.1.0 (nlohmann::json, indented 2, then a newline): one run of the tool "racebook"
// (version RACEBOOK_VERSION), one rule per kind met (id = kind, sorted), one result per report
// (ruleId = kind, level error, message "kind: headline"); the key frames (signature_sites) as
// locations and the other frames with a file, of all its stacks, as relatedLocations;
// partialFingerprints {"racebookSignature/v1": report_signature()}. URIs: relative to
// source_root with uriBaseId "SRCROOT" (declared in originalUriBaseIds) when under it, else a
// file:// URI for an absolute path (POSIX, Windows drive or UNC), else the relative path;
// every byte but unreserved ones and '/' percent-encoded (UTF-8 bytes as %XX). Each result's
// properties carry "log" (log_name, when set) and "logLine".
void write_sarif(std::ostream& out, const std::vector<Report>& reports, const CiOutputOptions& options);

// GitHub Actions workflow commands: one "::error file=F,line=L,col=C,title=T::MESSAGE" per
// report, at its first key frame with a file under the source root (any key frame with a file
// when source_root is empty; without file=, line=, col= when there is none; col= only when
// known). T is "racebook: KIND"; MESSAGE the headline, then one line per key site. Escaped as
// GitHub documents: in MESSAGE % \r \n as %25 %0D %0A; in property values also : and , as %3A
// and %2C.
void write_github(std::ostream& out, const std::vector<Report>& reports, const CiOutputOptions& options);

// The escaping of write_github (exposed for tests).
std::string github_escape_data(std::string_view s);
std::string github_escape_property(std::string_view s);

// Baselines: a JSON file {"format": "racebook-baseline", "version": 1, "signatures": [...]}
// (sorted, unique). read_baseline throws std::runtime_error naming the file and what is wrong on
// anything else (missing or unreadable, not JSON, not an object, wrong format or version,
// signatures not an array of strings).
std::set<std::string> read_baseline(const std::filesystem::path& file);
void write_baseline(std::ostream& out, const std::vector<Report>& reports,
                    const std::filesystem::path& source_root);
// The same from signatures already computed (report_signature), as `parse` collects them.
void write_baseline(std::ostream& out, const std::set<std::string>& signatures);

// `summary --format sarif`: one result per variant that failed its verdict (rule
// "verdict-failed") or left no result (rule "no-result"), the test's name in the message.
struct VerdictProblem {
  std::string test;     // "case.<scenario>.<variant>"
  std::string message;  // what went wrong
  bool no_result = false;
};
void write_sarif_verdicts(std::ostream& out, const std::vector<VerdictProblem>& problems);

}  // namespace racebook
