// The fault layer itself (util/fault_injection.h; docs/testing.md, "Fault injection"): which
// call a rule hits (the Nth, every one, by operation kind and path substring), the effects
// (ENOSPC, EIO, a short write, counting only), the errors util/fs.h then returns (the path and
// the OS error), the VME_FS_FAULTS syntax and its errors, arming from the environment of a
// fresh process, and exactly one Nth call among concurrent writers (runs under
// ThreadSanitizer).
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "check.h"
#include "test_util.h"
#include "util/fault_injection.h"
#include "util/fs.h"

extern char** environ;

namespace {

using namespace vme::test;  // NOLINT
namespace fault = vme::fault;
namespace vfs = vme::fs;

fault::Rule MakeRule(fault::Op op, uint64_t nth, fault::Effect effect, std::string path = "") {
  fault::Rule r;
  r.op = op;
  r.nth = nth;
  r.effect = effect;
  r.path_contains = std::move(path);
  return r;
}

// An IoError naming `path` and the text of `err`.
void RequireIoError(const vme::Status& st, const std::string& path, int err) {
  REQUIRE_EQ(st.code(), vme::Code::kIo);
  REQUIRE(st.message().find(path) != std::string::npos, "%s lacks %s", st.ToString().c_str(),
          path.c_str());
  REQUIRE(st.message().find(std::strerror(err)) != std::string::npos, "%s lacks \"%s\"",
          st.ToString().c_str(), std::strerror(err));
}

void TestNothingArmedInjectsNothing() {
  fault::DisarmAll();
  REQUIRE_EQ(fault::internal::armed_rules.load(), 0);
  size_t len = 10;
  REQUIRE_EQ(fault::Before(fault::Op::kWrite, "/x", &len), 0);
  REQUIRE_EQ(len, 10u);
}

void TestNthCall() {
  fault::ScopedRule r(MakeRule(fault::Op::kWrite, 3, fault::Effect::kEnospc));
  REQUIRE_EQ(fault::Before(fault::Op::kWrite, "/a"), 0);
  REQUIRE_EQ(fault::Before(fault::Op::kSync, "/a"), 0);  // another kind: not counted
  REQUIRE_EQ(fault::Before(fault::Op::kWrite, "/a"), 0);
  REQUIRE_EQ(fault::Before(fault::Op::kWrite, "/a"), ENOSPC);
  REQUIRE_EQ(fault::Before(fault::Op::kWrite, "/a"), 0);
  REQUIRE_EQ(r.matches(), 4u);
  REQUIRE_EQ(r.injected(), 1u);
}

void TestEveryCallWithPathAndKinds() {
  {
    fault::ScopedRule r(MakeRule(fault::Op::kSync, 0, fault::Effect::kEio, "/indexdb/"));
    REQUIRE_EQ(fault::Before(fault::Op::kSync, "/db/indexdb/x"), EIO);
    REQUIRE_EQ(fault::Before(fault::Op::kSync, "/db/indexdb/y"), EIO);
    REQUIRE_EQ(fault::Before(fault::Op::kSync, "/db/data/x"), 0);
    REQUIRE_EQ(fault::Before(fault::Op::kRename, "/db/indexdb/x"), 0);
    REQUIRE_EQ(r.matches(), 2u);
  }
  REQUIRE_EQ(fault::Before(fault::Op::kSync, "/db/indexdb/x"), 0);  // disarmed
  fault::ScopedRule any(MakeRule(fault::Op::kAny, 0, fault::Effect::kEnospc));
  for (fault::Op op :
       {fault::Op::kCreate, fault::Op::kWrite, fault::Op::kSync, fault::Op::kRename,
        fault::Op::kMkdir, fault::Op::kLink, fault::Op::kTruncate, fault::Op::kRemove}) {
    REQUIRE_EQ(fault::Before(op, "/p"), ENOSPC);
  }
}

// A count rule counts beside an injecting rule; the first rule due injects.
void TestCountOnlyAndSeveralRules() {
  fault::ScopedRule count(MakeRule(fault::Op::kAny, 0, fault::Effect::kCountOnly));
  fault::ScopedRule eio(MakeRule(fault::Op::kRename, 2, fault::Effect::kEio));
  fault::ScopedRule enospc(MakeRule(fault::Op::kRename, 0, fault::Effect::kEnospc));
  REQUIRE_EQ(fault::Before(fault::Op::kRename, "/a"), ENOSPC);
  REQUIRE_EQ(fault::Before(fault::Op::kRename, "/a"), EIO);
  REQUIRE_EQ(fault::Before(fault::Op::kMkdir, "/a"), 0);
  REQUIRE_EQ(count.matches(), 3u);
  REQUIRE_EQ(count.injected(), 0u);
  REQUIRE_EQ(eio.injected(), 1u);
  REQUIRE_EQ(enospc.injected(), 1u);
}

// A short write through fs::WritableFile: n - 1 bytes reach the file, then ENOSPC.
void TestShortWrite() {
  TempDir tmp;
  const std::string path = tmp.path() + "/f";
  {
    fault::ScopedRule r(MakeRule(fault::Op::kWrite, 1, fault::Effect::kShortWrite));
    auto f = vfs::WritableFile::Create(path);
    REQUIRE_OK(f);
    REQUIRE_OK((*f)->Append("0123456789"));
    RequireIoError((*f)->Close(), path, ENOSPC);
  }
  auto data = vfs::ReadFile(path);
  REQUIRE_OK(data);
  REQUIRE_EQ(*data, std::string("012345678"));
  // A short write of one byte, or of another kind, is ENOSPC at once.
  fault::ScopedRule r(MakeRule(fault::Op::kAny, 0, fault::Effect::kShortWrite));
  size_t one = 1;
  REQUIRE_EQ(fault::Before(fault::Op::kWrite, "/a", &one), ENOSPC);
  REQUIRE_EQ(fault::Before(fault::Op::kRename, "/a"), ENOSPC);
}

// Every hooked function of util/fs.h fails with an IoError naming its path and the OS error, and
// a failed atomic write leaves neither the file nor its temporary.
void TestFsFunctionsFail() {
  TempDir tmp;
  const std::string d = tmp.path();
  auto only = [](fault::Op op) {
    return std::make_unique<fault::ScopedRule>(MakeRule(op, 0, fault::Effect::kEio));
  };
  {
    auto r = only(fault::Op::kMkdir);
    RequireIoError(vfs::MkdirAllSync(d + "/a/b"), d + "/a/b", EIO);
  }
  REQUIRE_OK(vfs::MkdirAllSync(d + "/a"));
  for (fault::Op op :
       {fault::Op::kCreate, fault::Op::kWrite, fault::Op::kSync, fault::Op::kRename}) {
    auto r = only(op);
    const vme::Status st = vfs::WriteFileAtomically(d + "/a/f", "data");
    RequireIoError(st, d + "/a/f", EIO);
    auto names = vfs::ListDir(d + "/a");
    REQUIRE_OK(names);
    REQUIRE(names->empty(), "%s failed: %s left %s", fault::OpName(op), st.ToString().c_str(),
            names->front().c_str());
  }
  REQUIRE_OK(vfs::WriteFileAtomically(d + "/a/f", "data"));
  {
    auto r = only(fault::Op::kSync);
    RequireIoError(vfs::FsyncDir(d + "/a"), d + "/a", EIO);
    RequireIoError(vfs::FsyncFile(d + "/a/f"), d + "/a/f", EIO);
  }
  {
    auto r = only(fault::Op::kLink);
    RequireIoError(vfs::HardLink(d + "/a/f", d + "/a/g"), d + "/a/g", EIO);
    RequireIoError(vfs::Symlink("f", d + "/a/s"), d + "/a/s", EIO);
    RequireIoError(vfs::HardLinkFiles(d + "/a", d + "/c"), d + "/c/f", EIO);
  }
  {
    auto r = only(fault::Op::kRename);
    RequireIoError(vfs::Rename(d + "/a/f", d + "/a/h"), d + "/a/h", EIO);
  }
  {
    auto r = only(fault::Op::kRemove);
    RequireIoError(vfs::RemoveAllSync(d + "/a"), d + "/a", EIO);
    REQUIRE(vfs::Exists(d + "/a/f"));
  }
  {
    auto r = only(fault::Op::kCreate);
    auto lock = vfs::FileLock::Acquire(d + "/lock");
    REQUIRE(!lock.ok());
    RequireIoError(lock.status(), d + "/lock", EIO);
  }
  REQUIRE_OK(vfs::Rename(d + "/a/f", d + "/a/h"));
  REQUIRE_OK(vfs::HardLink(d + "/a/h", d + "/a/g"));
  REQUIRE_OK(vfs::Symlink("h", d + "/a/s"));
  REQUIRE_OK(vfs::RemoveAllSync(d + "/a"));
}

void TestSpecSyntax() {
  fault::DisarmAll();
  std::vector<int> ids;
  REQUIRE_OK(fault::ArmFromSpec("write:nth=2:EIO; sync:every:path=/x/:ENOSPC ;rename:count", &ids));
  REQUIRE_EQ(ids.size(), 3u);
  REQUIRE_EQ(fault::Before(fault::Op::kWrite, "/a"), 0);
  REQUIRE_EQ(fault::Before(fault::Op::kWrite, "/a"), EIO);
  REQUIRE_EQ(fault::Before(fault::Op::kSync, "/a/x/b"), ENOSPC);
  REQUIRE_EQ(fault::Before(fault::Op::kSync, "/a/y/b"), 0);
  REQUIRE_EQ(fault::Before(fault::Op::kRename, "/a"), 0);
  REQUIRE_EQ(fault::Matches(ids[2]), 1u);
  fault::DisarmAll();
  REQUIRE_OK(fault::ArmFromSpec("any:short", &ids));
  size_t len = 4;
  REQUIRE_EQ(fault::Before(fault::Op::kWrite, "/a", &len), 0);
  REQUIRE_EQ(len, 3u);
  REQUIRE_EQ(fault::Before(fault::Op::kWrite, "/a", &len), ENOSPC);  // the rest of the write
  fault::DisarmAll();
  const std::pair<const char*, const char*> bad[] = {
      {"", "holds no rule"},
      {"wirte:EIO", "unknown operation \"wirte\""},
      {"write:nth=0", "nth must be a positive integer"},
      {"write:nth=x", "nth must be a positive integer"},
      {"write:nth=-1", "nth must be a positive integer"},
      {"write:ENOSPACE", "unknown field \"ENOSPACE\""},
      {"write:EIO;sync:oops", "rule \"sync:oops\""},
  };
  for (const auto& [spec, want] : bad) {
    const vme::Status st = fault::ArmFromSpec(spec);
    REQUIRE_EQ(st.code(), vme::Code::kInvalidArgument);
    REQUIRE(st.message().find(want) != std::string::npos, "%s: %s", spec, st.ToString().c_str());
    REQUIRE_EQ(fault::internal::armed_rules.load(), 0);  // nothing armed, not even a good rule
  }
}

// Among concurrent writers the Nth call is exactly one call.
void TestConcurrentNth() {
  constexpr int kThreads = 4, kCalls = 2000;
  fault::ScopedRule r(MakeRule(fault::Op::kWrite, 5000, fault::Effect::kEnospc));
  std::atomic<int> injected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&] {
      for (int i = 0; i < kCalls; i++) {
        if (fault::Before(fault::Op::kWrite, "/w") != 0) injected++;
      }
    });
  }
  for (auto& t : threads) t.join();
  REQUIRE_EQ(injected.load(), 1);
  REQUIRE_EQ(r.matches(), static_cast<uint64_t>(kThreads * kCalls));
}

