# Link-time optimisation for optimised GCC builds of our own targets: the engine's
# command path crosses several translation units (engine, rooms, player table, events)
# and the simulator drives it from another library, so whole-program inlining is worth
# about a tenth of a simulated round (docs/PERFORMANCE.md). Static libraries keep fat
# objects, so the installed package still links into a build without LTO (the
# find-package test does exactly that). Sanitizer, fuzzer and other compilers' builds
# are left as they are. Off for the wheel: the Python module, which pybind11 links with
# LTO of its own, took 6 % longer per Engine.handle with the core's code in that link.
# The benchmark suite is given it, as the CLI is: a host that links with LTO and has
# one visitor class gets the engine's visitor call devirtualised and inlined, as the
# suite's lean round always had its own (docs/PERFORMANCE.md gives the round both
# ways). The soak tool is not: it measures the engine as a host links the installed
# package by default.
option(ROSHAMBO_LTO "Link-time optimisation in Release builds with GCC" ${_top})
set(_roshambo_lto OFF)
if(ROSHAMBO_LTO AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND NOT ROSHAMBO_SANITIZE)
  include(CheckIPOSupported)
  check_ipo_supported(RESULT _roshambo_lto OUTPUT _roshambo_lto_why LANGUAGES CXX)
  if(NOT _roshambo_lto)
    message(STATUS "roshambo: no link-time optimisation (${_roshambo_lto_why})")
  endif()
endif()

# Sources of an optimised target to compile without LTO (where it measured slower).
function(roshambo_no_lto)
  if(_roshambo_lto)
    set_source_files_properties(${ARGN} DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}
      PROPERTIES COMPILE_OPTIONS $<$<CONFIG:Release>:-fno-lto>)
  endif()
endfunction()

function(roshambo_optimise)
  if(NOT _roshambo_lto)
    return()
  endif()
  foreach(target IN LISTS ARGN)
    set_property(TARGET ${target} PROPERTY INTERPROCEDURAL_OPTIMIZATION_RELEASE ON)
    get_target_property(type ${target} TYPE)
    if(type STREQUAL "STATIC_LIBRARY")
      target_compile_options(${target} PRIVATE $<$<CONFIG:Release>:-ffat-lto-objects>)
    endif()
  endforeach()
endfunction()
