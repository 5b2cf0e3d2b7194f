"""Every error kind: one exception class per C status, each carrying the engine's message."""

from __future__ import annotations

import ctypes
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from support import T0

import vmengine
from vmengine import errors

CPU = {"__name__": "cpu", "host": "a"}


def test_hierarchy() -> None:
    kinds = {
        -1: vmengine.InvalidArgumentError,
        -2: vmengine.NotFoundError,
        -3: vmengine.CorruptionError,
        -4: vmengine.StorageIOError,
        -5: vmengine.NoMemoryError,
        -6: vmengine.ClosedError,
        -7: vmengine.BusyError,
        -8: vmengine.BufferTooSmallError,
        -9: vmengine.MisuseError,
        -10: vmengine.InternalError,
        -11: vmengine.LockedError,
        -12: vmengine.LimitError,
    }
    for code, cls in kinds.items():
        assert issubclass(cls, vmengine.Error) and cls.code == code
        assert errors.error_class(code) is cls
        # A failed call without an error object still raises the right class, with the
        # engine's name of the status as message.
        with pytest.raises(cls) as ei:
            errors.raise_status(code, ctypes.c_void_p(), "op")
        assert ei.value.code == code and ei.value.message.startswith("op: ")
    assert errors.error_class(-99) is vmengine.Error
    assert not issubclass(vmengine.StorageIOError, OSError)
    assert issubclass(vmengine.InvalidArgumentError, ValueError)


def test_invalid_argument(db: vmengine.Db) -> None:
    with pytest.raises(vmengine.InvalidArgumentError, match="offset") as ei:
        db.search('cpu{host="a"')
    assert ei.value.code == -1 and ei.value.message.startswith("selector: ")
    with pytest.raises(vmengine.InvalidArgumentError):
        db.search('{host=""}')  # matches the empty string only
    with pytest.raises(vmengine.InvalidArgumentError, match="regex|missing"):
        db.search('cpu{host=~"("}')
    with pytest.raises(vmengine.InvalidArgumentError, match="snapshot"):
        db.snapshot_delete("../../etc")


def test_not_found(tmp_path: Path) -> None:
    with pytest.raises(vmengine.NotFoundError, match="nothing-here") as ei:
        vmengine.open(tmp_path / "nothing-here", read_only=True)
    assert ei.value.code == -2


def test_corruption(db_path: Path) -> None:
    with vmengine.open(db_path) as d:
        d.add(CPU, T0 + np.arange(100) * 1000, np.arange(100.0))
    (metaindex,) = sorted((db_path / "data" / "small").glob("*/*/metaindex.bin"))
    raw = bytearray(metaindex.read_bytes())
    raw[3] ^= 0xFF
    metaindex.write_bytes(bytes(raw))
    with pytest.raises(vmengine.CorruptionError, match="metaindex.bin") as ei:
        vmengine.open(db_path)
    assert ei.value.code == -3


def test_storage_io(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"x")
    with pytest.raises(vmengine.StorageIOError, match="a-file") as ei:
        vmengine.open(blocker / "db")
    assert ei.value.code == -4


def test_misuse_read_only(db_path: Path) -> None:
    with vmengine.open(db_path) as d:
        d.add(CPU, [T0], [1.0])
    with vmengine.open(db_path, read_only=True) as ro:
        assert ro.read_only and ro.series_count() == 1
        for call in (
            lambda: ro.add(CPU, [T0 + 1], [1.0]),
            lambda: ro.write(vmengine.Batch().add(CPU, T0 + 1, 1.0)),
            lambda: ro.delete("cpu"),
            lambda: ro.force_merge(),
            lambda: ro.snapshot_create(),
        ):
            with pytest.raises(vmengine.MisuseError) as ei:
                call()
            assert ei.value.code == -9


def test_locked(db_path: Path) -> None:
    with vmengine.open(db_path):
        # Another process cannot open the directory while this one holds it.
        code = (
            "import sys, vmengine\n"
            "try:\n"
            "    vmengine.open(sys.argv[1])\n"
            "except vmengine.LockedError as e:\n"
            "    print('LOCKED', e.code, e.message)\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", code, str(db_path)], capture_output=True, text=True, check=True
        ).stdout
        assert out.startswith("LOCKED -11 ") and "flock.lock" in out, out


def test_limit(db: vmengine.Db) -> None:
    db.add({"__name__": "m", "k": "1"}, [T0], [1.0])
    db.add({"__name__": "m", "k": "2"}, [T0], [1.0])
    db.flush()
    assert len(list(db.search("m", limit=2))) == 2
    with pytest.raises(vmengine.LimitError) as ei:
        list(db.search("m", limit=1))
    assert ei.value.code == -12


def test_closed(db_path: Path) -> None:
    d = vmengine.open(db_path)
    d.close()
    with pytest.raises(vmengine.ClosedError) as ei:
        d.flush()
    assert ei.value.code == -6 and str(db_path) in ei.value.message


def test_import_errors(db: vmengine.Db, tmp_path: Path) -> None:
    with pytest.raises((vmengine.NotFoundError, vmengine.StorageIOError), match="missing.prom"):
        db.import_prometheus(tmp_path / "missing.prom")
    with pytest.raises(TypeError):
        db.import_prometheus(42)  # type: ignore[arg-type]
