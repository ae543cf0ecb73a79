"""A stand-in for a file on a disk that fills up: tests of the all-or-nothing output."""

from __future__ import annotations

import errno
import io


class FullDisk(io.RawIOBase):
    """A file on a disk that is full after ``room`` bytes."""

    def __init__(self, fd: int, room: int):
        self.file = open(fd, "wb", closefd=True)  # noqa: SIM115 - closed by close()
        self.room = room

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        if len(data) > self.room:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= len(data)
        return self.file.write(data)

    def fileno(self) -> int:
        return self.file.fileno()

    def close(self) -> None:
        self.file.close()
        super().close()
