"""The per-user cache of compiled templates (Jinja bytecode, prepared Word templates): made once per installation,
keyed by what they are made from, checked on every read; a damaged, foreign or unwritable cache is ignored and
rebuilt, never an error."""
from __future__ import annotations

import hashlib
import logging
import marshal
import os
import sys
import shutil
import tempfile
import time
from functools import lru_cache
from pathlib import Path

from jinja2.bccache import BytecodeCache, Bucket, bc_magic

from . import __version__

logger = logging.getLogger(__name__)

MAGIC = b"jxzp-cache-1\n"
_DIGEST = hashlib.sha256().digest_size
# The modules whose code decides what a compiled template is: a changed one (a new version, or a developer's
# edit under the same version number) uses a new folder.
_COMPILERS = ("render/environment.py", "render/docx_fast.py", "packfiles.py", "cache.py")


def user_cache_dir() -> Path | None:
    """jxzp's folder in the user's cache folder: $XDG_CACHE_HOME/jxzp (~/.cache/jxzp) on Linux and the like,
    ~/Library/Caches/jxzp on macOS, %LOCALAPPDATA%\\jxzp\\Cache on Windows; None when the user has no home (a
    service account): then nothing is cached — never a shared folder such as /tmp, where another user could
    plant compiled code."""
    try:
        return _user_cache_dir()
    except (RuntimeError, KeyError, OSError):
        return None


def _user_cache_dir() -> Path:
    from platformdirs import user_cache_dir as platform_cache_dir

    path = Path(platform_cache_dir("jxzp", appauthor=False))
    if not path.is_absolute():          # no home folder to expand (a service account)
        raise RuntimeError("no user cache folder")
    return path


@lru_cache(maxsize=1)
def _code_version() -> str:
    """The jxzp version and a digest of the compiling modules, so a cache never outlives the code that made it."""
    import jinja2

    digest = hashlib.sha256(f"{__version__}|{jinja2.__version__}|{sys.version_info[:2]}".encode())
    here = Path(__file__).resolve().parent
    for name in _COMPILERS:
        try:
            digest.update((here / name).read_bytes())
        except OSError:
            digest.update(name.encode())
    return f"{__version__}-{digest.hexdigest()[:16]}"


def cache_folder(*keys: str) -> Path | None:
    """The cache folder of one kind of compiled thing: the user's cache, jxzp's version, then `keys`; None when
    there is no user cache folder."""
    root = user_cache_dir()
    return root.joinpath(_code_version(), *keys) if root is not None else None


STALE_DAYS = 30
"""A cache folder not used for this long (an old version of jxzp, a pack since edited) is removed."""


def used(folder: Path | None) -> None:
    """Mark a cache folder as in use; the first time it is made, remove the folders of other versions and packs
    nobody used for STALE_DAYS, so a maintainer's many edits of a pack do not fill the disk."""
    if folder is None:
        return
    try:
        if folder.is_dir():
            os.utime(folder)
            return
        folder.mkdir(parents=True, exist_ok=True)
        root = user_cache_dir()
        cutoff = time.time() - STALE_DAYS * 86400
        # the other versions' folders, then this version's folders of other packs
        for parent in (root, folder.parent) if root is not None else ():
            for old in parent.iterdir():
                if old.is_dir() and not old.is_symlink() and old not in folder.parents and old != folder \
                        and old.stat().st_mtime < cutoff:
                    shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        logger.debug("cache folder %s not prepared: %s", folder, exc)


def _sealed(payload: bytes) -> bytes:
    return MAGIC + hashlib.sha256(payload).digest() + payload


def _unsealed(data: bytes) -> bytes | None:
    """The payload when the file is whole (its digest matches), else None."""
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + _DIGEST:
        return None
    digest, payload = data[len(MAGIC):len(MAGIC) + _DIGEST], data[len(MAGIC) + _DIGEST:]
    return payload if hashlib.sha256(payload).digest() == digest else None


def read(path: Path) -> bytes | None:
    """A cache file's payload; None when it is missing, damaged or unreadable."""
    try:
        return _unsealed(path.read_bytes())
    except OSError:
        return None


def write(path: Path, payload: bytes) -> None:
    """Write a cache file whole or not at all (a temporary file renamed over it); a failure only loses the cache."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=path.name, suffix=".tmp", delete=False)
        with handle:
            handle.write(_sealed(payload))
        os.replace(handle.name, path)
    except OSError as exc:
        logger.debug("cache not written: %s (%s)", path, exc)
        try:
            os.unlink(handle.name)
        except (OSError, NameError):
            pass


def load_data(path: Path) -> object | None:
    """Plain data (str, bytes, dict, tuple…) stored by `store_data`; None when missing or damaged."""
    payload = read(path)
    if payload is None:
        return None
    try:
        return marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None


def store_data(path: Path, value: object) -> None:
    write(path, marshal.dumps(value))


class TemplateCache(BytecodeCache):
    """Jinja's bytecode in the user's cache folder, one file per template, each sealed with its digest and Jinja's
    own check of the template's source: a changed file recompiles, a damaged one is ignored and rewritten."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, bucket: Bucket) -> Path:
        return self.folder / f"{bucket.key}.jbc"

    def load_bytecode(self, bucket: Bucket) -> None:
        payload = read(self._path(bucket))
        head = bc_magic + bucket.checksum.encode("ascii")
        if payload is None or not payload.startswith(head):
            return
        try:
            bucket.code = marshal.loads(payload[len(head):])
        except (EOFError, ValueError, TypeError):
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        if bucket.code is not None:
            write(self._path(bucket), bc_magic + bucket.checksum.encode("ascii") + marshal.dumps(bucket.code))


def compile_cached(env, source: str, name: str):
    """env.from_string(source) through the environment's bytecode cache (Jinja's own path skips it for strings)."""
    cache = env.bytecode_cache
    if cache is None:
        return env.from_string(source)
    bucket = cache.get_bucket(env, name, name, source)
    code = bucket.code
    if code is None:
        code = env.compile(source)        # as from_string: errors and templates carry no file name
        bucket.code = code
        cache.set_bucket(bucket)
    return env.template_class.from_code(env, code, env.make_globals(None), None)
