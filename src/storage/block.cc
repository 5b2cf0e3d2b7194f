#include "storage/block.h"

#include <algorithm>

#include "encoding/decimal.h"
#include "encoding/int64_array.h"
#include "storage/part.h"

namespace vme::storage {

void DataBlock::Reset() {
  header = BlockHeader();
  timestamps_data.clear();
  values_data.clear();
  timestamps.clear();
  values.clear();
  decoded = false;
  source = nullptr;
}

void DataBlock::InitDecoded(const TSID& tsid, const int64_t* ts, const int64_t* mantissas, size_t n,
                            int16_t scale, uint8_t precision_bits) {
  Reset();
  header.tsid = tsid;
  header.scale = scale;
  header.precision_bits = precision_bits;
  timestamps.assign(ts, ts + n);
  values.assign(mantissas, mantissas + n);
  decoded = true;
  FixupTimestamps();
}

void DataBlock::FixupTimestamps() {
  if (timestamps.empty()) {
    header.rows_count = 0;
    return;
  }
  header.min_timestamp = timestamps.front();
  header.max_timestamp = timestamps.back();
  header.rows_count = static_cast<uint32_t>(timestamps.size());
}

bool DataBlock::TooBig() const {
  if (decoded) return timestamps.size() >= kMaxRowsPerBlock;
  return header.rows_count >= kMaxRowsPerBlock || values_data.size() >= kMaxBlockSize;
}

Status DecodeBlockPayloads(const BlockHeader& bh, std::string_view timestamps_data,
                           std::string_view values_data, std::vector<int64_t>* timestamps,
                           std::vector<int64_t>* mantissas) {
  timestamps->clear();
  mantissas->clear();
  const size_t n = bh.rows_count;
  if (n == 0) return Status::Corruption("block has no rows");
  timestamps->resize(n);
  mantissas->resize(n);
  Status st = DecodeBlockPayloadsTo(bh, timestamps_data, values_data, timestamps->data(),
                                    mantissas->data());
  if (!st.ok()) {
    timestamps->clear();
    mantissas->clear();
  }
  return st;
}

Status DecodeBlockPayloadsTo(const BlockHeader& bh, std::string_view timestamps_data,
                             std::string_view values_data, int64_t* t, int64_t* mantissas) {
  const size_t n = bh.rows_count;
  if (n == 0) return Status::Corruption("block has no rows");
  VME_RETURN_IF_ERROR(
      enc::UnmarshalInt64ArrayTo(t, timestamps_data,
                                 static_cast<enc::MarshalType>(bh.timestamps_marshal_type),
                                 bh.min_timestamp, n)
          .WithContext("cannot decode timestamps"));
  if (bh.precision_bits < 64) {
    enc::EnsureNonDecreasingSequence(t, n, bh.min_timestamp, bh.max_timestamp);
  } else {
    if (t[0] < bh.min_timestamp) {
      return Status::Corruption("timestamp " + std::to_string(t[0]) +
                                " is smaller than the block MinTimestamp " +
                                std::to_string(bh.min_timestamp));
    }
    bool unsorted = false;
    for (size_t i = 1; i < n; i++) unsorted |= t[i] < t[i - 1];
    if (unsorted) {
      for (size_t i = 1; i < n; i++) {
        if (t[i] < t[i - 1]) {
          return Status::Corruption("timestamps are not sorted at row " + std::to_string(i));
        }
      }
    }
    if (t[n - 1] > bh.max_timestamp) {
      return Status::Corruption("timestamp " + std::to_string(t[n - 1]) +
                                " exceeds the block MaxTimestamp " +
                                std::to_string(bh.max_timestamp));
    }
  }
  return enc::UnmarshalInt64ArrayTo(mantissas, values_data,
                                    static_cast<enc::MarshalType>(bh.values_marshal_type),
                                    bh.first_value, n)
      .WithContext("cannot decode values");
}

Status DataBlock::Decode() {
  if (decoded) return Status::OK();
  const Status st = DecodeBlockPayloads(header, timestamps_data, values_data, &timestamps, &values);
  if (!st.ok()) {
    timestamps.clear();
    values.clear();
    if (source == nullptr) return st;
    return source->BlockDecodeError(header, st);
  }
  timestamps_data.clear();
  values_data.clear();
  decoded = true;
  return Status::OK();
}

void DataBlock::Encode() {
  if (!decoded) return;
  const size_t n = timestamps.size();
  values_data.clear();
  timestamps_data.clear();
  int64_t first = 0;
  header.values_marshal_type = static_cast<uint8_t>(
      enc::MarshalValues(&values_data, values.data(), n, header.precision_bits, &first));
  header.first_value = first;
  header.values_block_size = static_cast<uint32_t>(values_data.size());
  header.timestamps_marshal_type = static_cast<uint8_t>(enc::MarshalTimestamps(
      &timestamps_data, timestamps.data(), n, header.precision_bits, &first));
  header.min_timestamp = first;
  header.max_timestamp = timestamps[n - 1];
  header.timestamps_block_size = static_cast<uint32_t>(timestamps_data.size());
  header.rows_count = static_cast<uint32_t>(n);
  timestamps.clear();
  values.clear();
  decoded = false;
}

void AppendRowsWithTimeRangeFilter(const std::vector<int64_t>& timestamps,
                                   const std::vector<int64_t>& mantissas, int16_t scale,
                                   TimeRange tr, std::vector<int64_t>* dst_ts,
                                   std::vector<double>* dst_values) {
  size_t lo = 0;
  size_t hi = timestamps.size();
  while (lo < hi && timestamps[lo] < tr.min_timestamp) lo++;
  while (hi > lo && timestamps[hi - 1] > tr.max_timestamp) hi--;
  if (lo == hi) return;
  dst_ts->insert(dst_ts->end(), timestamps.begin() + lo, timestamps.begin() + hi);
  dec::AppendDecimalToFloat(dst_values, mantissas.data() + lo, hi - lo, scale);
}

}  // namespace vme::storage
