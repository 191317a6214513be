#include "racebook/json.hpp"

namespace racebook {

using nlohmann::json;

json to_json(const Frame& f) {
  json j{{"index", f.index}, {"function", f.function}};
  j["file"] = f.file.empty() ? json(nullptr) : json(f.file);
  j["line"] = f.line ? json(f.line) : json(nullptr);
  j["column"] = f.column ? json(f.column) : json(nullptr);
  j["module"] = f.module.empty() ? json(nullptr) : json(f.module);
  return j;
}

json to_json(const Stack& s) {
  json frames = json::array();
  for (const auto& f : s.frames) frames.push_back(to_json(f));
  return {{"restored", s.restored}, {"frames", frames}};
}

json to_json(const Report& r) {
  json accesses = json::array();
  for (const auto& a : r.accesses) {
    accesses.push_back({{"type", a.write ? "write" : "read"},
                        {"atomic", a.atomic},
                        {"previous", a.previous},
                        {"size", a.size},
                        {"thread", a.thread},
                        {"mutexes_held", a.mutexes_held},
                        {"stack", to_json(a.stack)}});
  }
  json mutexes = json::array();
  for (const auto& m : r.mutexes) {
    mutexes.push_back({{"mutex", m.mutex},
                       {"held", m.held.empty() ? json(nullptr) : json(m.held)},
                       {"thread", m.thread.empty() ? json(nullptr) : json(m.thread)},
                       {"created", m.created},
                       {"title", m.title},
                       {"stack", to_json(m.stack)}});
  }
  json threads = json::array();
  for (const auto& t : r.threads) {
    threads.push_back({{"thread", t.thread},
                       {"tid", t.tid},
                       {"state", t.state},
                       {"created_by", t.created_by},
                       {"stack", to_json(t.stack)}});
  }
  json sections = json::array();
  for (const auto& s : r.sections) sections.push_back({{"title", s.title}, {"stack", to_json(s.stack)}});

  json j{{"tool", r.tool},
         {"kind", r.kind},
         {"headline", r.headline},
         {"log_line", r.first_line},
         {"stack", r.stack.frames.empty() ? json(nullptr) : to_json(r.stack)},
         {"accesses", accesses},
         {"mutexes", mutexes},
         {"threads", threads},
         {"sections", sections}};
  j["location"] = r.location ? json(*r.location) : json(nullptr);
  j["ubsan_site"] = r.ubsan_site ? to_json(*r.ubsan_site) : json(nullptr);
  j["summary"] = r.summary.empty() ? json(nullptr) : json(r.summary);
  // The ==PID== of the process whose report it is, where the log says (several processes may
  // write to one log).
  j["pid"] = r.pid ? json(*r.pid) : json(nullptr);
  return j;
}

json to_json(const std::vector<Report>& reports) {
  json j = json::array();
  for (const auto& r : reports) j.push_back(to_json(r));
  return j;
}

json parse_output(const std::vector<Report>& reports) {
  return {{"format", "racebook-parse"}, {"version", kParseFormatVersion}, {"reports", to_json(reports)}};
}

}  // namespace racebook
