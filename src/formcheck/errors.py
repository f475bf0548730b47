"""The exceptions formcheck raises.  Only the CLI turns them into messages and exit codes.

Every message says what is wrong and what to do about it, in one line.
"""


class FormcheckError(Exception):
    """Base of every error formcheck raises on purpose."""


class InputError(FormcheckError):
    """The user's input (file, camera, option) cannot be used as given."""


class SourceError(InputError):
    """A video file, camera or recording cannot be opened or read."""


class SourceEndedEarly(SourceError):
    """A source stopped before its end (truncated file, camera unplugged).

    What was read before the stop has been processed and saved.
    """


class NoPersonError(InputError):
    """No person was found in any frame of the source."""


class ModelError(InputError):
    """The pose model file is missing or not a pose landmarker bundle."""


class RecordingError(InputError):
    """A landmark recording is malformed or of an unknown version."""


class ExerciseError(InputError):
    """An exercise definition is unknown or malformed."""


class HistoryError(InputError):
    """The session history database cannot be read or written."""


class BatchError(InputError):
    """A batch's manifest or its Dask cluster cannot be used."""


class DisplayError(InputError):
    """There is no screen to show the live window on."""
