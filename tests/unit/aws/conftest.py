"""Fixtures the AWS feature tests share (a module's own fixture of the same name wins)."""

from tests.support.source_maps import s3  # noqa: F401 (the source-map bucket in moto's S3)
