"""Errors that reach the user as one clear message (the CLI prints them without a traceback)."""


class CerebreproError(Exception):
    """Base class: the message says what went wrong, where, and what to try."""


class ManifestError(CerebreproError):
    """The data manifest is malformed."""


class FetchError(CerebreproError):
    """A data file could not be obtained or did not verify."""


class DataDirError(CerebreproError):
    """The data directory cannot be created or written."""


class ScaffoldError(CerebreproError):
    """A scaffold file is malformed or inconsistent."""


class StimulusError(CerebreproError):
    """A stimulus does not fit the scaffold or is malformed."""


class ResultError(CerebreproError):
    """A result file is malformed, incomplete or incompatible."""


class SimulatorError(CerebreproError):
    """A simulator backend is missing or refused the network."""
