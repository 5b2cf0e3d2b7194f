#include "util/fault_injection.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <vector>

namespace vme::fault {
namespace internal {
std::atomic<int> armed_rules{0};
}  // namespace internal

namespace {

struct Armed {
  int id;
  Rule rule;
  uint64_t matches = 0;
  uint64_t injected = 0;
  std::string spec;  // the VME_FS_FAULTS text of a rule armed from the environment
};

struct State {
  std::mutex mu;
  std::vector<Armed> rules;
  int next_id = 1;
};

// Never destroyed: writers in other threads may still call Before() while the process exits.
State& S() {
  static State* s = new State;
  return *s;
}

constexpr Op kOps[] = {Op::kCreate, Op::kWrite,    Op::kSync,   Op::kRename, Op::kMkdir,
                       Op::kLink,   Op::kTruncate, Op::kRemove, Op::kAny};

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    const size_t p = s.find(sep);
    out.push_back(s.substr(0, p));
    if (p == std::string_view::npos) return out;
    s.remove_prefix(p + 1);
  }
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Result<Rule> ParseRule(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("VME_FS_FAULTS rule \"" + std::string(text) + "\": " + why);
  };
  const auto fields = Split(text, ':');
  Rule r;
  bool op_ok = false;
  for (Op op : kOps) {
    if (fields[0] == OpName(op)) {
      r.op = op;
      op_ok = true;
    }
  }
  if (!op_ok) {
    return bad("unknown operation \"" + std::string(fields[0]) +
               "\" (want create, write, sync, rename, mkdir, link, truncate, remove or any)");
  }
  for (size_t i = 1; i < fields.size(); i++) {
    const std::string_view f = fields[i];
    if (f.substr(0, 4) == "nth=") {
      const std::string n(f.substr(4));
      char* end = nullptr;
      errno = 0;
      const unsigned long long v = std::strtoull(n.c_str(), &end, 10);
      if (n.empty() || *end != '\0' || errno != 0 || v == 0 || n[0] == '-') {
        return bad("field \"" + std::string(f) + "\": nth must be a positive integer");
      }
      r.nth = v;
    } else if (f == "every") {
      r.nth = 0;
    } else if (f.substr(0, 5) == "path=") {
      r.path_contains = std::string(f.substr(5));
    } else if (f == "ENOSPC" || f == "enospc") {
      r.effect = Effect::kEnospc;
    } else if (f == "EIO" || f == "eio") {
      r.effect = Effect::kEio;
    } else if (f == "short") {
      r.effect = Effect::kShortWrite;
    } else if (f == "count") {
      r.effect = Effect::kCountOnly;
    } else {
      return bad("unknown field \"" + std::string(f) +
                 "\" (want nth=N, every, path=SUBSTR, ENOSPC, EIO, short or count)");
    }
  }
  return r;
}

int ArmWithSpec(const Rule& rule, std::string spec) {
  State& s = S();
  std::lock_guard<std::mutex> l(s.mu);
  const int id = s.next_id++;
  s.rules.push_back(Armed{id, rule, 0, 0, std::move(spec)});
  internal::armed_rules.fetch_add(1, std::memory_order_relaxed);
  return id;
}

void ReportCounts() {
  State& s = S();
  std::lock_guard<std::mutex> l(s.mu);
  for (const auto& a : s.rules) {
    if (a.spec.empty() || a.rule.effect != Effect::kCountOnly) continue;
    std::fprintf(stderr, "VME_FS_FAULTS: rule \"%s\" matched %llu calls\n", a.spec.c_str(),
                 static_cast<unsigned long long>(a.matches));
  }
}

// Arms the rules of VME_FS_FAULTS when the library is loaded.
bool ArmFromEnvironment() {
  const char* spec = std::getenv("VME_FS_FAULTS");
  if (spec == nullptr || *spec == '\0') return false;
  std::vector<int> ids;
  Status st = ArmFromSpec(spec, &ids);
  if (!st.ok()) {
    std::fprintf(stderr, "vmengine: %s; no fault armed\n", st.message().c_str());
    return false;
  }
  std::atexit(ReportCounts);
  return true;
}

