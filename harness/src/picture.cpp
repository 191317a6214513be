#include "racebook/picture.hpp"

#include <algorithm>
#include <map>
#include <sstream>

#include "racebook/verdict.hpp"

namespace racebook {
namespace fs = std::filesystem;

namespace {

// "T0" and "main thread" are the main thread; "T12" is 12; anything else sorts first.
int thread_number(const std::string& thread) {
  if (thread == "main thread") return 0;
  if (thread.size() < 2 || thread[0] != 'T') return -1;
  try {
    return std::stoi(thread.substr(1));
  } catch (const std::exception&) {
    return -1;
  }
}

std::string lane_name(const std::string& thread) {
  const int n = thread_number(thread);
  if (n == 0) return "main thread";
  if (n > 0) return "thread T" + std::to_string(n);
  return "the reporting thread";  // TSan names no thread for mutex misuse
}

// "Location is global 'c' of size 4 at 0x55.. (prog+0x..)" -> "global 'c' of size 4"; gcc's
// artefact "global '<null>' at 0x000000000000" says nothing and gives "".
std::string memory_of(const std::optional<std::string>& location) {
  if (!location) return "";
  std::string s = *location;
  if (s.rfind("Location is ", 0) == 0) s.erase(0, 12);
  if (auto at = s.find(" at 0x"); at != std::string::npos) s.erase(at);
  while (!s.empty() && (s.back() == ':' || s.back() == '.' || s.back() == ' ')) s.pop_back();
  return s.find("<null>") != std::string::npos ? "" : s;
}

class Builder {
 public:
  Builder(const Report& report, const fs::path& project_dir, const CaseFile& case_file)
      : report_(report), cases_(project_dir / "cases") {
    case_name_ = fs::path(case_file.path).filename().string();
    for (const auto& [name, line] : case_file.markers) marker_at_[line] = name;
  }

  RaceDrawing build(const std::string& key) {
    d_.title = key + " — " + report_.kind;
    make_lanes();
    if (report_.kind == "thread-leak") {
      thread_leak();
    } else if (report_.kind == "lock-order-inversion") {
      lock_order();
    } else if (!report_.accesses.empty()) {
      data_race();
    } else if (!report_.mutexes.empty()) {
      mutex_misuse();
    } else {
      other();
    }
    return d_;
  }

 private:
  // Every thread the report names, main thread first, then by number.
  void make_lanes() {
    std::vector<std::string> threads;
    auto note = [&](const std::string& t) {
      if (std::find(threads.begin(), threads.end(), lane_name(t)) == threads.end()) threads.push_back(lane_name(t));
    };
    for (const auto& t : report_.threads) {
      note(t.created_by);
      note(t.thread);
    }
    for (const auto& a : report_.accesses) note(a.thread);
    for (const auto& m : report_.mutexes)
      if (!m.held.empty()) note(m.thread);
    std::stable_sort(threads.begin(), threads.end(), [](const std::string& a, const std::string& b) {
      return number_of_lane(a) < number_of_lane(b);
    });
    d_.lanes = threads;
  }

  static int number_of_lane(const std::string& lane) {
    if (lane == "main thread") return 0;
    if (lane.rfind("thread T", 0) == 0) return thread_number(lane.substr(7));
    return -1;
  }

  std::size_t lane(const std::string& thread) {
    const std::string name = lane_name(thread);
    auto it = std::find(d_.lanes.begin(), d_.lanes.end(), name);
    if (it != d_.lanes.end()) return static_cast<std::size_t>(it - d_.lanes.begin());
    d_.lanes.push_back(name);
    return d_.lanes.size() - 1;
  }

  // "counter_race.cpp:24 @increment": the stack's first frame in cases/, with its marker.
  std::string where(const Stack& stack) const {
    const auto frame = first_frame_in(stack, cases_);
    if (!frame) return "";
    const std::string file = fs::path(frame->file).filename().string();
    std::string out = file + ":" + std::to_string(frame->line);
    if (file == case_name_) {
      if (auto m = marker_at_.find(frame->line); m != marker_at_.end()) out += " @" + m->second;
    }
    return out;
  }

