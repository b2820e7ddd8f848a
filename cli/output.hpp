#pragma once
// Output files of the CLI (`simulate --commands/--events`).

#include <cstdio>
#include <string>
#include <string_view>

namespace roshambo::cli {

/// Where a log goes. A regular file (or a path that does not exist yet, or a symlink
/// to either) is written to a temporary file beside its real target, which replaces
/// the target only when commit() is called: a failing run never leaves it half-written.
/// Anything else is opened and written in place: `-` (stdout), a device, a FIFO, or a
/// symlink to one, and a path naming the very file stdout is, since renaming over those
/// would replace the node itself (a FIFO's reader would get nothing, /dev/null would
/// become a regular file) or detach stdout from its file.
class OutputFile {
 public:
  /// Opens (or creates the temporary for) `path`; throws UsageError naming `flag`.
  OutputFile(const std::string& flag, const std::string& path);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  void write(std::string_view s);
  /// Flush and, for a regular file, rename into place; throws UsageError on failure.
  void commit();
  /// True when the log goes to this process's stdout stream.
  bool is_stdout() const noexcept { return to_stdout_; }

 private:
  std::string flag_, path_, target_, tmp_;  // target_/tmp_: regular files only
  std::FILE* f_ = nullptr;
  int err_ = 0;  // errno of the first failed write
  bool committed_ = false, to_stdout_ = false;
};

/// What a path would write to, for telling two outputs apart before the run: the
/// device and inode of an existing file (through symlinks; stdout's for `-`), else the
/// absolute path a new file would get.
std::string output_identity(const std::string& path);

}  // namespace roshambo::cli
