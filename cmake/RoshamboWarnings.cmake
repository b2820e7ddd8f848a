# The warning flags of every target of ours, in one place. PRIVATE: they apply to our
# own sources only, never to a consumer of the installed package.
function(roshambo_warnings)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    return()
  endif()
  set(flags -Wall -Wextra -Wpedantic)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    # GCC 12 warns about its own std::string concatenation (inlined memcpy) at -O2.
    list(APPEND flags -Wno-restrict)
  endif()
  foreach(target IN LISTS ARGN)
    target_compile_options(${target} PRIVATE ${flags})
  endforeach()
endfunction()
