#pragma once
// Pieces of the _core module defined in their own translation units.

#include <pybind11/pybind11.h>

#include <typeinfo>

#include "roshambo/config.hpp"
#include "roshambo/engine.hpp"

namespace roshambo::py_binding {

/// roshambo._core.simulate: the batch tournament simulator (simulate.cpp).
void bind_simulate(pybind11::module_& m);

/// Raises TypeError if `src` is an instance of `type` (a bound class) whose C++ value was
/// never constructed, as `Cls.__new__(Cls)` makes: pybind11 would hand out raw memory
/// as the object (module.cpp).
void require_initialised(pybind11::handle src, PyTypeObject* type);

/// The caster of every bound class: pybind11's, refusing an uninitialised instance
/// before it is read (self of every method and property, and any argument of the class).
template <typename T>
class initialised_caster : public pybind11::detail::type_caster_base<T> {
 public:
  bool load(pybind11::handle src, bool convert) {
    // The bound type, looked up once: the class is registered before any call reaches here.
    static PyTypeObject* const type = pybind11::detail::get_type_info(typeid(T), true)->type;
    require_initialised(src, type);
    return pybind11::detail::type_caster_base<T>::load(src, convert);
  }
};

}  // namespace roshambo::py_binding

/// Declares initialised_caster as the caster of bound class T; needed in every
/// translation unit that converts a T, before its first use there.
#define ROSHAMBO_INITIALISED_CASTER(T)                                                     \
  namespace pybind11::detail {                                                            \
  template <>                                                                             \
  class type_caster<T> : public ::roshambo::py_binding::initialised_caster<T> {};        \
  }

ROSHAMBO_INITIALISED_CASTER(roshambo::Config)
ROSHAMBO_INITIALISED_CASTER(roshambo::PlayerInfo)
ROSHAMBO_INITIALISED_CASTER(roshambo::RoomInfo)
ROSHAMBO_INITIALISED_CASTER(roshambo::EngineStats)