  std::size_t add(std::size_t lane, std::string what, std::string where, std::string fixed = "") {
    d_.events.push_back({lane, std::move(what), std::move(where), std::move(fixed)});
    return d_.events.size() - 1;
  }

  void missing(std::size_t from, std::size_t to, std::string label) {
    d_.edges.push_back({from, to, RaceDrawing::Link::Missing, label});
    d_.missing = std::move(label);
    d_.missing_from = from;
    d_.missing_to = to;
  }

  // Creation first, in thread order: a creation edge goes from the creator's event to the lane
  // of the thread it starts (`to` is a lane).
  void creations() {
    std::vector<const ThreadSection*> threads;
    for (const auto& t : report_.threads) threads.push_back(&t);
    std::stable_sort(threads.begin(), threads.end(), [](const ThreadSection* a, const ThreadSection* b) {
      return thread_number(a->thread) < thread_number(b->thread);
    });
    for (const ThreadSection* t : threads) {
      const std::size_t e = add(lane(t->created_by), "creates T" + t->thread.substr(1), where(t->stack));
      d_.edges.push_back({e, lane(t->thread), RaceDrawing::Link::Creates, "creates"});
    }
  }

  static std::string access_text(const Access& a) {
    std::string s = std::string(a.atomic ? "atomic " : "") + (a.write ? "write " : "read ") +
                    std::to_string(a.size) + (a.size == 1 ? " byte" : " bytes");
    for (std::size_t i = 0; i < a.mutexes_held.size(); ++i) s += (i == 0 ? ", holds " : ", ") + a.mutexes_held[i];
    return s;
  }

  void data_race() {
    if (const std::string memory = memory_of(report_.location); !memory.empty()) d_.subtitle = "memory: " + memory;
    creations();
    // The two accesses in lane order (which one TSan calls "previous" varies from run to run).
    std::vector<const Access*> accesses;
    for (const auto& a : report_.accesses) accesses.push_back(&a);
    std::stable_sort(accesses.begin(), accesses.end(), [&](const Access* a, const Access* b) {
      return lane(a->thread) < lane(b->thread);
    });
    std::vector<std::size_t> events;
    for (const Access* a : accesses) events.push_back(add(lane(a->thread), access_text(*a), where(a->stack)));
    if (events.size() >= 2) {
      missing(events[0], events[1], "no happens-before between them");
      // A write and a read of it: the fix orders the write first.
      d_.fix_reversed = !accesses[0]->write && accesses[1]->write;
    }
  }

  void thread_leak() {
    d_.subtitle = "a thread that ended and was never joined (or detached)";
    creations();
    for (const auto& t : report_.threads) {
      const std::size_t ran = add(lane(t.thread), "runs" + (t.state.empty() ? "" : ", " + t.state), "");
      const std::size_t end = add(lane(t.created_by), "goes on to the end of the test", "",
                                  "joins T" + t.thread.substr(1) + ", or has detached it");
      missing(ran, end, "no join()");
    }
  }

  void lock_order() {
    creations();
    std::vector<std::size_t> events;
    std::string cycle;
    for (const auto& m : report_.mutexes) {
      if (m.held.empty()) continue;
      events.push_back(add(lane(m.thread), "holds " + m.held + ", locks " + m.mutex, where(m.stack),
                           "locks " + std::min(m.held, m.mutex) + " and " + std::max(m.held, m.mutex) + " together"));
      cycle += (cycle.empty() ? m.held : "") + " → " + m.mutex;
    }
    d_.subtitle = "cycle in the lock order: " + cycle + " (no deadlock needed to see it)";
    if (events.size() >= 2) missing(events[0], events[1], "opposite orders: a possible deadlock");
  }

  // A mutex misuse (TSan names no thread for it): the step before it, the misuse, the edge
  // that is missing between them, and what each step is in the fix.
  struct Misuse {
    std::string before, before_fixed, what, what_fixed, missing;
    bool before_at_first_use;  // the step before is where TSan first saw the mutex
  };

