"""Where citykit keeps what its users give it: the data folder and private folders inside it.

The app writes workshops (:mod:`citykit.workshop`) and uploads into the *data folder*:
``$CITYKIT_DATA``, else ``$XDG_DATA_HOME/citykit``, else ``~/.local/share/citykit``. Uploads go
into ``<data folder>/uploads``, a folder only the server's own user may enter (mode 0700).

Why not the system temp folder: every local user can create names there, so a link planted at
``/tmp/citykit-uploads`` (pointing at ``/``, say) would widen what a shared link may load to the
whole disk. :func:`private_folder` refuses a symbolic link, a folder owned by someone else and a
folder others can read or write, and returns the folder's real path, against which confinement
is then checked (:func:`citykit.scenario.check_paths`).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .exceptions import CityKitError

__all__ = ["UPLOADS", "data_folder", "private_folder", "uploads_folder"]

#: Name of the uploads folder inside the data folder.
UPLOADS = "uploads"


def data_folder() -> Path:
    """The data folder: ``$CITYKIT_DATA``, else ``$XDG_DATA_HOME/citykit``, else
    ``~/.local/share/citykit``."""
    if os.environ.get("CITYKIT_DATA"):
        return Path(os.environ["CITYKIT_DATA"])
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "citykit"


def private_folder(path: str | os.PathLike) -> Path:
    """Create `path` for this user alone (mode 0700), or check the one that is there.

    Parameters
    ----------
    path : path-like
        The folder. Missing parent folders are created too (with the default mode).

    Returns
    -------
    pathlib.Path
        Its real path (``os.path.realpath``): the root to check confinement against.

    Raises
    ------
    CityKitError
        If `path` is a symbolic link or not a folder, belongs to another user, or others may
        read, enter or write it. Nothing is changed then: the message says what to fix.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     folder = private_folder(Path(tmp) / "a" / "uploads")
    ...     oct(folder.stat().st_mode & 0o777), folder.name
    ('0o700', 'uploads')
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     (Path(tmp) / "link").symlink_to("/")
    ...     private_folder(Path(tmp) / "link")
    Traceback (most recent call last):
    ...
    citykit.exceptions.CityKitError: ... is a symbolic link; expected a real folder ...
    """
    path = Path(os.path.abspath(path))
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
    except FileExistsError:
        pass  # a file or a dangling link of that name: reported below
    except OSError as err:
        raise CityKitError(f"cannot create the private folder {str(path)!r}: {err.strerror}; "
                           "set CITYKIT_DATA to a folder this user may write") from None
    try:
        info = os.lstat(path)
    except OSError as err:
        raise CityKitError(f"cannot read the private folder {str(path)!r}: "
                           f"{err.strerror}") from None
    fix = ("remove it (or set CITYKIT_DATA to another folder); citykit creates the folder "
           "itself with mode 0700")
    if stat.S_ISLNK(info.st_mode):
        raise CityKitError(f"{str(path)!r} is a symbolic link; expected a real folder that "
                           f"only this user may enter. Fix: {fix}")
    if not stat.S_ISDIR(info.st_mode):
        raise CityKitError(f"{str(path)!r} is not a folder. Fix: {fix}")
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise CityKitError(f"{str(path)!r} belongs to user id {info.st_uid}, not to this user "
                           f"({os.getuid()}); another user could change what it holds. "
                           f"Fix: {fix}")
    if os.name == "posix" and info.st_mode & 0o077:
        raise CityKitError(f"{str(path)!r} may be read or written by other users (mode "
                           f"{oct(info.st_mode & 0o777)}); expected 0o700. Fix: run "
                           f"chmod 700 {str(path)!r}, or {fix}")
    return Path(os.path.realpath(path))


def uploads_folder() -> Path:
    """The private folder the app stores uploads in: ``<data folder>/uploads`` (mode 0700)."""
    return private_folder(data_folder() / UPLOADS)
