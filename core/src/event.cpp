#include "roshambo/event.hpp"

#include <array>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>

namespace roshambo {

std::string_view to_string(EventType t) noexcept {
  constexpr std::array<std::string_view, 9> names = {"hi",     "room",  "start",
                                                     "movement", "leave", "result",
                                                     "error",  "presence", "resume"};
  // Like CommandType: a host can hold any enum value; never index out of bounds.
  const auto i = static_cast<std::size_t>(t);
  return i < names.size() ? names[i] : std::string_view{"unknown"};
}

MemberListRef MemberList::make(std::uint32_t capacity, std::uint32_t seat_bytes) {
  if (seat_bytes > 0x7fffffffu) throw std::length_error("MemberList: seat_bytes over 2^31 - 1");
  // Header, the members, then the owner's seat data.
  const std::size_t bytes = sizeof(MemberList) + std::size_t{capacity} * (sizeof(ProfileRef) + seat_bytes);
  void* mem = std::malloc(bytes);
  if (mem == nullptr) throw std::bad_alloc();
  MemberListRef r;
  r.p_ = new (mem) MemberList(capacity, seat_bytes);
  return r;
}

MemberList::~MemberList() { clear(); }

void MemberList::destroy(MemberList* p) noexcept {
  p->~MemberList();
  std::free(p);
}

void MemberList::own() const noexcept {
  const ProfileRef* m = members();
  for (std::uint32_t k = 0; k < size_; ++k) m[k].retain();
  borrowed_ = 0;
}

void MemberList::push_back(ProfileRef p) noexcept {
  if (borrowed_) own();
  new (members() + size_++) ProfileRef(std::move(p));
}

void MemberList::erase(std::uint32_t i) noexcept {
  ProfileRef* m = members();
  if (!borrowed_) m[i].release();
  // The later handles move down as they are, counted or borrowed.
  for (std::uint32_t k = i; k + 1 < size_; ++k) m[k].p_ = m[k + 1].p_;
  m[size_ - 1].p_ = nullptr;
  char* seats = static_cast<char*>(seat_data());
  std::memmove(seats + std::size_t{i} * seat_bytes_, seats + std::size_t{i + 1} * seat_bytes_,
               std::size_t{size_ - i - 1} * seat_bytes_);
  --size_;
}

void MemberList::clear() noexcept {
  ProfileRef* m = members();
  if (!borrowed_) {
    for (std::uint32_t k = 0; k < size_; ++k) m[k].~ProfileRef();
  }
  size_ = 0;
}

MemberListRef MemberList::copy_without(std::uint32_t i) const {
  MemberListRef r = make(capacity_, seat_bytes_);
  r->borrowed_ = borrowed_;
  const char* from = static_cast<const char*>(seat_data());
  char* to = static_cast<char*>(r->seat_data());
  for (std::uint32_t k = 0; k < size_; ++k) {
    if (k == i) continue;
    std::memcpy(to + std::size_t{r->size_} * seat_bytes_, from + std::size_t{k} * seat_bytes_, seat_bytes_);
    r->push_borrowed(members()[k]);  // counted exactly when this list counts
  }
  return r;
}

MemberListRef MemberList::copy() const { return copy_without(UINT32_MAX); }

}  // namespace roshambo
