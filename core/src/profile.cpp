#include "roshambo/profile.hpp"

#include <cstdlib>
#include <cstring>
#include <new>

namespace roshambo {

ProfileRef ProfileRef::make(std::string_view uid, std::string_view name,
                            std::string_view avatar, bool bot, std::uint32_t handle) {
  // One block: header then the three strings back to back.
  const std::size_t bytes = sizeof(Profile) + uid.size() + name.size() + avatar.size();
  void* mem = std::malloc(bytes);
  if (mem == nullptr) throw std::bad_alloc();
  auto* p = new (mem) Profile();
  p->uid_len_ = static_cast<std::uint16_t>(uid.size());
  p->name_len_ = static_cast<std::uint8_t>(name.size());
  p->avatar_len_ = static_cast<std::uint16_t>(avatar.size());
  p->bot_ = bot;
  p->handle_ = handle;
  char* d = reinterpret_cast<char*>(p + 1);
  if (!uid.empty()) std::memcpy(d, uid.data(), uid.size());
  if (!name.empty()) std::memcpy(d + uid.size(), name.data(), name.size());
  if (!avatar.empty()) std::memcpy(d + uid.size() + name.size(), avatar.data(), avatar.size());
  ProfileRef r;
  r.p_ = p;
  return r;
}

void ProfileRef::destroy(Profile* p) noexcept {
  p->~Profile();
  std::free(p);
}

}  // namespace roshambo
