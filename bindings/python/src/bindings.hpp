#pragma once
// Pieces of the _core module defined in their own translation units.

#include <pybind11/pybind11.h>

namespace roshambo::py_binding {

/// roshambo._core.simulate: the batch tournament simulator (simulate.cpp).
void bind_simulate(pybind11::module_& m);

}  // namespace roshambo::py_binding