// ---- VME_FS_FAULTS in a fresh process ------------------------------------------------------

// The child: this executable re-run with --env-child <dir> and VME_FS_FAULTS set.
int EnvChild(const std::string& dir, const std::string& mode) {
  if (mode == "bad") {
    // The malformed value armed nothing.
    return fault::internal::armed_rules.load() == 0 ? 0 : 10;
  }
  const vme::Status st = vfs::MkdirAllSync(dir + "/envtest/a");
  if (st.code() != vme::Code::kIo || st.message().find(std::strerror(EIO)) == std::string::npos) {
    std::fprintf(stderr, "child: want EIO, got %s\n", st.ToString().c_str());
    return 11;
  }
  if (!vfs::WriteFileAtomically(dir + "/f", "x").ok()) return 12;
  return 0;
}

// Runs the child with VME_FS_FAULTS=spec; returns its exit status and stderr.
int RunChild(const std::string& dir, const std::string& spec, const std::string& mode,
             std::string* err_out) {
  int pipefd[2];
  REQUIRE_EQ(pipe(pipefd), 0);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
  posix_spawn_file_actions_addclose(&fa, pipefd[0]);
  std::vector<std::string> env_s;
  for (char** e = environ; *e != nullptr; e++) {
    if (std::strncmp(*e, "VME_FS_FAULTS=", 14) != 0) env_s.emplace_back(*e);
  }
  env_s.push_back("VME_FS_FAULTS=" + spec);
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string exe = "/proc/self/exe", a1 = "--env-child", a2 = dir, a3 = mode;
  char* argv[] = {exe.data(), a1.data(), a2.data(), a3.data(), nullptr};
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, "/proc/self/exe", &fa, nullptr, argv, envp.data());
  posix_spawn_file_actions_destroy(&fa);
  close(pipefd[1]);
  REQUIRE_EQ(rc, 0);
  char buf[4096];
  ssize_t n;
  while ((n = read(pipefd[0], buf, sizeof buf)) > 0) err_out->append(buf, static_cast<size_t>(n));
  close(pipefd[0]);
  int status = 0;
  REQUIRE_EQ(waitpid(pid, &status, 0), pid);
  REQUIRE(WIFEXITED(status), "child did not exit: %d", status);
  return WEXITSTATUS(status);
}

