"""A PyNN NEST population that is created in bulk.

PyNN 0.13 creates a NEST population by setting parameters, reading ``local`` and
``global_id`` back for every node and making one ``NodeCollection`` per cell; each such
call walks all nodes in Python (~0.5 s per call for 88k granule cells, ~7 s per
population in all). For a homogeneous population of a standard cell type this class
instead copies the NEST model with the population's parameters and initial state as
defaults, creates the nodes in one call, and makes per-cell handles only when asked.
Everything else (recording, ``get``/``set``, ``initialize`` with arrays or random values)
is PyNN's own code.
"""

from __future__ import annotations

import functools
import itertools
from typing import Any

import numpy as np

_model_counter = itertools.count()


@functools.cache
def population_class() -> type:
    """The bulk-created Population class (built on first use: importing pyNN.nest starts NEST)."""
    import nest
    from nest import nestkernel_api
    from pyNN.nest import Population, simulator
    from pyNN.standardmodels import StandardCellType

    class LazyID(simulator.ID):
        """A PyNN cell id whose single-node NodeCollection is made on first use."""

        @property
        def node_collection(self) -> Any:
            return self.parent.node_collection[int(self) - int(self.parent.first_id)]

    class BulkPopulation(Population):
        __doc__ = __doc__

        def _is_bulk(self) -> bool:
            return (
                isinstance(self.celltype, StandardCellType)
                and not getattr(self.celltype, "uses_parrot", False)
                and nest.NumProcesses() == 1
            )

        def _create_cells(self) -> None:
            if not self._is_bulk():
                return super()._create_cells()
            native = self.celltype.native_parameters
            native.shape = (self.size,)
            if not native.is_homogeneous:
                return super()._create_cells()
            native.evaluate(simplify=True)
            defaults = {name: float(value) for name, value in native.as_dict().items()}
            defaults.update(self.celltype.extra_parameters)
            base = self.celltype.nest_name[simulator.state.spike_precision]
            model = f"{base}__cerebrepro_{next(_model_counter)}"
            nest.CopyModel(base, model, defaults)
            self.node_collection = nest.Create(model, self.size)
            self._mask_local = np.array([True])
            first = int(self.node_collection[0].get("global_id"))
            cells = [LazyID(gid) for gid in range(first, first + self.size)]
            for cell in cells:
                cell.parent = self
            self.all_cells = np.array(cells, dtype=simulator.ID)

        def _set_initial_value_array(self, variable: str, value: Any) -> None:
            # PyNN's own version evaluates ``value`` through the local-cell mask, which here is
            # the one-element shortcut [True]: fine for one value, wrong for one per cell.
            if not self._is_bulk() or simulator.state._time_offset != 0.0:
                return super()._set_initial_value_array(variable, value)
            native = self.celltype.variable_map.get(variable, variable)
            if not value.is_homogeneous:
                self.node_collection.set(
                    {native: np.asarray(value.evaluate(), dtype=np.float64).tolist()}
                )
                return None
            simple = float(value._partially_evaluate(self._mask_local, simplify=True))
            if native not in _model_defaults(
                self.celltype.nest_name[simulator.state.spike_precision]
            ):
                # A state NEST computes and starts at zero (a current-based cell's synaptic
                # currents): a zero start is already so; PyNN warns about any other value.
                if simple == 0.0:
                    return None
                return super()._set_initial_value_array(variable, value)
            nestkernel_api.llapi_set_nc_status(self.node_collection._datum, [{native: simple}])
            return None

    return BulkPopulation


@functools.cache
def _model_defaults(model: str) -> frozenset[str]:
    """The parameters and states a NEST model takes (what ``SetStatus`` accepts)."""
    import nest

    return frozenset(nest.GetDefaults(model))
