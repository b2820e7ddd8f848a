#pragma once
// Umbrella header: the whole engine API (roshambo::core). The tournament simulator is
// a layer above it, in roshambo::sim: include "roshambo/sim.hpp" for it.

#include "roshambo/codec.hpp"
#include "roshambo/command.hpp"
#include "roshambo/config.hpp"
#include "roshambo/engine.hpp"
#include "roshambo/event.hpp"
#include "roshambo/event_view.hpp"
#include "roshambo/profile.hpp"
#include "roshambo/replay.hpp"
#include "roshambo/rules.hpp"
#include "roshambo/strategies.hpp"
#include "roshambo/types.hpp"
#include "roshambo/version.hpp"
