"""The one private-upload storage (issue 8 point 2; moved here by issue 12 point 3).

Files live under ``settings.PRIVATE_FILES_ROOT`` (never a web-served directory) at a path we
choose (``<area>/<organisation>/<random>``), never one derived from the uploaded name; the name
is only kept, cleaned, for the download's ``Content-Disposition``. A document's type is decided
by its bytes (``filetype``), and must agree with its extension.

Every upload's size is checked by :func:`check_upload_size` (also inside :func:`read_upload`,
:func:`validate_upload` and :func:`store_upload`), which raises :class:`UploadTooLarge`: a
``DomainError`` the API error handler answers with a **413** ``payload-too-large`` problem
and pages show on the form's ``file`` field.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from trackyoursheets.exceptions import DomainError

#: detected MIME type -> the extensions a file of that type may carry
ALLOWED_TYPES: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "text/plain": (".txt",),
}
ALLOWED_EXTENSIONS = sorted({ext for exts in ALLOWED_TYPES.values() for ext in exts})
MAX_NAME = 150
CHUNK = 64 * 1024

__all__ = [
    "ALLOWED_EXTENSIONS",
    "ALLOWED_TYPES",
    "StoredFile",
    "UploadTooLarge",
    "check_upload_size",
    "clean_file_name",
    "detect_type",
    "open_stored",
    "private_root",
    "read_upload",
    "remove_stored",
    "store",
    "store_upload",
    "validate_upload",
]


class UploadTooLarge(DomainError):
    """The file is larger than ``UPLOAD_MAX_BYTES`` (the documented ``payload-too-large`` problem)."""

    status = 413
    slug = "payload-too-large"
    title = "Payload too large"


@dataclass(frozen=True)
class StoredFile:
    file_name: str
    content_type: str
    size: int
    sha256: str
    storage_path: str  # relative to PRIVATE_FILES_ROOT


def clean_file_name(name: str) -> str:
    """The last path component, without control characters, separators or leading dots.

    ``../../etc/passwd`` becomes ``passwd``; ``..\\..\\boot.ini`` becomes ``boot.ini``;
    ``<script>.txt`` keeps only safe characters. Never used as a storage path.
    """
    name = unicodedata.normalize("NFKC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"[^\w .()\-]", "_", name).strip(" .")
    if len(name) > MAX_NAME:
        path = PurePath(name)
        stem, ext = path.stem, path.suffix
        name = stem[: MAX_NAME - len(ext)] + ext
    return name


def _looks_like_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def detect_type(data: bytes) -> str | None:
    """The MIME type of these bytes if it is one we accept, else None."""
    kind = filetype.guess(data)
    if kind is not None:
        return kind.mime if kind.mime in ALLOWED_TYPES else None
    return "text/plain" if _looks_like_text(data) else None


def _too_large(limit: int, size: int | None = None) -> UploadTooLarge:
    if size is None:
        detail = _("The file is larger than %(limit)s bytes.") % {"limit": limit}
    else:
        detail = _("The file is %(size)s bytes; the largest accepted is %(limit)s bytes.") % {
            "size": size,
            "limit": limit,
        }
    return UploadTooLarge(detail, errors={"file": [_("Larger than %(limit)s bytes.") % {"limit": limit}]})


def check_upload_size(upload, *, limit: int | None = None) -> None:
    """The one size check of every upload: larger than ``UPLOAD_MAX_BYTES`` is ``UploadTooLarge``."""
    limit = settings.UPLOAD_MAX_BYTES if limit is None else limit
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise _too_large(limit, size)


def read_upload(upload, *, limit: int | None = None) -> bytes:
    """An upload's bytes, never more than the limit (a size the client lied about included)."""
    limit = settings.UPLOAD_MAX_BYTES if limit is None else limit
    check_upload_size(upload, limit=limit)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _too_large(limit)
    return data


def validate_upload(upload) -> tuple[bytes, str, str]:
    """Read an uploaded document and return (bytes, clean name, detected type), or raise a problem
    naming the ``file`` field: too large (413), empty, an unsafe or foreign extension, or bytes
    that are not what the extension says (422)."""
    data = read_upload(upload)
    if not data:
        raise ValidationError({"file": [_("The file is empty.")]})
    name = clean_file_name(getattr(upload, "name", "") or "")
    path = PurePath(name)
    stem, extension = path.stem, path.suffix.lower()
    if not stem or extension not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            {
                "file": [
                    _("Upload a PDF, DOCX, PNG, JPEG or TXT file (%(exts)s).") % {"exts": ", ".join(ALLOWED_EXTENSIONS)}
                ]
            }
        )
    detected = detect_type(data)
    if detected is None or extension not in ALLOWED_TYPES[detected]:
        raise ValidationError(
            {
                "file": [
                    _("The file's content is not a %(ext)s file; its type is checked by content, not by name.")
                    % {"ext": extension.lstrip(".").upper()}
                ]
            }
        )
    return data, name, detected


def private_root() -> Path:
    return Path(settings.PRIVATE_FILES_ROOT)


def _new_path(area: str, organisation_id: int, suffix: str = "") -> tuple[str, Path]:
    relative = Path(area) / str(organisation_id) / (secrets.token_hex(16) + suffix)
    target = private_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    return relative.as_posix(), target


def store(*, organisation_id: int, data: bytes, file_name: str, content_type: str, area: str = "hr") -> StoredFile:
    """Write the bytes under the private root at a random path of ours (``<area>/<organisation>/``)."""
    relative, target = _new_path(area, organisation_id)
    with target.open("xb") as handle:
        handle.write(data)
    return StoredFile(
        file_name=file_name,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_path=relative,
    )


def store_upload(*, organisation_id: int, upload, area: str, suffix: str = "") -> tuple[str, Path]:
    """Stream a (large) upload to a random private path after the size check; returns the path
    relative to the private root and the absolute one (statement imports read it back)."""
    check_upload_size(upload)
    relative, target = _new_path(area, organisation_id, suffix)
    written = 0
    limit = settings.UPLOAD_MAX_BYTES
    with target.open("xb") as handle:
        for chunk in upload.chunks(CHUNK):
            written += len(chunk)
            if written > limit:
                handle.close()
                target.unlink(missing_ok=True)
                raise _too_large(limit)
            handle.write(chunk)
    return relative, target


def open_stored(storage_path: str):
    """Open a stored file for streaming; the path must stay inside the private root."""
    root = private_root().resolve()
    target = (root / storage_path).resolve()
    if root not in target.parents:
        raise FileNotFoundError(storage_path)
    return target.open("rb")


def remove_stored(storage_path: str) -> None:
    """Best-effort removal of a file whose row was never committed."""
    try:
        root = private_root().resolve()
        target = (root / storage_path).resolve()
        if root in target.parents:
            target.unlink(missing_ok=True)
    except OSError:
        pass
