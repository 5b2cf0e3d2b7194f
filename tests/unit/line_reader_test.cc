// Unit tests of the importer's line reader (src/import/line_reader.h): zstd recognised by its
// magic number whatever the file's name, several frames and skippable frames, inputs shorter
// than the magic, lines split across reads, too-long lines, short reads at the start, and
// damaged zstd streams (Corruption naming the file and the compressed byte offset).
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zstd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "check.h"
#include "import/line_reader.h"
#include "test_util.h"

using vme::prom::LineReader;

namespace {

std::string Compress(const std::string& text, int level = 3) {
  std::string out(ZSTD_compressBound(text.size()), '\0');
  const size_t n = ZSTD_compress(out.data(), out.size(), text.data(), text.size(), level);
  if (ZSTD_isError(n)) std::abort();
  out.resize(n);
  return out;
}

// A skippable frame (RFC 8878) with the given payload.
std::string Skippable(const std::string& payload) {
  std::string f = "\x50\x2a\x4d\x18";
  const uint32_t n = static_cast<uint32_t>(payload.size());
  for (int i = 0; i < 4; i++) f.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  return f + payload;
}

void WriteFile(const std::string& path, const std::string& data) {
  FILE* f = std::fopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE_EQ(std::fwrite(data.data(), 1, data.size(), f), data.size());
  REQUIRE_EQ(std::fclose(f), 0);
}

struct ReadResult {
  vme::Status status;
  std::vector<std::string> lines;  // "<too long>" for a dropped line
  bool zstd = false;
};

ReadResult ReadAll(const std::string& path) {
  ReadResult r;
  LineReader reader;
  r.status = reader.Open(path);
  if (!r.status.ok()) return r;
  r.status = reader.ForEachLine([&](std::string_view line, bool too_long) {
    r.lines.push_back(too_long ? std::string("<too long>") : std::string(line));
    return true;
  });
  r.zstd = reader.zstd();
  return r;
}

void TestPlainAndZstdByMagic() {
  vme::test::TempDir dir;
  const std::string text = "a 1\nb 2\r\n\nc 3";
  const std::vector<std::string> want = {"a 1", "b 2\r", "", "c 3"};
  // The names lie on purpose: the content decides.
  WriteFile(dir.path() + "/plain.zst", text);
  WriteFile(dir.path() + "/packed.prom", Compress(text));
  ReadResult r = ReadAll(dir.path() + "/plain.zst");
  REQUIRE_OK(r.status);
  REQUIRE(!r.zstd);
  REQUIRE(r.lines == want);
  r = ReadAll(dir.path() + "/packed.prom");
  REQUIRE_OK(r.status);
  REQUIRE(r.zstd);
  REQUIRE(r.lines == want);
}

void TestShortInputs() {
  vme::test::TempDir dir;
  for (const std::string text : {"", "a", "a 1", "a 1\n", "\x28\xb5\x2f"}) {
    WriteFile(dir.path() + "/f", text);
    ReadResult r = ReadAll(dir.path() + "/f");
    REQUIRE_OK(r.status);
    REQUIRE(!r.zstd);
    const size_t want_lines = text.empty() ? 0 : 1;
    REQUIRE_EQ(r.lines.size(), want_lines);
    if (want_lines == 1) REQUIRE_EQ(r.lines[0] + (text.back() == '\n' ? "\n" : ""), text);
  }
}

void TestFramesAndSkippableFrames() {
  vme::test::TempDir dir;
  // A line split across two frames, a skippable frame first and in between.
  const std::string data =
      Skippable("meta") + Compress("a 1\nb ") + Skippable("") + Compress("2\nc 3\n", 19);
  WriteFile(dir.path() + "/f", data);
  ReadResult r = ReadAll(dir.path() + "/f");
  REQUIRE_OK(r.status);
  REQUIRE(r.zstd);
  REQUIRE(r.lines == (std::vector<std::string>{"a 1", "b 2", "c 3"}));
}

// Lines longer than a read (1 MiB) are joined; longer than kMaxLineBytes are dropped, once,
// and the next line is read.
void TestLongLines() {
  vme::test::TempDir dir;
  const std::string two_mib(2 << 20, 'x');
  const std::string too_long(LineReader::kMaxLineBytes + 1, 'y');
  const std::string max(LineReader::kMaxLineBytes, 'z');
  const std::string text = "a\n" + two_mib + "\n" + too_long + "\nb\n" + max + "\nc";
  for (const bool zstd : {false, true}) {
    WriteFile(dir.path() + "/f", zstd ? Compress(text, 1) : text);
    ReadResult r = ReadAll(dir.path() + "/f");
    REQUIRE_OK(r.status);
    REQUIRE_EQ(r.lines.size(), size_t{6});
    REQUIRE_EQ(r.lines[0], std::string("a"));
    REQUIRE(r.lines[1] == two_mib);
    REQUIRE_EQ(r.lines[2], std::string("<too long>"));
    REQUIRE_EQ(r.lines[3], std::string("b"));
    REQUIRE(r.lines[4] == max);
    REQUIRE_EQ(r.lines[5], std::string("c"));
  }
}

// An input whose reads return one byte at a time at first (a SOCK_SEQPACKET socket returns one
// message per read) is still recognised as zstd: the magic number is collected across reads.
void TestMagicAcrossShortReads() {
  const std::string data = Compress("p 1\nq 2\n");
  int fds[2];
  REQUIRE_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, fds), 0);
  for (size_t i = 0; i < 3; i++) REQUIRE_EQ(write(fds[1], &data[i], 1), 1);
  REQUIRE_EQ(write(fds[1], data.data() + 3, data.size() - 3),
             static_cast<ssize_t>(data.size() - 3));
  close(fds[1]);
  LineReader reader;
  reader.OpenFd(fds[0], "<socket>");
  std::vector<std::string> lines;
  const vme::Status st = reader.ForEachLine([&](std::string_view line, bool) {
    lines.emplace_back(line);
    return true;
  });
  close(fds[0]);
  REQUIRE_OK(st);
  REQUIRE(reader.zstd());
  REQUIRE(lines == (std::vector<std::string>{"p 1", "q 2"}));
}

