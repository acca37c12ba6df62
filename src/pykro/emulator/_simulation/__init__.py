"""kwok-style workload simulation for the emulator: `Simulator` (a `Controller`) configured by `SimulationRules`."""

from pykro.emulator._simulation.rules import DEFAULT_DELAYS_MS, Rule, SimulationRules
from pykro.emulator._simulation.simulator import Simulator

__all__ = ["DEFAULT_DELAYS_MS", "Rule", "SimulationRules", "Simulator"]
