"""The one private-upload storage (issue 12 point 3): one size check, files under the private root."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from trackyoursheets import storage


@pytest.fixture
def private_files(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    settings.UPLOAD_MAX_BYTES = 10
    return settings.PRIVATE_FILES_ROOT


def test_the_size_check_is_a_413_domain_error_naming_the_file_field(private_files):
    with pytest.raises(storage.UploadTooLarge) as raised:
        storage.check_upload_size(SimpleUploadedFile("a.csv", b"x" * 11))

    assert raised.value.status == 413
    assert raised.value.slug == "payload-too-large"
    assert raised.value.errors == {"file": ["Larger than 10 bytes."]}
    assert storage.read_upload(SimpleUploadedFile("a.csv", b"x" * 10)) == b"x" * 10


def test_a_size_the_client_lied_about_is_caught_while_reading(private_files):
    upload = SimpleUploadedFile("a.csv", b"x" * 11)
    upload.size = 1

    with pytest.raises(storage.UploadTooLarge):
        storage.read_upload(upload)


def test_store_upload_streams_under_a_random_private_path(private_files):
    relative, absolute = storage.store_upload(
        organisation_id=7, upload=SimpleUploadedFile("../../evil.csv", b"a,b\n"), area="imports", suffix=".csv"
    )

    assert relative.startswith("imports/7/") and relative.endswith(".csv") and "evil" not in relative
    assert absolute == private_files / relative
    assert absolute.read_bytes() == b"a,b\n"


def test_store_upload_refuses_an_oversized_stream_and_leaves_no_file(private_files):
    upload = SimpleUploadedFile("big.csv", b"x" * 11)
    upload.size = 1

    with pytest.raises(storage.UploadTooLarge):
        storage.store_upload(organisation_id=7, upload=upload, area="imports")

    assert not any(path.is_file() for path in private_files.rglob("*"))
