#include "check_command.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_common.h"
#include "storage/storage_check.h"
#include "util/quote.h"

// The checksum sidecars of util/part_checksums.h, when the engine has them.
#if __has_include("util/part_checksums.h")
#include "util/part_checksums.h"
#define VME_CHECK_HAS_PART_CHECKSUMS 1
#endif

namespace vme::cli {
namespace {

struct CheckFlags {
  std::string data_dir;
  bool repair = false;
  std::string format = "text";
};

const char* KindName(storage::CheckedPart::Kind k) {
  return k == storage::CheckedPart::Kind::kData ? "data" : "indexdb";
}

// path relative to the data directory when it lies inside it.
std::string Rel(const std::string& root, const std::string& p) {
  if (p == root) return ".";
  if (p.size() > root.size() && p.compare(0, root.size(), root) == 0 && p[root.size()] == '/') {
    return p.substr(root.size() + 1);
  }
  return p;
}

std::string Where(const std::string& root, const CheckProblem& pr) {
  std::string s = Rel(root, pr.path);
  if (!pr.file.empty()) s = s == "." ? pr.file : s + "/" + pr.file;
  if (pr.offset >= 0) s += " at offset " + std::to_string(pr.offset);
  return s;
}

nlohmann::json ProblemJson(const std::string& root, const CheckProblem& pr) {
  nlohmann::json j;
  j["path"] = Rel(root, pr.path);
  j["file"] = pr.file;
  j["offset"] = pr.offset >= 0 ? nlohmann::json(pr.offset) : nlohmann::json(nullptr);
  j["message"] = pr.message;
  return j;
}

struct Counts {
  uint64_t data_parts = 0, indexdb_parts = 0, bad_parts = 0, checksummed = 0;
};

Counts Count(const storage::StorageCheckReport& r) {
  Counts c;
  for (const auto& p : r.parts) {
    (p.kind == storage::CheckedPart::Kind::kData ? c.data_parts : c.indexdb_parts)++;
    if (!p.result.ok()) c.bad_parts++;
    if (p.result.checksums_verified) c.checksummed++;
  }
  return c;
}

std::string TextReport(const storage::StorageCheckReport& r, bool repaired) {
  const std::string& root = r.path;
  std::string out = "checking " + SanitizeMessage(root) + "\n";
  if (r.writer_active) {
    out += "note: another process holds flock.lock (a writer is active); checked read-only\n";
  }
  for (const auto& p : r.parts) {
    const PartCheckResult& res = p.result;
    out += std::string(KindName(p.kind)) + " part " + SanitizeMessage(p.rel_path) + ": ";
    if (res.ok()) {
      out += "ok (" + std::to_string(res.items) +
             (p.kind == storage::CheckedPart::Kind::kData ? " rows, " : " items, ") +
             std::to_string(res.blocks) + " blocks" +
             (res.checksums_verified ? ", checksums verified" : "") + ")\n";
      continue;
    }
    out += "BAD\n";
    for (const auto& pr : res.problems) {
      out += "  problem: " + SanitizeMessage(Where(root, pr)) + ": " + SanitizeMessage(pr.message) +
             "\n";
    }
  }
  for (const auto& pr : r.problems) {
    out +=
        "problem: " + SanitizeMessage(Where(root, pr)) + ": " + SanitizeMessage(pr.message) + "\n";
  }
  for (const auto& pr : r.warnings) {
    out +=
        "warning: " + SanitizeMessage(Where(root, pr)) + ": " + SanitizeMessage(pr.message) + "\n";
  }
  for (const auto& a : r.repairs) out += "repaired: " + SanitizeMessage(a) + "\n";
  const Counts c = Count(r);
  out += "summary: " + std::to_string(c.data_parts) + " data parts (" +
         std::to_string(r.data_rows) + " rows, " + std::to_string(r.data_blocks) + " blocks), " +
         std::to_string(c.indexdb_parts) + " indexdb parts (" + std::to_string(r.indexdb_items) +
         " items), " + std::to_string(r.series) + " series, " + std::to_string(c.checksummed) +
         " parts with verified checksums; " + std::to_string(r.ProblemCount()) + " problems, " +
         std::to_string(r.warnings.size()) + " warnings" + (repaired ? " after repair" : "") +
         " (" + std::to_string(r.elapsed_ms) + " ms)\n";
  out += r.ProblemCount() == 0 ? "result: clean\n" : "result: PROBLEMS FOUND\n";
  return out;
}

std::string JsonReport(const storage::StorageCheckReport& r, bool repaired) {
  const std::string& root = r.path;
  nlohmann::json j;
  j["path"] = root;
  j["ok"] = r.ProblemCount() == 0;
  j["writer_active"] = r.writer_active;
  j["repaired"] = repaired;
  const Counts c = Count(r);
  j["summary"] = {{"data_parts", c.data_parts},       {"indexdb_parts", c.indexdb_parts},
                  {"bad_parts", c.bad_parts},         {"checksums_verified_parts", c.checksummed},
                  {"data_rows", r.data_rows},         {"data_blocks", r.data_blocks},
                  {"indexdb_items", r.indexdb_items}, {"series", r.series},
                  {"problems", r.ProblemCount()},     {"warnings", r.warnings.size()},
                  {"elapsed_ms", r.elapsed_ms}};
  nlohmann::json parts = nlohmann::json::array();
  for (const auto& p : r.parts) {
    nlohmann::json pj;
    pj["kind"] = KindName(p.kind);
    pj["path"] = p.rel_path;
    pj["ok"] = p.result.ok();
    pj[p.kind == storage::CheckedPart::Kind::kData ? "rows" : "items"] = p.result.items;
    pj["blocks"] = p.result.blocks;
    pj["checksums_verified"] = p.result.checksums_verified;
    nlohmann::json probs = nlohmann::json::array();
    for (const auto& pr : p.result.problems) probs.push_back(ProblemJson(root, pr));
    pj["problems"] = std::move(probs);
    parts.push_back(std::move(pj));
  }
  j["parts"] = std::move(parts);
  nlohmann::json probs = nlohmann::json::array(), warns = nlohmann::json::array();
  for (const auto& pr : r.problems) probs.push_back(ProblemJson(root, pr));
  for (const auto& pr : r.warnings) warns.push_back(ProblemJson(root, pr));
  j["problems"] = std::move(probs);
  j["warnings"] = std::move(warns);
  j["repairs"] = r.repairs;
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

void PrintError(const std::string& message) {
  std::fflush(stdout);
  std::fprintf(stderr, "vmengine: error: %s\n", SanitizeMessage(message).c_str());
}

int RunCheck(const CheckFlags& flags) {
  storage::StorageCheckOptions opts;
#ifdef VME_CHECK_HAS_PART_CHECKSUMS
  opts.part.verify_checksums = [](const std::string& dir) { return VerifyPartChecksums(dir); };
#endif
  auto r = storage::CheckStorage(flags.data_dir, opts);
  if (!r.ok()) {
    PrintError("check " + flags.data_dir + ": " + r.status().message());
    return kCheckFailed;
  }
  storage::StorageCheckReport report = std::move(r).value();
  if (flags.repair) {
    auto rr = storage::RepairStorage(flags.data_dir, report, opts);
    if (!rr.ok()) {
      PrintError("repair " + flags.data_dir + ": " + rr.status().message());
      return kCheckFailed;
    }
    report = std::move(rr).value();
  }
  const std::string out =
      flags.format == "json" ? JsonReport(report, flags.repair) : TextReport(report, flags.repair);
  const CommandStatus st = WriteOutput(out);
  if (!st.ok()) {
    PrintError(st.message());
    return kCheckFailed;
  }
  return report.ProblemCount() == 0 ? kCheckClean : kCheckProblems;
}

}  // namespace

CheckCommand AddCheckCommand(CLI::App* parent) {
  auto flags = std::make_shared<CheckFlags>();
  CLI::App* app = parent->add_subcommand(
      "check",
      "Verify every part, the indexdb and their consistency; exit 0 clean, 1 problems, 2 "
      "cannot check");
  app->add_option("--data", flags->data_dir, "Data directory")->required();
  app->add_flag("--repair", flags->repair,
                "Take flock.lock, quarantine bad parts, complete or remove leftovers, rebuild "
                "per-day index entries, then check again (see README)");
  app->add_option("--format", flags->format, "Report format: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  return CheckCommand{app, [flags] { return RunCheck(*flags); }};
}

}  // namespace vme::cli