[[maybe_unused]] const bool armed_from_environment = ArmFromEnvironment();

}  // namespace

const char* OpName(Op op) {
  switch (op) {
    case Op::kCreate:
      return "create";
    case Op::kWrite:
      return "write";
    case Op::kSync:
      return "sync";
    case Op::kRename:
      return "rename";
    case Op::kMkdir:
      return "mkdir";
    case Op::kLink:
      return "link";
    case Op::kTruncate:
      return "truncate";
    case Op::kRemove:
      return "remove";
    case Op::kAny:
      return "any";
  }
  return "any";
}

int Arm(const Rule& rule) { return ArmWithSpec(rule, std::string()); }

void Disarm(int id) {
  State& s = S();
  std::lock_guard<std::mutex> l(s.mu);
  for (auto it = s.rules.begin(); it != s.rules.end(); ++it) {
    if (it->id != id) continue;
    s.rules.erase(it);
    internal::armed_rules.fetch_sub(1, std::memory_order_relaxed);
    return;
  }
}

void DisarmAll() {
  State& s = S();
  std::lock_guard<std::mutex> l(s.mu);
  internal::armed_rules.fetch_sub(static_cast<int>(s.rules.size()), std::memory_order_relaxed);
  s.rules.clear();
}

uint64_t Matches(int id) {
  State& s = S();
  std::lock_guard<std::mutex> l(s.mu);
  for (const auto& a : s.rules) {
    if (a.id == id) return a.matches;
  }
  return 0;
}

uint64_t Injected(int id) {
  State& s = S();
  std::lock_guard<std::mutex> l(s.mu);
  for (const auto& a : s.rules) {
    if (a.id == id) return a.injected;
  }
  return 0;
}

Status ArmFromSpec(std::string_view spec, std::vector<int>* ids) {
  std::vector<std::pair<Rule, std::string>> rules;
  for (std::string_view part : Split(spec, ';')) {
    part = Trim(part);
    if (part.empty()) continue;
    VME_ASSIGN_OR_RETURN(Rule r, ParseRule(part));
    rules.emplace_back(std::move(r), std::string(part));
  }
  if (rules.empty()) return Status::InvalidArgument("VME_FS_FAULTS holds no rule");
  for (auto& [r, text] : rules) {
    const int id = ArmWithSpec(r, std::move(text));
    if (ids != nullptr) ids->push_back(id);
  }
  return Status::OK();
}

namespace internal {

int Slow(Op op, std::string_view path, size_t* len) {
  // The second half of a short write: the next write of this thread fails.
  thread_local bool enospc_after_short_write = false;
  if (op == Op::kWrite && enospc_after_short_write) {
    enospc_after_short_write = false;
    return ENOSPC;
  }
  State& s = S();
  std::lock_guard<std::mutex> l(s.mu);
  int err = 0;
  bool injected = false;
  for (auto& a : s.rules) {
    const Rule& r = a.rule;
    if (r.op != Op::kAny && r.op != op) continue;
    if (!r.path_contains.empty() && path.find(r.path_contains) == std::string_view::npos) continue;
    a.matches++;
    // Every matching rule counts the call; the first one due injects.
    if (r.effect == Effect::kCountOnly || injected) continue;
    if (r.nth != 0 && a.matches != r.nth) continue;
    injected = true;
    a.injected++;
    switch (r.effect) {
      case Effect::kEnospc:
        err = ENOSPC;
        break;
      case Effect::kEio:
        err = EIO;
        break;
      case Effect::kShortWrite:
        if (op == Op::kWrite && len != nullptr && *len > 1) {
          *len -= 1;
          enospc_after_short_write = true;
        } else {
          err = ENOSPC;
        }
        break;
      case Effect::kCountOnly:
        break;
    }
  }
  return err;
}

}  // namespace internal
}  // namespace vme::fault
