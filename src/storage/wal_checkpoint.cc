// Storage's write-ahead log: opening and replaying wal/, checkpoints, and the crash-test
// close (storage.h, "Write-ahead log"; docs/durability.md).
//
// Exactly once: a row is durable in parts only after a checkpoint flushed it, and the
// checkpoint file (wal_state.h) says which records that covers:
//   - records before `durable` are in durable parts: never replayed (their segments go);
//   - records in [durable, check_until) may be partly in durable parts (rows added while a
//     checkpoint flushed, or everything after `durable` when a crash hit a checkpoint between
//     its intent and its record): replay adds only rows not found in the parts on disk (same
//     series, timestamp and value, each found row used once);
//   - records from check_until on are in no durable part: replayed as they are.
// A checkpoint: (1) rotate the segment with writers held out of the append -> raw rows window,
// so that every row before the rotation point p is in raw rows, in-memory parts or disk;
// (2) record the intent (check_until = end of log); (3) flush indexdb, raw rows and in-memory
// parts; (4) record durable = p, check_until = the log's position now; (5) delete the segments
// before p. Between the steps, a crash leaves a state that replays each acknowledged row
// exactly once.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <map>
#include <unordered_map>

#include "encoding/int.h"
#include "storage/part_search.h"
#include "storage/storage.h"
#include "storage/time.h"

