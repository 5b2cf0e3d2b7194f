"""The exception hierarchy of vmengine: one class per C status code (``vme_status``).

Every exception raised by the engine is a :class:`Error`. Each carries the C status
(:attr:`Error.code`, e.g. ``-11``) and the engine's message (:attr:`Error.message`), which names
the file, offset, line or argument at fault. Python-side argument checks raise
:class:`InvalidArgumentError` too (also a :class:`ValueError`); arguments of a wrong Python type
raise :class:`TypeError`.

    Error
    ├── InvalidArgumentError   (also ValueError)   VME_ERR_INVALID_ARGUMENT  -1
    ├── NotFoundError          (also LookupError)  VME_ERR_NOT_FOUND         -2
    ├── CorruptionError                            VME_ERR_CORRUPTION        -3
    ├── StorageIOError                             VME_ERR_IO                -4
    ├── NoMemoryError          (also MemoryError)  VME_ERR_NO_MEMORY         -5
    ├── ClosedError                                VME_ERR_CLOSED            -6
    ├── BusyError                                  VME_ERR_BUSY              -7
    ├── BufferTooSmallError                        VME_ERR_BUFFER_TOO_SMALL  -8
    ├── MisuseError                                VME_ERR_MISUSE            -9
    ├── InternalError                              VME_ERR_INTERNAL          -10
    ├── LockedError                                VME_ERR_LOCKED            -11
    └── LimitError                                 VME_ERR_LIMIT             -12
"""

from __future__ import annotations

import ctypes
from typing import NoReturn

from . import _native


class Error(Exception):
    """Base class of every vmengine error.

    Attributes:
        code: the C status, a negative ``VME_ERR_*`` value (errors raised by Python-side
            checks carry the code of their class, e.g. -1 for :class:`InvalidArgumentError`).
        message: the engine's message (the ``vme_error`` text of the failed call).
    """

    code: int = 0
    status_name: str = "error"

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InvalidArgumentError(Error, ValueError):
    """A malformed argument, selector, regex, label or option (VME_ERR_INVALID_ARGUMENT)."""

    code = -1
    status_name = "invalid argument"


class NotFoundError(Error, LookupError):
    """A named snapshot, partition, file or (read-only open) data directory does not exist
    (VME_ERR_NOT_FOUND)."""

    code = -2
    status_name = "not found"


class CorruptionError(Error):
    """A file on disk is malformed; the message names the file and offset (VME_ERR_CORRUPTION)."""

    code = -3
    status_name = "corruption"


class StorageIOError(Error):
    """The OS refused an operation, e.g. disk full or permissions (VME_ERR_IO). Not a subclass
    of the built-in ``OSError``/``IOError``, which it must not shadow."""

    code = -4
    status_name = "I/O error"


class NoMemoryError(Error, MemoryError):
    """An allocation failed inside the engine (VME_ERR_NO_MEMORY)."""

    code = -5
    status_name = "out of memory"


class ClosedError(Error):
    """The database (or the database of this iterator) is closed (VME_ERR_CLOSED)."""

    code = -6
    status_name = "closed"


class BusyError(Error):
    """Reserved: the operation cannot run now; retry later (VME_ERR_BUSY)."""

    code = -7
    status_name = "busy"


class BufferTooSmallError(Error):
    """A caller buffer is too small (VME_ERR_BUFFER_TOO_SMALL); the binding sizes its buffers,
    so seeing it means a bug in the binding."""

    code = -8
    status_name = "buffer too small"


class MisuseError(Error):
    """API misuse, e.g. writing to a database opened read-only (VME_ERR_MISUSE)."""

    code = -9
    status_name = "misuse"


class InternalError(Error):
    """A bug in vmengine; please report it (VME_ERR_INTERNAL)."""

    code = -10
    status_name = "internal error"


class LockedError(Error):
    """Another process holds the data directory's flock.lock (VME_ERR_LOCKED)."""

    code = -11
    status_name = "locked"


class LimitError(Error):
    """A configured limit was exceeded, e.g. the series limit of a search (VME_ERR_LIMIT)."""

    code = -12
    status_name = "limit exceeded"


_BY_CODE: dict[int, type[Error]] = {
    cls.code: cls
    for cls in (
        InvalidArgumentError,
        NotFoundError,
        CorruptionError,
        StorageIOError,
        NoMemoryError,
        ClosedError,
        BusyError,
        BufferTooSmallError,
        MisuseError,
        InternalError,
        LockedError,
        LimitError,
    )
}


def error_class(code: int) -> type[Error]:
    """The exception class of a C status code (:class:`Error` for an unknown code)."""
    return _BY_CODE.get(code, Error)


def raise_status(status: int, err: ctypes.c_void_p, what: str) -> NoReturn:
    """Raises the exception of a failed call and frees its ``vme_error``.

    ``what`` (the Python operation, e.g. ``"Db.add"``) prefixes the message only when the
    engine gave none.
    """
    lib = _native.lib
    try:
        if err:
            code = int(lib.vme_error_code(err)) or status
            raw = lib.vme_error_message(err)
            message = raw.decode("utf-8", "replace") if raw else ""
        else:
            code = status
            message = ""
    finally:
        lib.vme_error_free(err)
    if not message:
        name = lib.vme_status_string(code)
        message = f"{what}: {name.decode() if name else code}"
    raise error_class(code)(message, code)
