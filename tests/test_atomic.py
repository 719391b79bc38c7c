"""geo.atomic directly: replace or keep, never half; durable renames; names that stay inside."""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import subprocess
from pathlib import Path

import pytest

import geo.atomic
from geo.atomic import atomic_write, path_inside, write_bytes_atomic, write_text_atomic

OLD = "previous contents\n"


@pytest.fixture
def old_file(tmp_path) -> Path:
    path = tmp_path / "map.html"
    path.write_text(OLD, encoding="utf-8")
    return path


def leftovers(folder: Path, keep: Path) -> list[str]:
    """Every file in `folder` but `keep`: temporary files a write failed to remove."""
    return sorted(p.name for p in folder.iterdir() if p != keep)


def test_contents_are_replaced_with_mode_0644(old_file):
    old_file.chmod(0o600)
    write_text_atomic(old_file, "new ✓\n")
    assert old_file.read_text(encoding="utf-8") == "new ✓\n"
    write_bytes_atomic(old_file, b"\x00\x01")
    assert old_file.read_bytes() == b"\x00\x01"
    assert stat.S_IMODE(old_file.stat().st_mode) == 0o644
    assert leftovers(old_file.parent, old_file) == []


def test_text_is_written_as_given_without_newline_translation(tmp_path):
    path = tmp_path / "a.csv"
    with atomic_write(path) as handle:
        handle.write("a,b\r\n1,2\n")
    assert path.read_bytes() == b"a,b\r\n1,2\n"


def test_an_exception_in_the_block_leaves_the_old_file_and_no_temporary_file(old_file):
    with pytest.raises(RuntimeError, match="renderer crashed"), atomic_write(old_file) as handle:
        handle.write("half a map")
        handle.flush()  # the temporary file really holds bytes
        assert leftovers(old_file.parent, old_file) != []
        raise RuntimeError("renderer crashed")
    assert old_file.read_text(encoding="utf-8") == OLD
    assert leftovers(old_file.parent, old_file) == []


def test_the_callers_own_oserror_passes_through_unchanged(old_file, tmp_path):
    missing = tmp_path / "input.csv"
    with pytest.raises(FileNotFoundError) as caught, atomic_write(old_file):
        missing.read_text()
    assert caught.value.filename == str(missing)
    assert old_file.read_text(encoding="utf-8") == OLD


def test_a_missing_folder_names_the_file_not_the_temporary_name(tmp_path):
    target = tmp_path / "absent" / "map.html"
    with pytest.raises(FileNotFoundError) as caught:
        write_text_atomic(target, "x")
    assert caught.value.filename == str(target)


def test_the_folder_is_synced_after_the_rename(old_file, monkeypatch):
    real_fsync, synced = os.fsync, []

    def recording_fsync(fd):
        info = os.fstat(fd)
        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        # what the file holds at this moment: the rename has happened iff it is the new text
        synced.append((stat.S_ISDIR(info.st_mode), info.st_ino, bool(flags & os.O_DIRECTORY)))
        synced[-1] += (old_file.read_text(encoding="utf-8"),)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    write_text_atomic(old_file, "new\n")
    folder_inode = old_file.parent.stat().st_ino
    assert len(synced) == 2
    data, folder = synced
    assert data[0] is False and data[3] == OLD  # the data first, before the rename
    assert folder == (True, folder_inode, True, "new\n")  # then the folder, after it


def fail_with(number: int):
    def fail(*args, **kwargs):
        raise OSError(number, os.strerror(number))

    return fail


class FullDiskFile:
    """A file object whose writes fail with ENOSPC, as a full disk's do."""

    def __init__(self, real):
        self._real = real

    def write(self, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name):
        return getattr(self._real, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._real.close()


def assert_disk_full(caught, old_file):
    assert caught.value.errno == errno.ENOSPC
    assert caught.value.filename == str(old_file)  # the file asked for, not the temporary one
    assert str(old_file) in str(caught.value)
    assert old_file.read_text(encoding="utf-8") == OLD
    assert leftovers(old_file.parent, old_file) == []


def test_enospc_while_writing_keeps_the_old_file(old_file, monkeypatch):
    real_fdopen = os.fdopen
    monkeypatch.setattr(geo.atomic.os, "fdopen", lambda *a, **k: FullDiskFile(real_fdopen(*a, **k)))
    with pytest.raises(OSError) as caught:
        write_bytes_atomic(old_file, b"x" * 100)
    assert_disk_full(caught, old_file)


def test_enospc_on_fsync_keeps_the_old_file(old_file, monkeypatch):
    monkeypatch.setattr(os, "fsync", fail_with(errno.ENOSPC))
    with pytest.raises(OSError) as caught:
        write_text_atomic(old_file, "new\n")
    assert_disk_full(caught, old_file)


def test_a_failed_rename_keeps_the_old_file(old_file, monkeypatch):
    monkeypatch.setattr(os, "replace", fail_with(errno.EACCES))
    with pytest.raises(PermissionError) as caught:
        write_text_atomic(old_file, "new\n")
    assert caught.value.filename == str(old_file)
    assert old_file.read_text(encoding="utf-8") == OLD
    assert leftovers(old_file.parent, old_file) == []


@pytest.fixture
def small_tmpfs(tmp_path):
    """A real 64 kB tmpfs (needs root or CAP_SYS_ADMIN); skipped where it cannot be mounted."""
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    cmd = ["mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", str(mount_point)]
    try:
        mounted = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        pytest.skip("no mount command here to mount a small tmpfs")
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=True)


def test_a_full_tmpfs_keeps_the_old_file(small_tmpfs):
    old_file = small_tmpfs / "map.png"
    old_file.write_text(OLD, encoding="utf-8")
    with pytest.raises(OSError) as caught:
        write_bytes_atomic(old_file, b"\x89PNG" * 100_000)  # 400 kB into 64 kB
    assert_disk_full(caught, old_file)
    write_bytes_atomic(old_file, b"fits")  # the space was given back
    assert old_file.read_bytes() == b"fits"


@pytest.mark.parametrize("name", ["..", ".", "", "../map.html", "sub/map.html", "a/../b.html"])
def test_path_inside_refuses_names_that_leave_the_folder(tmp_path, name):
    with pytest.raises(ValueError, match="outside the folder"):
        path_inside(tmp_path, name)


def test_path_inside_refuses_a_link_out_of_the_folder(tmp_path):
    folder, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    folder.mkdir()
    elsewhere.mkdir()
    (folder / "map.html").symlink_to(elsewhere / "map.html")
    with pytest.raises(ValueError, match=r"'map\.html' would be written outside the folder"):
        path_inside(folder, "map.html")


def test_path_inside_accepts_a_plain_name(tmp_path):
    assert path_inside(tmp_path, "map.html") == tmp_path.resolve() / "map.html"
    assert path_inside(tmp_path, "a..b.html").name == "a..b.html"