  static Misuse misuse_of(const std::string& kind, const std::string& m) {
    if (kind == "unlock-of-unlocked-mutex")
      return {"nothing locks " + m, "locks " + m, "unlocks " + m + ", not locked", "unlocks " + m,
              "no lock() before the unlock()", false};
    if (kind == "double-lock")
      return {"locks " + m, "locks " + m, "locks " + m + " again", "unlocks " + m + ", then locks it",
              "no unlock() in between", true};
    if (kind == "destroy-of-locked-mutex")
      return {"locks " + m, "locks " + m, "destroys " + m + ", still locked", "unlocks, then destroys " + m,
              "no unlock() before the end", true};
    return {"first use of " + m, "", kind + " " + m, "", kind, true};
  }

  void mutex_misuse() {
    const std::size_t here = lane("");
    const MutexSection* created = nullptr;
    for (const auto& m : report_.mutexes)
      if (m.created) created = &m;
    const Misuse misuse = misuse_of(report_.kind, created ? created->mutex : "the mutex");
    // TSan "creates" a mutex where it first sees it, which may be its first lock.
    const std::size_t before = add(here, misuse.before,
                                   misuse.before_at_first_use && created ? where(created->stack) : "",
                                   misuse.before_fixed);
    const std::size_t at = add(here, misuse.what, where(report_.stack), misuse.what_fixed);
    missing(before, at, misuse.missing);
  }

  void other() {
    std::vector<std::size_t> events;
    const std::size_t here = lane("");
    for (const auto& k : key_stacks(report_)) events.push_back(add(here, k.role, where(*k.stack)));
    if (events.size() >= 2) missing(events.front(), events.back(), report_.kind);
  }

