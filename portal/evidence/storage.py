"""Where evidence bytes live: one small interface, a local folder or S3-compatible storage."""

import errno
import logging
import os
import re
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from botocore.exceptions import BotoCoreError, ClientError
from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import ServiceUnavailable

logger = logging.getLogger(__name__)
EXTENSION_KEY = "portal_storage"
_KEY = re.compile(r"[A-Za-z0-9_.\-]+(/[A-Za-z0-9_.\-]+)*")
TEMP_MARK = ".tmp-"


class StoredFileMissing(KeyError):
    """No file is stored under this key."""


# Faults of the place, not of the file: the same write would fail for anyone, now.
PLACE_FAULTS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO}
RETRY_AFTER_SECONDS = 30


class StorageUnavailable(ServiceUnavailable):
    """Evidence cannot be stored now (disk full, read-only, no permission, object store
    unreachable or refusing): a 503 with Retry-After; `fault` names it for the operators."""

    portal_message = _l(
        "Your screenshots cannot be stored right now, so nothing you sent was saved. "
        "Please try again later."
    )

    def __init__(self, fault: str) -> None:
        super().__init__(description=self.portal_message, retry_after=RETRY_AFTER_SECONDS)
        self.fault = fault


def unavailable(fault: str, where: str) -> StorageUnavailable:
    """The one log line operators need (the fault, no key or personal data) and the error."""
    logger.error("Evidence storage unavailable (%s): %s", where, fault)
    return StorageUnavailable(fault)


class Storage(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...
    def exists(self, key: str) -> bool: ...
    def iter_keys(self) -> Iterator[tuple[str, datetime]]: ...


def check_key(key: str) -> str:
    """Keys are relative, slash-separated and plain, so none can leave the storage root."""
    if not _KEY.fullmatch(key) or any(part in (".", "..") for part in key.split("/")):
        raise ValueError(f"invalid storage key {key!r}")
    return key


class LocalStorage:
    """Files under one folder; written to a temporary name, fsynced, then renamed."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        try:
            self._write(self._path(key), data)
        except OSError as err:
            if err.errno not in PLACE_FAULTS:
                raise
            name = errno.errorcode.get(err.errno or 0, "OSError")
            raise unavailable(f"{name} ({os.strerror(err.errno or 0)})", "local folder") from err

    def _write(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # The temporary name sits next to the target (same file system, so rename is atomic);
        # one left by a crash is an unreferenced key that the sweep removes.
        temp = path.with_name(f"{path.name}{TEMP_MARK}{secrets.token_hex(6)}")
        try:
            with open(temp, "xb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(temp, path)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        _fsync_dir(path.parent)

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise StoredFileMissing(key) from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def iter_keys(self) -> Iterator[tuple[str, datetime]]:
        for folder, dirs, files in os.walk(self.root):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in files:
                if name.startswith("."):  # .gitkeep and friends are not ours
                    continue
                path = Path(folder, name)
                try:
                    mtime = path.stat().st_mtime
                except FileNotFoundError:
                    continue
                key = path.relative_to(self.root).as_posix()
                yield key, datetime.fromtimestamp(mtime, UTC)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class S3Storage:
    """Objects in an S3-compatible bucket (path-style addressing: works with SeaweedFS, MinIO)."""

    def __init__(
        self,
        *,
        bucket: str,
        endpoint_url: str | None,
        access_key: str | None,
        secret_key: str | None,
        region: str,
        prefix: str = "",
    ) -> None:
        # Late: boto3 takes seconds to import and only the S3 backend needs it.
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3}),
        )

    def _name(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        # A single PUT is atomic on S3: readers see the old object, none, or the whole new one.
        try:
            self.client.put_object(
                Bucket=self.bucket, Key=self._name(key), Body=data, ContentType=content_type
            )
        except ClientError as err:
            error = err.response.get("Error", {})
            status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            fault = f"refused: HTTP {status} {error.get('Code', '')}".strip()
            raise unavailable(fault, "S3") from err
        except BotoCoreError as err:  # unreachable, timed out, connection reset
            raise unavailable(f"unreachable: {type(err).__name__}", "S3") from err

    def get(self, key: str) -> bytes:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        except self.client.exceptions.NoSuchKey:
            raise StoredFileMissing(key) from None
        return response["Body"].read()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def iter_keys(self) -> Iterator[tuple[str, datetime]]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        for page in pages:
            for item in page.get("Contents", []):
                yield item["Key"][len(self.prefix) :], item["LastModified"].astimezone(UTC)


def make_storage(config: dict) -> Storage:
    """The backend the configuration names."""
    backend = config.get("STORAGE_BACKEND", "local")
    if backend == "local":
        return LocalStorage(config["UPLOAD_FOLDER"])
    if backend == "s3":
        return S3Storage(
            bucket=config["S3_BUCKET"],
            endpoint_url=config.get("S3_ENDPOINT_URL"),
            access_key=config.get("S3_ACCESS_KEY"),
            secret_key=config.get("S3_SECRET_KEY"),
            region=config.get("S3_REGION") or "us-east-1",
            prefix=config.get("S3_PREFIX") or "",
        )
    raise RuntimeError(f"Unknown STORAGE_BACKEND {backend!r}: use 'local' or 's3'")


def get_storage() -> Storage:
    """This app's storage backend, created once per app."""
    if EXTENSION_KEY not in current_app.extensions:
        current_app.extensions[EXTENSION_KEY] = make_storage(current_app.config)
    return current_app.extensions[EXTENSION_KEY]