namespace vme::storage {
namespace {

struct RowKey {
  uint64_t metric_id;
  int64_t ts;
  bool operator==(const RowKey& o) const { return metric_id == o.metric_id && ts == o.ts; }
};
struct RowKeyHash {
  size_t operator()(const RowKey& k) const {
    return std::hash<uint64_t>()(k.metric_id * 0x9E3779B97F4A7C15ull ^ static_cast<uint64_t>(k.ts));
  }
};

// The same sample as stored: values go through a decimal conversion, so equal up to its
// rounding.
bool SameValue(double a, double b) {
  if (a == b) return true;
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::fabs(a - b) <= 1e-12 * std::max(std::fabs(a), std::fabs(b));
}

// Removes from *rows the rows found in parts (each found row removes one); returns how many.
Result<uint64_t> DropRowsInParts(const std::vector<PartPtr>& parts, std::vector<RawRow>* rows,
                                 std::vector<std::string_view>* keys) {
  if (rows->empty() || parts.empty()) return uint64_t{0};
  std::vector<TSID> tsids;
  TimeRange tr{INT64_MAX, INT64_MIN};
  std::unordered_map<RowKey, std::vector<double>, RowKeyHash> found;
  for (const RawRow& r : *rows) {
    tsids.push_back(r.tsid);
    tr.min_timestamp = std::min(tr.min_timestamp, r.timestamp);
    tr.max_timestamp = std::max(tr.max_timestamp, r.timestamp);
    found[RowKey{r.tsid.metric_id, r.timestamp}];
  }
  std::sort(tsids.begin(), tsids.end());
  tsids.erase(std::unique(tsids.begin(), tsids.end()), tsids.end());
  Block b;
  for (const PartPtr& p : parts) {
    if (p->header().max_timestamp < tr.min_timestamp ||
        p->header().min_timestamp > tr.max_timestamp) {
      continue;
    }
    PartSearch ps;
    ps.Init(p, &tsids, tr);
    while (ps.NextBlock()) {
      VME_RETURN_IF_ERROR(ps.ReadBlock(&b));
      const uint64_t id = ps.block_header().tsid.metric_id;
      for (size_t i = 0; i < b.timestamps.size(); i++) {
        auto it = found.find(RowKey{id, b.timestamps[i]});
        if (it != found.end()) it->second.push_back(b.values[i]);
      }
    }
    VME_RETURN_IF_ERROR(ps.status());
  }
  uint64_t dropped = 0;
  size_t out = 0;
  for (size_t k = 0; k < rows->size(); k++) {
    const RawRow& r = (*rows)[k];
    auto& vals = found[RowKey{r.tsid.metric_id, r.timestamp}];
    auto m =
        std::find_if(vals.begin(), vals.end(), [&](double v) { return SameValue(v, r.value); });
    if (m != vals.end()) {
      vals.erase(m);
      dropped++;
      continue;
    }
    (*rows)[out] = r;
    (*keys)[out] = (*keys)[k];
    out++;
  }
  rows->resize(out);
  keys->resize(out);
  return dropped;
}

}  // namespace

void Storage::Log(const std::string& line) const {
  if (opts_.log) {
    opts_.log(line);
  } else {
    std::fprintf(stderr, "vmengine: %s\n", line.c_str());
  }
}

Status Storage::WalCrashPoint(std::string_view point) const {
  return opts_.wal_crash_point_for_testing ? opts_.wal_crash_point_for_testing(point)
                                           : Status::OK();
}

Status Storage::OpenWal() {
  const std::string dir = WalDir();
  if (opts_.read_only) {
    // A read-only open writes nothing, so it cannot replay (replay ends with a flush).
    VME_ASSIGN_OR_RETURN(auto segs, ListWalSegments(dir));
    if (!segs.empty()) {
      Log("read-only open of " + path_ + ": the write-ahead log " + dir + " has " +
          std::to_string(segs.size()) +
          " segment(s) that are not replayed; rows only in it are not visible until a "
          "read-write open replays them");
    }
    return Status::OK();
  }
  uint64_t next_seq = 1;
  if (fs::IsDir(dir)) VME_RETURN_IF_ERROR(ReplayWal(&next_seq));
  if (opts_.wal_mode == StorageOptions::WalMode::kOff) {
    // Everything the log held is now in durable parts.
    if (fs::IsDir(dir)) VME_RETURN_IF_ERROR(fs::RemoveAllSync(dir));
    return Status::OK();
  }
  WalWriterOptions wo;
  wo.segment_bytes = std::clamp<uint64_t>(opts_.wal_max_bytes / 4, 4096, 16u << 20);
  wo.sync_interval_ms =
      opts_.wal_mode == StorageOptions::WalMode::kAsync ? opts_.wal_sync_interval_ms : 0;
  wo.fault_for_testing = opts_.wal_fault_for_testing;
  wal_state_ = WalState{{next_seq, 0}, {next_seq, 0}};
  VME_ASSIGN_OR_RETURN(wal_, WalWriter::Open(dir, next_seq, wo));
  return Status::OK();
}

Status Storage::ReplayCheckpoint(WalState* state, WalPosition upto) {
  WalState intent = *state;
  intent.check_until = std::max(state->check_until, upto);
  if (!(intent.check_until == state->check_until)) {
    VME_RETURN_IF_ERROR(WriteWalState(WalDir(), intent));
  }
  VME_RETURN_IF_ERROR(FlushIndexDB());
  for (const auto& p : table_->Partitions()) VME_RETURN_IF_ERROR(p->FlushToDisk());
  *state = WalState{upto, intent.check_until};
  return WriteWalState(WalDir(), *state);
}

Status Storage::ReplayWal(uint64_t* next_seq) {
  const std::string dir = WalDir();
  WalState state;
  VME_RETURN_IF_ERROR(ReadWalState(dir, &state));
  VME_ASSIGN_OR_RETURN(auto names, fs::ListDir(dir));
  for (const auto& n : names) {  // leftovers of interrupted checkpoint file writes
    uint64_t seq;
    if (n != "checkpoint" && !ParseWalSegmentName(n, &seq)) {
      VME_RETURN_IF_ERROR(fs::RemoveAllSync(fs::Join(dir, n)));
    }
  }
  VME_ASSIGN_OR_RETURN(auto segs, ListWalSegments(dir));
  uint64_t max_seq = state.durable.segment;
  if (!(state.check_until == WalPosition::Max())) {
    max_seq = std::max(max_seq, state.check_until.segment);
  }
  if (!segs.empty()) max_seq = std::max(max_seq, segs.back());
  *next_seq = max_seq + 1;

  // The parts on disk before the replay: rows of the check range found there are not added.
  std::vector<PartPtr> on_disk;
  for (const auto& p : table_->Partitions()) {
    auto parts = p->Parts();
    on_disk.insert(on_disk.end(), parts.begin(), parts.end());
  }
  // A flush after this many replayed rows bounds the in-memory parts of a long replay.
  const uint64_t flush_every = 2'000'000;
  uint64_t since_flush = 0;
  const int64_t min_ts = [&] {
    int64_t now = scheduler_->NowMs(), d = 0;
    if (opts_.retention_ms <= 0 || __builtin_sub_overflow(now, opts_.retention_ms, &d))
      return int64_t{0};
    return std::max<int64_t>(0, d);
  }();

  struct Series {
    uint32_t account_id = 0, project_id = 0;
    std::string key;
    bool resolved = false, bad = false;
    TSID tsid;
  };
  struct Group {
    uint32_t account_id, project_id;
    std::vector<RawRow> rows;
    std::vector<std::string_view> keys;
  };
  for (uint64_t seq : segs) {
    const std::string path = fs::Join(dir, WalSegmentName(seq));
    if (seq < state.durable.segment) {  // a crash came between a checkpoint and its cleanup
      if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
        return Status::IoError("cannot remove WAL segment " + path);
      }
      continue;
    }
    VME_ASSIGN_OR_RETURN(std::string bytes, fs::ReadFile(path));
    std::unordered_map<uint64_t, Series> series;
    std::vector<Group> groups;
    MetricName mn;
    auto on_record = [&](uint64_t off, uint64_t end, const WalBatch& batch) -> Status {
      const WalPosition pos{seq, off};
      for (const WalSeriesDef& d : batch.series) {
        Series& s = series[d.metric_id];
        s.account_id = d.account_id;
        s.project_id = d.project_id;
        s.key.assign(d.key);
        s.resolved = false;
      }
      if (pos < state.durable) return Status::OK();
      for (auto& g : groups) {
        g.rows.clear();
        g.keys.clear();
      }
      for (const WalRow& row : batch.rows) {
        auto it = series.find(row.metric_id);
        if (it == series.end()) {  // its definition was in a skipped corrupt record
          wal_replay_skipped_rows_++;
          continue;
        }
        Series& s = it->second;
        if (!s.resolved) {
          std::string cache_key;
          enc::AppendU32(&cache_key, s.account_id);
          enc::AppendU32(&cache_key, s.project_id);
          cache_key += s.key;
          s.bad = false;
          if (!series_->GetCached(cache_key, &s.tsid)) {
            VME_RETURN_IF_ERROR(series_->GetOrCreateTSID(cache_key, s.key, s.account_id,
                                                         s.project_id, &s.tsid, &mn, &s.bad));
          }
          s.resolved = true;
        }
        if (s.bad || row.timestamp < min_ts) {
          wal_replay_skipped_rows_++;
          continue;
        }
        auto g = std::find_if(groups.begin(), groups.end(), [&](const Group& x) {
          return x.account_id == s.account_id && x.project_id == s.project_id;
        });
        if (g == groups.end()) {
          groups.push_back(Group{s.account_id, s.project_id, {}, {}});
          g = groups.end() - 1;
        }
        g->rows.push_back(RawRow{s.tsid, row.timestamp, row.value, 64});
        g->keys.push_back(s.key);
      }
      const bool check = pos < state.check_until;
      for (auto& g : groups) {
        if (check) {
          VME_ASSIGN_OR_RETURN(uint64_t dropped, DropRowsInParts(on_disk, &g.rows, &g.keys));
          wal_replay_skipped_rows_ += dropped;
        }
        if (g.rows.empty()) continue;
        VME_RETURN_IF_ERROR(series_->AddPerDayEntries(g.rows, g.account_id, g.project_id,
                                                      [&](size_t k) { return g.keys[k]; }));
        std::vector<bool> stored(g.rows.size(), false);
        uint64_t n = 0;
        VME_RETURN_IF_ERROR(StoreRows(&g.rows, &stored, &n));
        wal_replayed_rows_ += n;
        since_flush += n;
      }
      if (since_flush >= flush_every) {
        since_flush = 0;
        VME_RETURN_IF_ERROR(ReplayCheckpoint(&state, WalPosition{seq, end}));
      }
      return Status::OK();
    };
    WalDecodeResult res;
    VME_RETURN_IF_ERROR(DecodeWalRecords(bytes, path, opts_.wal_recovery, on_record, &res));
    wal_skipped_records_ += res.skipped_records;
    if (res.torn_tail) {
      wal_cut_tails_++;
      Log("WAL segment " + path + ": cut a torn tail at offset " + std::to_string(res.valid_end) +
          " (" + std::to_string(bytes.size() - res.valid_end) + " bytes, " + res.tail_reason + ")");
    }
    if (res.skipped_records > 0) {
      Log("WAL segment " + path + ": skipped " + std::to_string(res.skipped_records) +
          " corrupt record(s) (wal_recovery=skip_corrupt)");
    }
  }
  // Everything replayed is made durable; the old segments go.
  VME_RETURN_IF_ERROR(ReplayCheckpoint(&state, WalPosition{*next_seq, 0}));
  for (uint64_t seq : segs) {
    const std::string path = fs::Join(dir, WalSegmentName(seq));
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return Status::IoError("cannot remove WAL segment " + path);
    }
  }
  return fs::FsyncDir(dir);
}

