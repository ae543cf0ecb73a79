"""Atomic file writing: an output file appears whole or not at all.

The data is written to a temporary file in the destination directory (so that the final
rename stays on one file system), flushed and ``fsync``-ed, then renamed over the destination
with :func:`os.replace`, which is atomic on POSIX and Windows. If anything raises while the
file is being written (including ``KeyboardInterrupt``), the temporary file is removed and the
destination is left untouched: a pre-existing file keeps its old content, a new one never
appears.

Gzip compression is applied on the fly when requested (by default: when the path ends in
``.gz``). The gzip header carries a fixed modification time (0), so that the same content
gives byte-identical files.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import secrets
from collections.abc import Iterator
from typing import IO, Literal

__all__ = ["atomic_open", "atomic_write_bytes", "atomic_write_text"]

#: Compression level used for ``.gz`` output (zlib's default trade-off between size and speed).
DEFAULT_COMPRESSLEVEL = 6


def _fsync_directory(directory: str) -> None:
    """Flush the directory entry after a rename, where the platform allows it (POSIX only)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _create_temporary(directory: str, basename: str) -> tuple[int, str]:
    """Create a new, empty temporary file next to the destination; return (fd, path).

    Created with mode 0o666 filtered by the process umask, so the final file gets the same
    permissions as a file created with :func:`open` would.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp_path = os.path.join(directory, f".{basename}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(tmp_path, flags, 0o666), tmp_path
        except FileExistsError:
            continue
    raise FileExistsError(f"could not create a temporary file in {directory!r} for {basename!r}")


@contextlib.contextmanager
def atomic_open(
    path: str | os.PathLike[str],
    mode: Literal["w", "wb"] = "w",
    *,
    compress: bool | None = None,
    compresslevel: int = DEFAULT_COMPRESSLEVEL,
    encoding: str = "utf-8",
) -> Iterator[IO]:
    """Open ``path`` for writing so that it appears atomically when the ``with`` block ends.

    Parameters
    ----------
    path:
        Destination file. Its directory must exist.
    mode:
        ``"w"`` for text (``encoding``, ``"\\n"`` line endings on every platform) or ``"wb"``
        for bytes.
    compress:
        Gzip the content. ``None`` (default): compress when ``path`` ends with ``.gz``.
    compresslevel:
        Gzip level 0-9, used only when compressing.
    encoding:
        Text encoding for mode ``"w"``.

    Yields
    ------
    A writable file object. Do not close it inside the block.

    Raises
    ------
    ValueError
        For an unknown ``mode``.
    FileNotFoundError
        If the destination directory does not exist.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open: mode must be 'w' or 'wb', got {mode!r}")
    final_path = os.path.abspath(os.fspath(path))
    directory, basename = os.path.split(final_path)
    if not os.path.isdir(directory):
        raise FileNotFoundError(
            f"cannot write {final_path!r}: directory {directory!r} does not exist"
        )
    if compress is None:
        compress = basename.endswith(".gz")

    fd, tmp_path = _create_temporary(directory, basename)
    raw = os.fdopen(fd, "wb")
    gz: gzip.GzipFile | None = None
    text: io.TextIOWrapper | None = None
    try:
        sink: IO[bytes] = raw
        if compress:
            gz = gzip.GzipFile(
                filename=basename, mode="wb", fileobj=raw, compresslevel=compresslevel, mtime=0
            )
            sink = gz
        if mode == "w":
            text = io.TextIOWrapper(sink, encoding=encoding, newline="\n", write_through=False)
            yield text
            text.flush()
            text.detach()  # keeps the underlying streams open
        else:
            yield sink
        if gz is not None:
            gz.close()  # writes the gzip trailer; does not close ``raw``
        raw.flush()
        os.fsync(raw.fileno())
        raw.close()
        os.replace(tmp_path, final_path)
    except BaseException:
        for stream in (text, gz, raw):
            if stream is None:
                continue
            with contextlib.suppress(Exception):
                if stream is text:
                    text.detach()
                else:
                    stream.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_path)
        raise
    _fsync_directory(directory)


def atomic_write_text(
    path: str | os.PathLike[str],
    text: str,
    *,
    compress: bool | None = None,
    encoding: str = "utf-8",
) -> None:
    """Write ``text`` to ``path`` atomically (gzip when ``path`` ends in ``.gz``, unless told)."""
    with atomic_open(path, "w", compress=compress, encoding=encoding) as stream:
        stream.write(text)


def atomic_write_bytes(
    path: str | os.PathLike[str], data: bytes, *, compress: bool | None = None
) -> None:
    """Write ``data`` to ``path`` atomically (gzip when ``path`` ends in ``.gz``, unless told)."""
    with atomic_open(path, "wb", compress=compress) as stream:
        stream.write(data)
