"""What can go wrong with recordings, as exceptions whose message says what to do.

The web maps them to replies: `Unknown*` is a 404, `InvalidValue` a 400, `RecordingLive` a
409, `RefusedFile` a 400 (or 413 when it is `TooLarge`); `StorageError` itself is the file
or the disk failing.
"""

from __future__ import annotations


class StorageError(Exception):
    """The recordings store failed, or refused something; the message says why."""


class UnknownRecording(StorageError, LookupError):
    """No recording has this id."""

    def __init__(self, recording_id: object) -> None:
        super().__init__(f"no recording has the id {recording_id!r}")
        self.recording_id = recording_id


class UnknownBookmark(StorageError, LookupError):
    """No bookmark has this id."""

    def __init__(self, bookmark_id: object) -> None:
        super().__init__(f"no bookmark has the id {bookmark_id!r}")
        self.bookmark_id = bookmark_id


class UnknownSession(StorageError, LookupError):
    """No session has this id."""

    def __init__(self, session_id: object) -> None:
        super().__init__(f"no session has the id {session_id!r}")
        self.session_id = session_id


class InvalidValue(StorageError, ValueError):
    """A name, note, event or argument that the store does not take."""


class RecordingLive(StorageError):
    """The recording is still being recorded, and this needs it finished."""


class RefusedFile(StorageError, ValueError):
    """An imported file is not a recording this schedviz can read; nothing was stored."""


class TooLarge(RefusedFile):
    """An imported file, or what it decompresses to, is larger than the store takes."""