std::unique_lock<std::shared_mutex> Storage::HoldWalWriters() {
  std::lock_guard<std::mutex> gate(wal_gate_);
  return std::unique_lock<std::shared_mutex>(wal_append_mu_);
}

Status Storage::WalCheckpoint(bool try_only, std::unique_lock<std::shared_mutex>* writers) {
  std::unique_lock<std::mutex> ck(ckpt_mu_, std::defer_lock);
  if (try_only) {
    if (!ck.try_lock()) return Status::OK();
  } else {
    ck.lock();
  }
  WalPosition p;
  {
    std::unique_lock<std::shared_mutex> al = HoldWalWriters();
    VME_ASSIGN_OR_RETURN(p, wal_->Rotate());
    if (writers != nullptr) *writers = std::move(al);
  }
  VME_RETURN_IF_ERROR(WalCrashPoint("rotated"));
  VME_RETURN_IF_ERROR(WriteWalState(WalDir(), WalState{wal_state_.durable, WalPosition::Max()}));
  VME_RETURN_IF_ERROR(WalCrashPoint("intent"));
  VME_RETURN_IF_ERROR(FlushIndexDB());
  for (const auto& part : table_->Partitions()) VME_RETURN_IF_ERROR(part->FlushToDisk());
  VME_RETURN_IF_ERROR(WalCrashPoint("flushed"));
  const WalState done{p, std::max(p, wal_->Position())};
  VME_RETURN_IF_ERROR(WriteWalState(WalDir(), done));
  wal_state_ = done;
  VME_RETURN_IF_ERROR(WalCrashPoint("recorded"));
  VME_RETURN_IF_ERROR(wal_->RemoveSegmentsBefore(p.segment));
  wal_checkpoints_++;
  return Status::OK();
}

void Storage::AbandonForTesting() {
  if (scheduler_) scheduler_->Stop();
  std::unique_lock<std::shared_mutex> l(close_mu_);
  if (closed_.load()) return;
  closed_ = true;
  if (wal_ != nullptr) {
    wal_->Abandon();
    wal_.reset();
  }
  table_.reset();  // raw rows and in-memory parts are lost, as in a crash
  lock_.reset();
}

}  // namespace vme::storage
