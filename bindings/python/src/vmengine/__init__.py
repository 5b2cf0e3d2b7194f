"""vmengine: an embeddable time-series storage engine with the on-disk format of
VictoriaMetrics 1.72, for Python, with NumPy arrays and pandas DataFrames.

    import vmengine
    with vmengine.open("/tmp/metrics", retention="10y") as db:
        db.add({"__name__": "temperature", "room": "kitchen"}, [1767225600000], [21.5])
        db.flush()
        for s in db.search('temperature{room="kitchen"}'):
            print(s.labels, s.timestamps, s.values)

Units: timestamps are int64 milliseconds since the Unix epoch, UTC (``datetime`` and
``numpy.datetime64`` are accepted too; a naive datetime is taken as UTC); values are float64.
The binding calls the C library libvmengine.so (bundled in the wheel) through ctypes, which
releases the GIL around every call. Errors are :class:`vmengine.Error` subclasses
(:mod:`vmengine.errors`).
"""

from __future__ import annotations

from importlib import metadata as _metadata

from . import _native
from ._db import (
    AddResult,
    Batch,
    Db,
    ImportResult,
    Labels,
    Selector,
    Series,
    SeriesIterator,
    SeriesRefs,
    open,
    pack_labels,
    unpack_labels,
)
from ._time import TimeLike, TimestampsLike
from .errors import (
    BufferTooSmallError,
    BusyError,
    ClosedError,
    CorruptionError,
    Error,
    InternalError,
    InvalidArgumentError,
    LimitError,
    LockedError,
    MisuseError,
    NoMemoryError,
    NotFoundError,
    StorageIOError,
)

try:
    __version__: str = _metadata.version("vmengine")
except _metadata.PackageNotFoundError:  # running from a source tree
    __version__ = _native.lib.vme_version_string().decode()


def library_version() -> str:
    """The version of the loaded libvmengine ("MAJOR.MINOR.PATCH", ``vme_version_string``)."""
    return str(_native.lib.vme_version_string().decode())


def library_path() -> str:
    """Where libvmengine was loaded from (the copy bundled in the package unless the
    environment variable VMENGINE_LIBRARY names another)."""
    return _native.library_path()


__all__ = [
    "AddResult",
    "Batch",
    "BufferTooSmallError",
    "BusyError",
    "ClosedError",
    "CorruptionError",
    "Db",
    "Error",
    "ImportResult",
    "InternalError",
    "InvalidArgumentError",
    "Labels",
    "LimitError",
    "LockedError",
    "MisuseError",
    "NoMemoryError",
    "NotFoundError",
    "Selector",
    "Series",
    "SeriesIterator",
    "SeriesRefs",
    "StorageIOError",
    "TimeLike",
    "TimestampsLike",
    "__version__",
    "library_path",
    "library_version",
    "open",
    "pack_labels",
    "unpack_labels",
]
