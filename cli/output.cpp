#include "output.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "commands.hpp"

namespace roshambo::cli {
namespace {

// The path a symlink chain ends at (which may not exist yet), so a symlink's target is
// what gets written and replaced, never the link. Gives up after 40 hops, as the
// kernel does (ELOOP).
std::string resolve_links(const std::string& path, const std::string& flag) {
  namespace fs = std::filesystem;
  fs::path p = path;
  for (int hops = 0;; ++hops) {
    struct stat st;
    if (::lstat(p.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return p.string();
    if (hops == 40) throw UsageError(flag + ": cannot write '" + path + "': " + std::strerror(ELOOP));
    std::error_code ec;
    const fs::path target = fs::read_symlink(p, ec);
    if (ec) throw UsageError(flag + ": cannot write '" + path + "': " + ec.message());
    p = target.is_absolute() ? target : p.parent_path() / target;
  }
}

std::string dev_ino(const struct stat& st) {
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
}

[[noreturn]] void cannot_write(const std::string& flag, const std::string& path, int err) {
  throw UsageError(flag + ": cannot write '" + path + "': " + std::strerror(err));
}

}  // namespace

std::string output_identity(const std::string& path) {
  struct stat st;
  if (path == "-") return ::fstat(1, &st) == 0 ? dev_ino(st) : "stdout";
  if (::stat(path.c_str(), &st) == 0) return dev_ino(st);
  std::error_code ec;
  const auto p = std::filesystem::weakly_canonical(resolve_links(path, "output"), ec);
  return "new:" + (ec ? path : p.string());
}

OutputFile::OutputFile(const std::string& flag, const std::string& path) : flag_(flag), path_(path) {
  struct stat out, st;
  const bool have_out = ::fstat(1, &out) == 0;
  const bool exists = ::stat(path.c_str(), &st) == 0;  // through symlinks
  if (exists && S_ISDIR(st.st_mode)) throw UsageError(flag + ": '" + path + "' is a directory");
  if (path == "-" || (exists && have_out && S_ISREG(st.st_mode) && dev_ino(st) == dev_ino(out))) {
    f_ = stdout;
    to_stdout_ = true;
    return;
  }
  if (exists && !S_ISREG(st.st_mode)) {
    f_ = std::fopen(path.c_str(), "wb");  // a FIFO waits here for its reader
    if (!f_) cannot_write(flag, path, errno);
    std::setvbuf(f_, nullptr, _IOFBF, 1 << 16);
    return;
  }
  if (exists && ::access(path.c_str(), W_OK) != 0) cannot_write(flag, path, errno);
  target_ = resolve_links(path, flag);
  tmp_ = target_ + ".tmp." + std::to_string(::getpid());
  f_ = std::fopen(tmp_.c_str(), "wb");
  if (!f_) {
    tmp_.clear();
    cannot_write(flag, path, errno);
  }
  std::setvbuf(f_, nullptr, _IOFBF, 1 << 16);
}

OutputFile::~OutputFile() {
  if (f_ && f_ != stdout) std::fclose(f_);
  if (!committed_ && !tmp_.empty()) std::remove(tmp_.c_str());
}

void OutputFile::write(std::string_view s) {
  if (std::fwrite(s.data(), 1, s.size(), f_) != s.size() && err_ == 0) err_ = errno ? errno : EIO;
}

void OutputFile::commit() {
  if (err_ == 0 && std::fflush(f_) != 0) err_ = errno ? errno : EIO;
  if (f_ != stdout && std::fclose(f_) != 0 && err_ == 0) err_ = errno ? errno : EIO;
  f_ = nullptr;
  if (err_ != 0) cannot_write(flag_, path_, err_);
  if (!tmp_.empty() && std::rename(tmp_.c_str(), target_.c_str()) != 0) {
    cannot_write(flag_, path_, errno);
  }
  committed_ = true;
}

}  // namespace roshambo::cli
