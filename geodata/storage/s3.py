"""S3-compatible object storage through boto3 (AWS S3, MinIO, Ceph RGW, moto's server).

The bucket stays private: clients never get a plain object URL, only a presigned GET that
expires after ``url_expiry_seconds`` (SigV4; the store refuses it afterwards). Presigned URLs
are computed locally (no request to the store); ``public_endpoint_url`` lets them name the host
clients reach (a proxy in front of MinIO) when the API reaches the store by another name.
"""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import Any

import boto3
from botocore.client import Config
from botocore.exceptions import ClientError

from geodata.storage.base import ObjectInfo, check_key

MISSING = frozenset({"404", "NoSuchKey", "NotFound"})


class S3Store:
    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str | None = None,
        public_endpoint_url: str | None = None,
        region: str = "us-east-1",
        access_key: str | None = None,
        secret_key: str | None = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        session = boto3.session.Session(
            aws_access_key_id=access_key, aws_secret_access_key=secret_key, region_name=region
        )
        config = Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            retries={"max_attempts": 3, "mode": "standard"},
            connect_timeout=5,
            read_timeout=30,
        )
        self.client: Any = session.client("s3", endpoint_url=endpoint_url, config=config)
        self._signer: Any = (
            session.client("s3", endpoint_url=public_endpoint_url, config=config)
            if public_endpoint_url
            else self.client
        )

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def ensure_bucket(self) -> None:
        """Create the bucket when it does not exist (development, tests, a fresh MinIO)."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in MISSING:
                raise
            self.client.create_bucket(Bucket=self.bucket)

    @staticmethod
    def _extra(
        content_type: str, content_encoding: str | None, content_disposition: str | None
    ) -> dict[str, str]:
        extra = {"ContentType": content_type}
        if content_encoding:
            extra["ContentEncoding"] = content_encoding
        if content_disposition:
            extra["ContentDisposition"] = content_disposition
        return extra

    def put(
        self,
        key: str,
        data: bytes,
        content_type: str,
        content_encoding: str | None = None,
        content_disposition: str | None = None,
    ) -> None:
        self.client.put_object(
            Bucket=self.bucket,
            Key=self._key(key),
            Body=data,
            **self._extra(content_type, content_encoding, content_disposition),
        )

    def put_file(
        self,
        key: str,
        path: Path,
        content_type: str,
        content_encoding: str | None = None,
        content_disposition: str | None = None,
    ) -> None:
        self.client.upload_file(
            str(path),
            self.bucket,
            self._key(key),
            ExtraArgs=self._extra(content_type, content_encoding, content_disposition),
        )

    def get(self, key: str) -> bytes | None:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in MISSING:
                return None
            raise
        return bytes(answer["Body"].read())

    def stat(self, key: str) -> ObjectInfo | None:
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in MISSING:
                return None
            raise
        modified = head["LastModified"].astimezone(UTC).replace(microsecond=0)
        return ObjectInfo(
            size=int(head["ContentLength"]),
            version=str(head["ETag"]).strip('"')[:16],
            modified=modified,
        )

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def local_path(self, key: str) -> Path | None:
        return None

    def signed_url(self, key: str, expires_seconds: int) -> str | None:
        return str(
            self._signer.generate_presigned_url(
                "get_object",
                Params={"Bucket": self.bucket, "Key": self._key(key)},
                ExpiresIn=expires_seconds,
            )
        )