  const Report& report_;
  fs::path cases_;
  std::string case_name_;
  std::map<int, std::string> marker_at_;
  RaceDrawing d_;
};

// ---- SVG ----

std::string xml(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// Width of monospaced text at 12 px (DejaVu Sans Mono: 0.602 em), counting UTF-8 characters.
double text_width(const std::string& text) {
  std::size_t chars = 0;
  for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
  return static_cast<double>(chars) * 7.3;
}

constexpr double kMargin = 16, kRow = 62, kBoxHeight = 40, kHeader = 96;
constexpr const char* kRed = "#c62828";
constexpr const char* kGreen = "#2e7d32";

struct Geometry {
  std::vector<double> lane_x;  // centres
  std::vector<double> lane_width;
  double width = 0;
};

Geometry layout(const RaceDrawing& d, const PictureFix& fix, const std::string& provenance) {
  Geometry g;
  g.lane_width.assign(d.lanes.size(), 0);
  for (std::size_t i = 0; i < d.lanes.size(); ++i) g.lane_width[i] = std::max(200.0, text_width(d.lanes[i]) + 30);
  for (const auto& e : d.events)
    g.lane_width[e.lane] = std::max(g.lane_width[e.lane], std::max({text_width(e.what), text_width(e.where), text_width(e.fixed)}) + 30);
  double x = kMargin;
  for (double w : g.lane_width) {
    g.lane_x.push_back(x + w / 2);
    x += w + 24;
  }
  g.width = std::max({x - 24 + kMargin, text_width(d.title) * 1.3 + 2 * kMargin, text_width(d.subtitle) + 2 * kMargin,
                      text_width("the fix: " + fix.variant + " — " + fix.edge) * 1.1 + 2 * kMargin,
                      text_width(provenance) + 2 * kMargin});
  return g;
}

// Rows top to bottom; the later side of the edge one row further down, so that the edge and its
// label have room.
double rows(const RaceDrawing& d) {
  return static_cast<double>(d.events.size()) + (d.missing_from != d.missing_to ? 1 : 0);
}

double event_y(const RaceDrawing& d, std::size_t event, double top) {
  const bool after_gap = d.missing_from != d.missing_to && event >= d.missing_to;
  return top + kHeader + static_cast<double>(event + (after_gap ? 1 : 0)) * kRow;
}

// One panel: lanes, events, creation arrows, and the one edge that matters (missing or added).
void panel(std::ostringstream& svg, const RaceDrawing& d, const Geometry& g, double top, const std::string& heading,
           const std::string& subheading, bool fixed, const PictureFix& fix) {
  const double height = kHeader + rows(d) * kRow;
  svg << "<text x=\"" << kMargin << "\" y=\"" << top + 24 << "\" class=\"title\">" << xml(heading) << "</text>\n";
  if (!subheading.empty())
    svg << "<text x=\"" << kMargin << "\" y=\"" << top + 44 << "\" class=\"note\">" << xml(subheading) << "</text>\n";
  // Where each lane starts: at its creation, or at the top.
  std::vector<double> lane_top(d.lanes.size(), top + 74);
  for (const auto& e : d.edges)
    if (e.link == RaceDrawing::Link::Creates) lane_top[e.to] = event_y(d, e.from, top) + kBoxHeight / 2;
  for (std::size_t i = 0; i < d.lanes.size(); ++i) {
    svg << "<text x=\"" << g.lane_x[i] << "\" y=\"" << top + 68 << "\" class=\"lane\">" << xml(d.lanes[i]) << "</text>\n";
    svg << "<line x1=\"" << g.lane_x[i] << "\" y1=\"" << lane_top[i] << "\" x2=\"" << g.lane_x[i] << "\" y2=\""
        << top + height << "\" class=\"lifeline\"/>\n";
  }
  auto box_left = [&](std::size_t e) { return g.lane_x[d.events[e].lane] - (g.lane_width[d.events[e].lane] - 20) / 2; };
  for (const auto& e : d.edges) {
    if (e.link != RaceDrawing::Link::Creates) continue;
    const double y = event_y(d, e.from, top) + kBoxHeight / 2;
    const std::size_t from_lane = d.events[e.from].lane;
    const double half = (g.lane_width[from_lane] - 20) / 2;
    const double x1 = g.lane_x[e.to] > g.lane_x[from_lane] ? g.lane_x[from_lane] + half : g.lane_x[from_lane] - half;
    svg << "<line x1=\"" << x1 << "\" y1=\"" << y << "\" x2=\"" << g.lane_x[e.to] << "\" y2=\"" << y
        << "\" class=\"creates\" marker-end=\"url(#arrow)\"/>\n";
  }
  const bool has_edge = d.missing_from != d.missing_to;
  // Where each event is drawn: in the fix, the side that now comes first goes on top.
  const bool swap = fixed && d.fix_reversed && has_edge;
  auto row = [&](std::size_t i) {
    if (swap && i == d.missing_from) return d.missing_to;
    if (swap && i == d.missing_to) return d.missing_from;
    return i;
  };
  for (std::size_t i = 0; i < d.events.size(); ++i) {
    const auto& e = d.events[i];
    const bool key = has_edge && (i == d.missing_from || i == d.missing_to);
    const double y = event_y(d, row(i), top);
    const double w = g.lane_width[e.lane] - 20;
    svg << "<rect x=\"" << box_left(i) << "\" y=\"" << y << "\" width=\"" << w << "\" height=\"" << kBoxHeight
        << "\" rx=\"6\" class=\"" << (key ? (fixed ? "key fixed" : "key") : "event") << "\"/>\n";
    // The fix's panel names no lines: they are the racy variant's, not the fix's.
    const std::string& what = fixed && !e.fixed.empty() ? e.fixed : e.what;
    const std::string where = fixed ? "" : e.where;
    svg << "<text x=\"" << g.lane_x[e.lane] << "\" y=\"" << y + (where.empty() ? 25 : 17) << "\" class=\"what\">"
        << xml(what) << "</text>\n";
    if (!where.empty())
      svg << "<text x=\"" << g.lane_x[e.lane] << "\" y=\"" << y + 33 << "\" class=\"where\">" << xml(where)
          << "</text>\n";
  }
  if (!has_edge) return;
  // The edge: from the bottom of the earlier event to the top of the later one.
  const std::size_t first = swap ? d.missing_to : d.missing_from;
  const std::size_t second = swap ? d.missing_from : d.missing_to;
  const auto& a = d.events[first];
  const auto& b = d.events[second];
  const double x1 = g.lane_x[a.lane], y1 = event_y(d, row(first), top) + kBoxHeight;
  const double x2 = g.lane_x[b.lane], y2 = event_y(d, row(second), top);
  const std::string label = fixed ? fix.edge : "✗ " + d.missing;
  svg << "<line x1=\"" << x1 << "\" y1=\"" << y1 << "\" x2=\"" << x2 << "\" y2=\"" << y2 << "\" class=\""
      << (fixed ? "orders\" marker-end=\"url(#arrow-green)" : "missing") << "\"/>\n";
  const double mx = (x1 + x2) / 2, my = (y1 + y2) / 2;
  const double lw = text_width(label) + 12;
  svg << "<rect x=\"" << mx - lw / 2 << "\" y=\"" << my - 11 << "\" width=\"" << lw
      << "\" height=\"18\" rx=\"3\" class=\"label\"/>\n";
  svg << "<text x=\"" << mx << "\" y=\"" << my + 3 << "\" class=\"" << (fixed ? "orders-text" : "missing-text")
      << "\">" << xml(label) << "</text>\n";
}

}  // namespace

RaceDrawing draw_race(const Report& report, const std::string& key, const fs::path& project_dir,
                      const CaseFile& case_file) {
  return Builder(report, project_dir, case_file).build(key);
}

std::string race_svg(const RaceDrawing& d, const PictureFix& fix, const std::string& provenance) {
  const Geometry g = layout(d, fix, provenance);
  const double panel_height = kHeader + rows(d) * kRow + 12;
  const double height = 2 * panel_height + 40;
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << g.width << "\" height=\"" << height
      << "\" viewBox=\"0 0 " << g.width << " " << height << "\" font-family=\"DejaVu Sans Mono, monospace\">\n"
      << "<title>" << xml(d.title) << "</title>\n"
      << "<desc>" << xml(d.subtitle) << ". Generated by racebook-harness docs from a real run's report.</desc>\n"
      << "<defs>\n"
      << "<marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" "
         "orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker>\n"
      << "<marker id=\"arrow-green\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" "
         "markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\""
      << kGreen << "\"/></marker>\n"
      << "<style>\n"
      << "text{font-size:12px;fill:#222}\n"
      << ".title{font-size:15px;font-weight:bold}\n"
      << ".note{fill:#555}\n"
      << ".lane{text-anchor:middle;font-weight:bold}\n"
      << ".what,.where{text-anchor:middle}\n"
      << ".where{fill:#444}\n"
      << ".lifeline{stroke:#999;stroke-width:1.5;stroke-dasharray:4 3}\n"
      << ".creates{stroke:#555;stroke-width:1.5}\n"
      << ".event{fill:#f3f3f3;stroke:#777}\n"
      << ".key{fill:#fff3e0;stroke:" << kRed << ";stroke-width:1.5}\n"
      << ".key.fixed{fill:#e8f5e9;stroke:" << kGreen << "}\n"
      << ".missing{stroke:" << kRed << ";stroke-width:2;stroke-dasharray:7 5}\n"
      << ".orders{stroke:" << kGreen << ";stroke-width:2}\n"
      << ".label{fill:#fff;stroke:none}\n"
      << ".missing-text{fill:" << kRed << ";text-anchor:middle;font-weight:bold}\n"
      << ".orders-text{fill:" << kGreen << ";text-anchor:middle;font-weight:bold}\n"
      << "</style>\n"
      << "</defs>\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n";
  panel(svg, d, g, 0, d.title, d.subtitle, false, fix);
  svg << "<line x1=\"" << kMargin << "\" y1=\"" << panel_height << "\" x2=\"" << g.width - kMargin << "\" y2=\""
      << panel_height << "\" stroke=\"#ccc\"/>\n";
  panel(svg, d, g, panel_height, "the fix: " + fix.variant, "clean in the same run: the same steps, now ordered",
        true, fix);
  svg << "<text x=\"" << kMargin << "\" y=\"" << height - 14 << "\" class=\"note\">" << xml(provenance) << "</text>\n";
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace racebook