void TestArmedFromEnvironment() {
  TempDir tmp;
  std::string err;
  const int code =
      RunChild(tmp.path(), "mkdir:every:path=/envtest/:EIO;create:every:count", "good", &err);
  REQUIRE_EQ(code, 0);
  // The count rule reports at exit: WriteFileAtomically opened one file.
  REQUIRE(
      err.find("VME_FS_FAULTS: rule \"create:every:count\" matched 1 calls") != std::string::npos,
      "stderr: %s", err.c_str());
  err.clear();
  REQUIRE_EQ(RunChild(tmp.path(), "mkdir:nth=0", "bad", &err), 0);
  REQUIRE(err.find("VME_FS_FAULTS rule \"mkdir:nth=0\": field \"nth=0\": nth must be a positive "
                   "integer; no fault armed") != std::string::npos,
          "stderr: %s", err.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--env-child") return EnvChild(argv[2], argv[3]);
  return vme::test::RunTests(
      {VME_TEST(TestNothingArmedInjectsNothing), VME_TEST(TestNthCall),
       VME_TEST(TestEveryCallWithPathAndKinds), VME_TEST(TestCountOnlyAndSeveralRules),
       VME_TEST(TestShortWrite), VME_TEST(TestFsFunctionsFail), VME_TEST(TestSpecSyntax),
       VME_TEST(TestConcurrentNth), VME_TEST(TestArmedFromEnvironment)},
      argc, argv);
}
