// CI output (ci_output.hpp): report signatures, GitHub workflow commands, baselines, and the
// signature in parse's JSON.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "racebook/ci_output.hpp"
#include "racebook/json.hpp"
#include "racebook/report.hpp"

namespace fs = std::filesystem;
using namespace racebook;

namespace {

// The same race as TSan prints it, with everything that changes from run to run as parameters.
std::string race_log(int pid, const std::string& address, const std::string& thread, int tid,
                     int first_line, int second_line, const std::string& root = "/src/proj") {
  return "==================\n"
         "WARNING: ThreadSanitizer: data race (pid=" + std::to_string(pid) + ")\n"
         "  Write of size 4 at " + address + " by main thread:\n"
         "    #0 writer() " + root + "/lib/counter.cpp:" + std::to_string(first_line) + ":5 (prog+0x12a4) (BuildId: 0badc0de)\n"
         "    #1 main " + root + "/main.cpp:9:3 (prog+0x1300) (BuildId: 0badc0de)\n"
         "\n"
         "  Previous read of size 4 at " + address + " by thread " + thread + ":\n"
         "    #0 __tsan_read4 ../../../../src/libsanitizer/tsan/tsan_rtl.cpp:10 (libtsan.so.2+0x1234)\n"
         "    #1 reader(void*) " + root + "/lib/counter.cpp:" + std::to_string(second_line) + ":12 (prog+0x1200) (BuildId: 0badc0de)\n"
         "\n"
         "  Thread " + thread + " (tid=" + std::to_string(tid) + ", running) created by main thread at:\n"
         "    #0 pthread_create ../../../../src/libsanitizer/tsan/tsan_interceptors_posix.cpp:1001 (libtsan.so.2+0x5e686)\n"
         "    #1 main " + root + "/main.cpp:7:3 (prog+0x1290)\n"
         "\n"
         "SUMMARY: ThreadSanitizer: data race " + root + "/lib/counter.cpp:" + std::to_string(first_line) + " in writer()\n"
         "==================\n";
}

Report one_report(const std::string& log) {
  auto reports = parse_reports(log);
  REQUIRE(reports.size() == 1);
  return reports.front();
}

fs::path temp_file(const std::string& name, const std::string& text) {
  const fs::path dir = fs::temp_directory_path() / ("racebook-ci-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path p = dir / name;
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

std::string thrown_by_read_baseline(const fs::path& file) {
  try {
    read_baseline(file);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(nothing thrown)";
}

}  // namespace

TEST_CASE("signature: key frames, relative to the source root, runtime frames skipped") {
  const Report r = one_report(race_log(100, "0x7b0400000010", "T1", 101, 17, 23));
  CHECK(report_signature(r, "/src/proj") == "data-race|lib/counter.cpp:17 writer()|lib/counter.cpp:23 reader(void*)");
  CHECK(report_signature(r, "/src/proj/") == report_signature(r, "/src/proj"));
  CHECK(report_signature(r, "/src/proj/lib/../") == report_signature(r, "/src/proj"));
  // No root: paths as printed (the runtime's frame is still skipped).
  CHECK(report_signature(r, "") ==
        "data-race|/src/proj/lib/counter.cpp:17 writer()|/src/proj/lib/counter.cpp:23 reader(void*)");
  const auto sites = signature_sites(r, "/src/proj");
  REQUIRE(sites.size() == 2);
  REQUIRE(sites[1].frame);
  CHECK(sites[1].frame->function == "reader(void*)");
}

TEST_CASE("signature: stable across pids, addresses, threads, tids, columns, machines") {
  const Report a = one_report(race_log(100, "0x7b0400000010", "T1", 101, 17, 23, "/home/a/proj"));
  const Report b = one_report(race_log(98765, "0x7f00deadbeef", "T7", 98999, 17, 23, "/builds/b/proj"));
  CHECK(report_signature(a, "/home/a/proj") == report_signature(b, "/builds/b/proj"));
  // The accesses in the other order (the other thread seen first): the same race.
  Report swapped = a;
  REQUIRE(swapped.accesses.size() == 2);
  std::swap(swapped.accesses[0], swapped.accesses[1]);
  CHECK(report_signature(swapped, "/home/a/proj") == report_signature(a, "/home/a/proj"));
}

TEST_CASE("signature: the same reports captured by gcc 11 and gcc 12 (other runs, pids, paths)") {
  // Both compiled the same sources, each under /tmp/racebook-capture/<toolchain>/.
  const fs::path data = fs::path(RACEBOOK_TEST_DATA) / "captured";
  int compared = 0;
  for (const auto& entry : fs::directory_iterator(data / "gcc-11")) {
    const fs::path other = data / "gcc-12" / entry.path().filename();
    if (entry.path().extension() != ".log" || !fs::exists(other)) continue;
    auto read = [](const fs::path& p) {
      std::ifstream in(p, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      return parse_reports(text.str());
    };
    const auto a = read(entry.path());
    const auto b = read(other);
    INFO(entry.path().filename().string());
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      const auto sa = report_signature(a[i], "/tmp/racebook-capture/gcc-11");
      CHECK(sa == report_signature(b[i], "/tmp/racebook-capture/gcc-12"));
      CHECK(sa.find("gcc-1") == std::string::npos);
      CHECK(sa.find('?') == std::string::npos);
      ++compared;
    }
  }
  CHECK(compared > 50);
}

TEST_CASE("signature: another line or another kind is another signature") {
  const Report a = one_report(race_log(100, "0x10", "T1", 101, 17, 23));
  const Report other_line = one_report(race_log(100, "0x10", "T1", 101, 18, 23));
  CHECK(report_signature(a, "/src/proj") != report_signature(other_line, "/src/proj"));
  Report other_kind = a;
  other_kind.kind = "data-race-vptr";
  CHECK(report_signature(a, "/src/proj") != report_signature(other_kind, "/src/proj"));
}

TEST_CASE("signature: a report with no frame of its own still has one") {
  Report r;
  r.tool = "ThreadSanitizer";
  r.kind = "double-lock";
  r.stack.frames.push_back({0, "pthread_mutex_lock", "", 0, 0, "libtsan.so.2+0x10"});
  r.stack.frames.push_back({1, "lock_twice", "", 0, 0, "prog+0x20"});
  CHECK(report_signature(r, "/src") == "double-lock|lock_twice");
  r.stack.frames.pop_back();
  CHECK(report_signature(r, "/src") == "double-lock|?");
}

TEST_CASE("signature: UBSan's site, with the function of the stack's frame at it when printed") {
  const std::string headline = "src/a.cpp:28:18: runtime error: signed integer overflow: 2147483647 + 1 cannot be represented in type 'int'\n";
  const Report bare = one_report(headline);
  CHECK(report_signature(bare, "") == "signed-integer-overflow|src/a.cpp:28");
  const Report with_stack = one_report(headline +
                                       "    #0 0x1 in overflow() /home/x/src/a.cpp:28:18\n"
                                       "    #1 0x2 in main /home/x/src/main.cpp:3:1\n");
  CHECK(report_signature(with_stack, "") == "signed-integer-overflow|src/a.cpp:28 overflow()");
  CHECK(report_signature(with_stack, "/home/x") == "signed-integer-overflow|src/a.cpp:28 overflow()");
}

TEST_CASE("parse's JSON carries the signature; the fast writer prints what dump() prints") {
  const auto reports = parse_reports(race_log(100, "0x10", "T1", 101, 17, 23) + race_log(1, "0x20", "T2", 3, 40, 41));
  REQUIRE(reports.size() == 2);
  for (const fs::path root : {fs::path(), fs::path("/src/proj")}) {
    std::string out;
    ParseOutputWriter writer(out, root);
    for (const auto& r : reports) writer.add(r);
    writer.finish();
    const nlohmann::json j = parse_output(reports, root);
    CHECK(out == j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    CHECK(j["reports"][0]["signature"] == report_signature(reports[0], root));
  }
}

TEST_CASE("github: escaping of data and properties") {
  CHECK(github_escape_data("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b");
  CHECK(github_escape_property("C:\\a,b:c%\n") == "C%3A\\a%2Cb%3Ac%25%0A");
}

TEST_CASE("github: one ::error command a report, at its first key frame under the root") {
  Report r = one_report(race_log(100, "0x10", "T1", 101, 17, 23, "/src/my, proj: x"));
  r.headline = "WARNING: 100% racy\nsecond line";
  std::ostringstream out;
  write_github(out, {r}, {"/src/my, proj: x", "a.log", ""});
  const std::string text = out.str();
  INFO(text);
  CHECK(text.rfind("::error file=lib/counter.cpp,line=17,col=5,title=racebook%3A data-race::WARNING: 100%25 racy%0Asecond line%0Aaccess 1: writer() at lib/counter.cpp:17", 0) == 0);
  CHECK(text.find('\n') == text.size() - 1);  // one line

  // A path with a comma and a colon in what is under the root.
  Report odd = one_report(race_log(100, "0x10", "T1", 101, 17, 23, "/src/proj"));
  for (auto& a : odd.accesses)
    for (auto& f : a.stack.frames)
      if (f.file == "/src/proj/lib/counter.cpp") f.file = "/src/proj/lib/a,b:c.cpp";
  std::ostringstream out2;
  write_github(out2, {odd}, {"/src/proj", "", ""});
  CHECK(out2.str().rfind("::error file=lib/a%2Cb%3Ac.cpp,line=17,col=5,title=racebook%3A data-race::", 0) == 0);

  // Nothing under the root: no file=.
  std::ostringstream out3;
  write_github(out3, {odd}, {"/elsewhere", "", ""});
  CHECK(out3.str().rfind("::error title=racebook%3A data-race::", 0) == 0);
}

TEST_CASE("sarif: locations relative to SRCROOT, percent-encoded, fingerprints") {
  const Report r = one_report(race_log(100, "0x10", "T1", 101, 17, 23, "/src/proj é x"));
  std::ostringstream out;
  write_sarif(out, {r, r}, {"/src/proj é x", "a.log", ""});
  const auto j = nlohmann::json::parse(out.str());
  CHECK(j["version"] == "2.1.0");
  const auto& run = j["runs"][0];
  CHECK(run["tool"]["driver"]["name"] == "racebook");
  CHECK(run["tool"]["driver"]["version"] == RACEBOOK_VERSION);
  CHECK(run["tool"]["driver"]["rules"].size() == 1);
  CHECK(run["originalUriBaseIds"]["SRCROOT"]["uri"] == "file:///src/proj%20%C3%A9%20x/");
  REQUIRE(run["results"].size() == 2);
  const auto& result = run["results"][0];
  CHECK(result["ruleId"] == "data-race");
  CHECK(result["partialFingerprints"]["racebookSignature/v1"] == report_signature(r, "/src/proj é x"));
  const auto& loc = result["locations"][0]["physicalLocation"];
  CHECK(loc["artifactLocation"]["uri"] == "lib/counter.cpp");
  CHECK(loc["artifactLocation"]["uriBaseId"] == "SRCROOT");
  CHECK(loc["region"]["startLine"] == 17);
  CHECK(loc["region"]["startColumn"] == 5);

  // Outside the root: an absolute file URI, encoded.
  std::ostringstream out2;
  write_sarif(out2, {r}, {"", "", ""});
  const auto j2 = nlohmann::json::parse(out2.str());
  CHECK(j2["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] ==
        "file:///src/proj%20%C3%A9%20x/lib/counter.cpp");
  CHECK(!j2["runs"][0].contains("originalUriBaseIds"));
}

TEST_CASE("baseline: round trip, sorted and unique") {
  const Report a = one_report(race_log(100, "0x10", "T1", 101, 17, 23));
  const Report b = one_report(race_log(100, "0x10", "T1", 101, 30, 23));
  std::ostringstream out;
  write_baseline(out, {b, a, b, a}, "/src/proj");
  const auto j = nlohmann::json::parse(out.str());
  CHECK(j["format"] == "racebook-baseline");
  CHECK(j["version"] == 1);
  REQUIRE(j["signatures"].size() == 2);
  CHECK(j["signatures"][0] < j["signatures"][1]);
  const auto read = read_baseline(temp_file("baseline.json", out.str()));
  CHECK(read == std::set<std::string>{report_signature(a, "/src/proj"), report_signature(b, "/src/proj")});
}

TEST_CASE("baseline: anything else is refused, naming the file and the problem") {
  const fs::path missing = fs::temp_directory_path() / "racebook-no-such-baseline.json";
  CHECK_THAT(thrown_by_read_baseline(missing),
             Catch::Contains(missing.string()) && Catch::Contains("cannot be read"));
  const auto not_json = temp_file("not-json.json", "{\"format\": ");
  CHECK_THAT(thrown_by_read_baseline(not_json), Catch::Contains(not_json.string()) && Catch::Contains("not JSON"));
  const auto array = temp_file("array.json", "[]");
  CHECK_THAT(thrown_by_read_baseline(array), Catch::Contains("not a JSON object"));
  const auto format = temp_file("format.json", R"({"format": "racebook-parse", "version": 1, "signatures": []})");
  CHECK_THAT(thrown_by_read_baseline(format), Catch::Contains(format.string()) && Catch::Contains("format"));
  const auto version = temp_file("version.json", R"({"format": "racebook-baseline", "version": 2, "signatures": []})");
  CHECK_THAT(thrown_by_read_baseline(version), Catch::Contains("version"));
  const auto items = temp_file("items.json", R"({"format": "racebook-baseline", "version": 1, "signatures": [1]})");
  CHECK_THAT(thrown_by_read_baseline(items), Catch::Contains("not a string"));
  const auto empty = temp_file("empty.json", R"({"format": "racebook-baseline", "version": 1, "signatures": []})");
  CHECK(read_baseline(empty).empty());
  fs::remove_all(empty.parent_path());
}
