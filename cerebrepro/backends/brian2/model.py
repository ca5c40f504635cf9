"""PyNN's ``IF_cond_exp`` as Brian2 equations, with every parameter settable at run time.

The parameters are shared, constant variables of each group rather than numbers in the
equations, so the generated C++ code does not depend on their values: a compiled project
runs any parameter set (:mod:`cerebrepro.backends.brian2.project` passes them on the
command line). The values come from a description's cell group (PyNN's names, with
PyNN's defaults for those it leaves out); this module only translates PyNN's units (ms,
mV, nF, nA, uS) into Brian2's SI units.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, get_args

import numpy as np

from cerebrepro.backends.brian2.conventions import REFRACTORY_EXTRA_STEPS

Method = Literal["rk4", "rk2", "exponential_euler", "euler"]
METHODS: tuple[str, ...] = get_args(Method)
DEFAULT_METHOD: Method = "rk4"  # chosen by the accuracy study (docs/brian2.md)

_MS, _MV, _NF, _NA, _US = 1e-3, 1e-3, 1e-9, 1e-9, 1e-6

# PyNN parameter -> (Brian2 variable, Brian2 unit, factor from PyNN's unit to SI).
# ``cm`` is a unit name in Brian2 (centimetre), hence ``c_m``.
CELL_PARAMETERS: Mapping[str, tuple[str, str, float]] = {
    "tau_refrac": ("tau_refrac", "second", _MS),
    "cm": ("c_m", "farad", _NF),
    "v_thresh": ("v_thresh", "volt", _MV),
    "v_rest": ("v_rest", "volt", _MV),
    "v_reset": ("v_reset", "volt", _MV),
    "tau_m": ("tau_m", "second", _MS),
    "i_offset": ("i_offset", "amp", _NA),
    "tau_syn_E": ("tau_syn_E", "second", _MS),
    "tau_syn_I": ("tau_syn_I", "second", _MS),
    "e_rev_E": ("e_rev_E", "volt", _MV),
    "e_rev_I": ("e_rev_I", "volt", _MV),
}

# PyNN's defaults of IF_cond_exp (pyNN.standardmodels.cells), for parameters a group leaves out.
PYNN_DEFAULTS: Mapping[str, float] = {
    "v_rest": -65.0,
    "cm": 1.0,
    "tau_m": 20.0,
    "tau_refrac": 0.1,
    "tau_syn_E": 5.0,
    "tau_syn_I": 5.0,
    "e_rev_E": 0.0,
    "e_rev_I": -70.0,
    "v_thresh": -50.0,
    "v_reset": -65.0,
    "i_offset": 0.0,
}

MEMBRANE_EQUATIONS = """
dv/dt = (v_rest - v) / tau_m + (g_e * (e_rev_E - v) + g_i * (e_rev_I - v) + i_offset) / c_m : volt (unless refractory)
dg_e/dt = -g_e / tau_syn_E : siemens
dg_i/dt = -g_i / tau_syn_I : siemens
"""

RECEPTOR_CONDUCTANCE = {"excitatory": "g_e", "inhibitory": "g_i"}

# Recorded signal -> (Brian2 variable, factor from SI to the result's unit: mV, uS).
SIGNALS: Mapping[str, tuple[str, float]] = {
    "v": ("v", 1e3),
    "gsyn_exc": ("g_e", 1e6),
    "gsyn_inh": ("g_i", 1e6),
}


def cell_equations() -> str:
    """The membrane and conductance equations plus one shared constant per parameter."""
    declarations = "\n".join(
        f"{name} : {unit} (shared, constant)" for name, unit, _ in CELL_PARAMETERS.values()
    )
    return MEMBRANE_EQUATIONS + declarations + "\n"


def cell_group(name: str, size: int, method: str) -> Any:
    """A Brian2 group of ``size`` IF_cond_exp cells; parameters are set at run time."""
    from brian2 import NeuronGroup

    if method not in METHODS:
        raise ValueError(
            f"unknown integration method {method!r}: choose one of {', '.join(METHODS)}"
        )
    return NeuronGroup(
        size,
        cell_equations(),
        threshold="v >= v_thresh",
        reset="v = v_reset",
        refractory=f"tau_refrac + {REFRACTORY_EXTRA_STEPS} * dt",
        method=method,
        name=name,
    )


def synapse_group(name: str, source: Any, target: Any, receptor: str) -> Any:
    """Static synapses adding one shared weight to the receptor's conductance, one shared delay."""
    from brian2 import Synapses, second

    return Synapses(
        source,
        target,
        model="w : siemens (shared, constant)",
        on_pre=f"{RECEPTOR_CONDUCTANCE[receptor]}_post += w",
        delay=0 * second,  # a placeholder: the real delay is a run-time value
        name=name,
    )


def pynn_parameters(parameters: Mapping[str, float]) -> dict[str, float]:
    """A group's parameters with PyNN's defaults filled in (unknown names are the caller's to refuse)."""
    return {name: float(parameters.get(name, default)) for name, default in PYNN_DEFAULTS.items()}


def cell_values(group: str, parameters: Mapping[str, float]) -> dict[str, float]:
    """Run-time values (``group.variable`` -> SI number) of one group's parameters."""
    full = pynn_parameters(parameters)
    return {
        f"{group}.{brian_name}": full[pynn_name] * factor
        for pynn_name, (brian_name, _, factor) in CELL_PARAMETERS.items()
    }


def initial_values(group: str, parameters: Mapping[str, float]) -> dict[str, float]:
    """Run-time initial state of one group when every membrane starts at v_rest (V)."""
    return {f"{group}.v": pynn_parameters(parameters)["v_rest"] * _MV}


def initial_potentials(initial_v: np.ndarray) -> np.ndarray:
    """Per-cell initial potentials (mV) as the compiled program reads them: float64 volts."""
    return np.asarray(initial_v, dtype=np.float64) * _MV


def synapse_values(name: str, weight: float, delay: float) -> dict[str, float]:
    """Run-time values of one connection list: its weight (uS -> S) and delay (ms -> s)."""
    return {f"{name}.w": weight * _US, f"{name}.delay": delay * _MS}
