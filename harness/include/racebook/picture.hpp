// The picture of a racy variant: the threads as lanes, each key access at its file:line, what
// orders what (thread creation) and the edge that is missing; beside it, the same accesses
// with the edge the fix adds. Drawn as SVG from the run's parsed report, never by hand.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "racebook/expectation.hpp"
#include "racebook/report.hpp"

namespace racebook {

// The variant that fixes a racy one, and the edge it adds ("unlock(m) → lock(m)").
struct PictureFix {
  std::string variant;  // "counter_locked.mutex"
  std::string edge;     // what orders the two sides in the fix, in a few words
};

// What a picture shows, before any geometry: for tests and for the docs check.
struct RaceDrawing {
  enum class Link { Creates, Missing, Orders };
  struct Event {
    std::size_t lane = 0;
    std::string what;   // "write 4 bytes", "creates T1", "holds M0, locks M1"
    std::string where;  // "counter_race.cpp:24 @increment", or "" when the report names no line
    std::string fixed;  // what the step is in the fix, when that differs ("locks M0 and M1 together")
  };
  struct Edge {
    std::size_t from = 0, to = 0;  // events
    Link link = Link::Missing;
    std::string label;
  };
  std::string title;               // "counter_race.unlocked — data-race"
  std::string subtitle;            // what the report says the memory is, or the cycle
  std::vector<std::string> lanes;  // "main thread", "thread T1", ...
  std::vector<Event> events;       // top to bottom, one row each
  std::vector<Edge> edges;         // the report's: creation, and the missing edge
  std::string missing;             // the missing edge's label, also the fix edge's place
  std::size_t missing_from = 0, missing_to = 0;
  // In the fix, missing_to's step comes first: it is a write and missing_from's a read of it
  // (join, a release store, a name set before start()), so the fix's edge runs the other way.
  bool fix_reversed = false;
};

// The drawing of `report` (a run's report of the variant `key`, "scenario.variant"): lanes and
// events from its threads, accesses, mutexes and stacks; sites are the first frames under
// project_dir/cases/, named by the case file's marker on that line where there is one.
RaceDrawing draw_race(const Report& report, const std::string& key, const std::filesystem::path& project_dir,
                      const CaseFile& case_file);

// The SVG: the race as the report shows it, and under it the same events with `fix`'s edge.
// `provenance` is printed at the bottom ("ThreadSanitizer, tsan preset (gcc 12.2.0)").
std::string race_svg(const RaceDrawing& drawing, const PictureFix& fix, const std::string& provenance);

}  // namespace racebook
