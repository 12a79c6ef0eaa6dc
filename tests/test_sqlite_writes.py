"""The SQLite writer lock: one writer at a time across processes, opened again after fork."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import threading
import time
from pathlib import Path

import pytest

from ankle_intake.store import Storage
from ankle_intake.store.writer_lock import WriterLock


def _try_lock(path: str, queue: multiprocessing.Queue) -> None:
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        queue.put("got it")
    except BlockingIOError:
        queue.put("blocked")
    finally:
        os.close(fd)


def _other_process_says(path: str) -> str:
    queue: multiprocessing.Queue = multiprocessing.get_context("spawn").Queue()
    proc = multiprocessing.get_context("spawn").Process(target=_try_lock, args=(path, queue))
    proc.start()
    proc.join(30)
    return queue.get(timeout=5)


def test_held_lock_blocks_another_process_and_is_released(tmp_path: Path) -> None:
    lock = WriterLock(str(tmp_path / "db-writer.lock"))
    with lock.hold():
        assert _other_process_says(lock.path) == "blocked"
    assert _other_process_says(lock.path) == "got it"
    lock.close()


def test_threads_of_one_process_take_turns(tmp_path: Path) -> None:
    lock = WriterLock(str(tmp_path / "db-writer.lock"))
    inside, most = [0], [0]

    def write() -> None:
        for _ in range(20):
            with lock.hold():
                inside[0] += 1
                most[0] = max(most[0], inside[0])
                time.sleep(0.0005)
                inside[0] -= 1

    threads = [threading.Thread(target=write) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert most[0] == 1
    lock.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork only")
def test_a_forked_child_opens_its_own_descriptor(tmp_path: Path) -> None:
    """An inherited descriptor is the parent's open file: flock would let both in."""
    lock = WriterLock(str(tmp_path / "db-writer.lock"))
    with lock.hold():
        pass  # opened in this process
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: hold the lock, say so, wait for the parent to test it
        try:
            with lock.hold():
                os.write(write, b"1")
                time.sleep(1.5)
        finally:
            os._exit(0)
    try:
        assert os.read(read, 1) == b"1"
        assert _other_process_says(lock.path) == "blocked"
        fd = os.open(lock.path, os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
    finally:
        os.waitpid(pid, 0)
        os.close(read)
        os.close(write)
    lock.close()


def test_sqlite_file_store_writes_under_the_lock(tmp_path: Path, monkeypatch) -> None:
    storage = Storage("sqlite:///" + str(tmp_path / "intakes.db"))
    storage.create_tables()  # the migration on first use holds the lock too
    held = []
    real_hold = WriterLock.hold

    def spy(self: WriterLock):
        held.append(self.path)
        return real_hold(self)

    monkeypatch.setattr(WriterLock, "hold", spy)
    try:
        storage.add({"patient_name": "Zoë \"Z\" </script>"}, {"rules_version": "1"})
        assert held == [str(tmp_path / "intakes.db-writer.lock")]
        assert storage.count() == 1
    finally:
        storage.dispose()


def test_memory_and_server_databases_take_no_file_lock() -> None:
    storage = Storage("sqlite://")
    try:
        storage.add({"side": "left"}, {"rules_version": "1"})
        assert storage._writer is None
    finally:
        storage.dispose()