void TestDamagedZstd() {
  vme::test::TempDir dir;
  std::string text;
  for (int i = 0; i < 200000; i++) text += "metric{i=\"" + std::to_string(i) + "\"} 1\n";
  const std::string z = Compress(text);
  const std::string path = dir.path() + "/damaged.prom";
  // Cut in the middle: the complete lines before the cut, then Corruption with the offset.
  WriteFile(path, z.substr(0, z.size() / 2));
  ReadResult r = ReadAll(path);
  REQUIRE_EQ(static_cast<int>(r.status.code()), static_cast<int>(vme::Code::kCorruption));
  REQUIRE(r.status.message().find(path) != std::string::npos, "%s", r.status.message().c_str());
  REQUIRE(r.status.message().find("offset " + std::to_string(z.size() / 2)) != std::string::npos,
          "%s", r.status.message().c_str());
  REQUIRE(r.lines.size() > 1000);
  REQUIRE(r.lines.size() < 200000);
  for (size_t i = 0; i < r.lines.size(); i++) {
    REQUIRE_EQ(r.lines[i], "metric{i=\"" + std::to_string(i) + "\"} 1");
  }
  // Garbage after a valid frame.
  WriteFile(path, Compress("a 1\n") + "\x28\xb5\x2f\xfd not a frame header");
  r = ReadAll(path);
  REQUIRE_EQ(static_cast<int>(r.status.code()), static_cast<int>(vme::Code::kCorruption));
  REQUIRE(r.status.message().find("offset") != std::string::npos, "%s", r.status.message().c_str());
  REQUIRE(r.lines == (std::vector<std::string>{"a 1"}));
}

void TestOpenErrors() {
  vme::test::TempDir dir;
  LineReader missing;
  vme::Status st = missing.Open(dir.path() + "/none");
  REQUIRE_EQ(static_cast<int>(st.code()), static_cast<int>(vme::Code::kNotFound));
  REQUIRE(st.message().find(dir.path() + "/none: No such file or directory") != std::string::npos,
          "%s", st.message().c_str());
  LineReader directory;
  st = directory.Open(dir.path());
  REQUIRE_EQ(static_cast<int>(st.code()), static_cast<int>(vme::Code::kIo));
  REQUIRE(st.message().find("is a directory") != std::string::npos, "%s", st.message().c_str());
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests(
      {VME_TEST(TestPlainAndZstdByMagic), VME_TEST(TestShortInputs),
       VME_TEST(TestFramesAndSkippableFrames), VME_TEST(TestLongLines),
       VME_TEST(TestMagicAcrossShortReads), VME_TEST(TestDamagedZstd), VME_TEST(TestOpenErrors)},
      argc, argv);
}
