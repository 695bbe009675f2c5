"""The errors a learner meets when something the course needs is not there. Each message says
what was searched and what to run; :mod:`helpers.infra.sources` builds the "not found" ones."""


class DataNotFoundError(FileNotFoundError):
    """A dataset could not be found offline nor downloaded, or its files are damaged."""


class WeightsNotFoundError(FileNotFoundError):
    """A pretrained weight file is missing, altered, or could not be downloaded."""


class ModelUnavailableError(FileNotFoundError):
    """A course model or pretrained weight file is missing, corrupt or cannot be fetched."""
