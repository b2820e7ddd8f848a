#pragma once
// Umbrella header: the whole public API.

#include "roshambo/codec.hpp"
#include "roshambo/command.hpp"
#include "roshambo/config.hpp"
#include "roshambo/engine.hpp"
#include "roshambo/event.hpp"
#include "roshambo/profile.hpp"
#include "roshambo/replay.hpp"
#include "roshambo/rules.hpp"
#include "roshambo/sim.hpp"
#include "roshambo/strategies.hpp"
#include "roshambo/types.hpp"
#include "roshambo/version.hpp"
