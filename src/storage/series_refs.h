// SeriesRefs: the series references of one storage handle (vme_series_refs_resolve,
// vme_add_rows_ref in include/vmengine.h). A caller that ingests the same series over and over
// resolves each series key once to a 64-bit reference and then passes only the reference, so
// the write path reads the TSID from a table slot instead of hashing and comparing the series
// key against the TSID cache for every row. It plays the part of Prometheus' SeriesRef
// (storage.SeriesRef in storage/interface.go); VictoriaMetrics 1.72 has no equivalent (its
// Storage.add looks every row's raw name up in the tsidCache).
//
// A reference is
//   bits 63..48  the table's tag (a process-wide counter, so references of another handle
//                are refused)
//   bits 47..32  the slot's generation (bumped when a slot is freed, so a released reference
//                is refused once its slot is reused)
//   bits 31..0   the slot index
// Zero is never a reference.
//
// A slot holds the tenant-prefixed series key (the TSID cache key) and, once a row was added,
// the TSID it resolved to with the storage's series epoch at that time (Storage bumps the epoch
// when cached TSIDs may have become wrong: indexdb rotation, series deletion), and the last day
// whose per-day index entries are known to exist. A slot whose epoch is not current is resolved
// again from its key, so references survive rotations and deletions. Resolving the same key
// again returns the same reference with one more reference count; Release drops one.
//
// Thread-safety: every method may be called concurrently. One shared_mutex guards the table:
// readers (Read) hold it shared for a whole batch; Acquire, Release and the Update* writers
// take it exclusively, briefly, never across I/O. It is a leaf lock (storage.h lock order).
#pragma once

#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/tsid.h"
#include "util/status.h"

namespace vme::storage {

class SeriesRefs {
 public:
  // State of a slot's resolution.
  enum State : uint8_t { kUnresolved = 0, kResolved = 1, kBadLabels = 2 };
  // What the write path needs of a slot, read under the shared lock.
  struct Slot {
    TSID tsid;
    uint64_t epoch = 0;        // Storage series epoch of tsid; 0 = never resolved
    int64_t date = INT64_MIN;  // latest day (ms / 86400000) with per-day entries, this epoch
    uint32_t gen = 0;          // generation of the slot (low 16 bits go into references)
    bool live = false;         // allocated
    State state = kUnresolved;
  };

  SeriesRefs();

  // Returns the reference of cache_key (tenant + series key), adding a new slot or one
  // reference count to the existing one.
  uint64_t Acquire(std::string_view cache_key);
  // Drops one reference count of each of refs[0..n) (0 is skipped); a slot whose count
  // reaches zero is freed. InvalidArgument naming the index for a reference that is not
  // live in this table (nothing is released then).
  Status Release(const uint64_t* refs, size_t n);

  // Decodes refs[0..n) into slot indexes; InvalidArgument naming the first bad index.
  Status Slots(const uint64_t* refs, size_t n, uint32_t* slots) const;

  // Shared-lock access for the write path: the lock, then Get(slot) while holding it.
  std::shared_lock<std::shared_mutex> ReadLock() const {
    return std::shared_lock<std::shared_mutex>(mu_);
  }
  const Slot& Get(uint32_t slot) const { return slots_[slot]; }
  // The key of a live slot (hold ReadLock); valid while the slot is live.
  std::string_view Key(uint32_t slot) const { return *keys_[slot]; }

  // A resolution of `slot` made at `epoch` from the key of generation `gen`.
  struct Resolution {
    uint32_t slot = 0;
    uint32_t gen = 0;
    uint64_t epoch = 0;
    State state = kUnresolved;
    TSID tsid;
  };
  // Records resolutions (one exclusive lock); those of slots freed or resolved at a later
  // epoch meanwhile are ignored.
  void UpdateResolved(const std::vector<Resolution>& rs);
  // Records that the per-day entries of (date, tsid) exist: r.tsid and r.epoch must still be
  // the slot's, else the record is ignored. date is the day (ms / 86400000); a slot keeps the
  // latest day recorded, so rows of earlier days take the per-day lookup of the registry.
  struct DateUpdate {
    Resolution r;
    int64_t date = 0;
  };
  void UpdateDates(const std::vector<DateUpdate>& ds);

  size_t live() const;

 private:
  uint64_t Encode(uint32_t slot) const {
    return (static_cast<uint64_t>(tag_) << 48) |
           (static_cast<uint64_t>(slots_[slot].gen & 0xffff) << 32) | slot;
  }

  const uint16_t tag_;
  mutable std::shared_mutex mu_;
  std::vector<Slot> slots_;
  std::vector<const std::string*> keys_;              // slot -> key in by_key_ (nullptr when free)
  std::vector<uint32_t> counts_;                      // slot -> reference count
  std::vector<uint32_t> free_;                        // freed slots, reused first
  std::unordered_map<std::string, uint32_t> by_key_;  // node-based: key pointers are stable
};

}  // namespace vme::storage
