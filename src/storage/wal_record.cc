#include "storage/wal_record.h"

#include <xxhash.h>

#include <cstring>

#include "encoding/int.h"

namespace vme::storage {
namespace {

uint64_t BodyChecksum(std::string_view body) {
  return XXH3_64bits_withSeed(body.data(), body.size(), body.size());
}

// Parses a body into *batch; false if it is malformed.
bool ParseBody(std::string_view body, WalBatch* batch, std::string* why) {
  batch->series.clear();
  batch->rows.clear();
  if (body.empty() || static_cast<uint8_t>(body[0]) != kWalBatchRecord) {
    *why = "unknown record type";
    return false;
  }
  body.remove_prefix(1);
  uint64_t s = 0;
  if (!enc::ReadVarUint64(&body, &s) || s > body.size()) {
    *why = "bad series count";
    return false;
  }
  batch->series.reserve(s);
  for (uint64_t i = 0; i < s; i++) {
    WalSeriesDef d;
    if (!enc::ReadVarUint64(&body, &d.metric_id) || !enc::ReadU32(&body, &d.account_id) ||
        !enc::ReadU32(&body, &d.project_id) || !enc::ReadBytes(&body, &d.key)) {
      *why = "truncated series definition";
      return false;
    }
    batch->series.push_back(d);
  }
  uint64_t n = 0;
  if (!enc::ReadVarUint64(&body, &n) || n > body.size() / 10) {
    *why = "bad row count";
    return false;
  }
  batch->rows.resize(n);
  uint64_t id = 0;
  int64_t ts = 0;
  for (uint64_t i = 0; i < n; i++) {
    int64_t did = 0, dts = 0;
    uint64_t bits = 0;
    if (!enc::ReadVarInt64(&body, &did) || !enc::ReadVarInt64(&body, &dts) ||
        !enc::ReadU64(&body, &bits)) {
      *why = "truncated row";
      return false;
    }
    id += static_cast<uint64_t>(did);
    ts = static_cast<int64_t>(static_cast<uint64_t>(ts) + static_cast<uint64_t>(dts));
    WalRow& r = batch->rows[i];
    r.metric_id = id;
    r.timestamp = ts;
    std::memcpy(&r.value, &bits, 8);
  }
  if (!body.empty()) {
    *why = "trailing bytes after the rows";
    return false;
  }
  return true;
}

// Checks the record at off; on success *end is its end and *batch its content.
bool ValidRecordAt(std::string_view bytes, uint64_t off, WalBatch* batch, uint64_t* end,
                   std::string* why) {
  if (bytes.size() - off < kWalHeaderSize) {
    *why = "truncated record header";
    return false;
  }
  const char* p = bytes.data() + off;
  if (std::memcmp(p, kWalMagic, 4) != 0) {
    *why = "bad magic";
    return false;
  }
  const uint32_t len = enc::LoadU32(p + 4);
  if (len == 0 || len > kMaxWalRecordBody) {
    *why = "bad record length " + std::to_string(len);
    return false;
  }
  if (bytes.size() - off - kWalHeaderSize < len) {
    *why = "record of " + std::to_string(len) + " bytes runs past the end of the segment";
    return false;
  }
  const std::string_view body(p + kWalHeaderSize, len);
  if (BodyChecksum(body) != enc::LoadU64(p + 8)) {
    *why = "checksum mismatch";
    return false;
  }
  if (!ParseBody(body, batch, why)) return false;
  *end = off + kWalHeaderSize + len;
  return true;
}

// The offset of the next valid record after off, or bytes.size() if none.
uint64_t NextValidRecord(std::string_view bytes, uint64_t off, WalBatch* scratch) {
  for (uint64_t pos = off + 1; pos + kWalHeaderSize <= bytes.size(); pos++) {
    const void* hit = std::memchr(bytes.data() + pos, kWalMagic[0], bytes.size() - pos);
    if (hit == nullptr) break;
    pos = static_cast<uint64_t>(static_cast<const char*>(hit) - bytes.data());
    uint64_t end = 0;
    std::string why;
    if (ValidRecordAt(bytes, pos, scratch, &end, &why)) return pos;
  }
  return bytes.size();
}

}  // namespace

Status DecodeWalRecords(std::string_view bytes, std::string_view segment, WalRecovery recovery,
                        const WalRecordFn& fn, WalDecodeResult* result) {
  *result = WalDecodeResult{};
  WalBatch batch, scratch;
  uint64_t off = 0;
  while (off < bytes.size()) {
    uint64_t end = 0;
    std::string why;
    if (ValidRecordAt(bytes, off, &batch, &end, &why)) {
      result->records++;
      result->valid_end = end;
      VME_RETURN_IF_ERROR(fn(off, end, batch));
      off = end;
      continue;
    }
    const uint64_t next = NextValidRecord(bytes, off, &scratch);
    if (next >= bytes.size()) {  // nothing valid follows: a torn tail
      result->torn_tail = true;
      result->tail_reason = why;
      return Status::OK();
    }
    if (recovery == WalRecovery::kStrict) {
      return Status::Corruption("WAL segment " + std::string(segment) +
                                ": corrupt record at offset " + std::to_string(off) + " (" + why +
                                ") followed by a valid record at offset " + std::to_string(next) +
                                "; open with wal_recovery=skip_corrupt to skip it");
    }
    result->skipped_records++;
    off = next;
  }
  return Status::OK();
}

void AppendWalRows(std::string* dst, const WalRow* rows, size_t n) {
  enc::AppendVarUint64(dst, n);
  uint64_t id = 0;
  int64_t ts = 0;
  for (size_t i = 0; i < n; i++) {
    enc::AppendVarInt64(dst, static_cast<int64_t>(rows[i].metric_id - id));
    enc::AppendVarInt64(dst, static_cast<int64_t>(static_cast<uint64_t>(rows[i].timestamp) -
                                                  static_cast<uint64_t>(ts)));
    uint64_t bits;
    std::memcpy(&bits, &rows[i].value, 8);
    enc::AppendU64(dst, bits);
    id = rows[i].metric_id;
    ts = rows[i].timestamp;
  }
}

void AppendWalSeriesDef(std::string* dst, const WalSeriesDef& s) {
  enc::AppendVarUint64(dst, s.metric_id);
  enc::AppendU32(dst, s.account_id);
  enc::AppendU32(dst, s.project_id);
  enc::AppendBytes(dst, s.key);
}

void AppendWalRecord(std::string* dst, size_t series_count, std::string_view series_defs,
                     std::string_view rows_part) {
  const size_t start = dst->size();
  dst->append(kWalMagic, 4);
  dst->append(12, '\0');  // length and checksum, set below
  dst->push_back(static_cast<char>(kWalBatchRecord));
  enc::AppendVarUint64(dst, series_count);
  dst->append(series_defs);
  dst->append(rows_part);
  const size_t len = dst->size() - start - kWalHeaderSize;
  const std::string_view body(dst->data() + start + kWalHeaderSize, len);
  const uint64_t sum = BodyChecksum(body);
  for (int i = 0; i < 4; i++) {
    (*dst)[start + 4 + i] = static_cast<char>(static_cast<uint32_t>(len) >> (24 - 8 * i));
  }
  for (int i = 0; i < 8; i++) (*dst)[start + 8 + i] = static_cast<char>(sum >> (56 - 8 * i));
}

}  // namespace vme::storage
