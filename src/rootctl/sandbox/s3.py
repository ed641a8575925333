"""S3 and SQS: moto's services behind the gate (root-session ceiling, resource-policy
lock-outs, faults). S3 routes every request through its authorization hook, which knows the
IAM action (``s3:GetBucketPolicy`` …) and the bucket ARN; SQS goes through ``call_action``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

from moto.core.responses import ActionResult
from moto.s3.responses import S3Response
from moto.sqs.responses import SQSResponse

from . import gate
from .cloudtrail.recorder import record_call
from .exceptions import SandboxError, s3_request_ids


class SandboxS3Response(S3Response):
    def bucket_response(self, request: Any, full_url: str, headers: Any) -> Any:
        # Bucket-level calls are management events: record each once its answer is known.
        try:
            outcome = super().bucket_response(request, full_url, headers)
        except SandboxError as error:
            self._trail(error.as_response())
            raise
        self._trail(outcome)
        return outcome

    def _trail(self, outcome: Any) -> None:
        action = str(self.data.get("Action", ""))
        parameters: dict[str, Any] = {"Host": str(self.headers.get("Host", ""))}
        if self.data.get("BucketName"):
            parameters["bucketName"] = str(self.data["BucketName"])
        if action == "PutBucketPolicy":
            parameters["bucketPolicy"] = self.body.decode() if isinstance(self.body, bytes) else ""
        status, headers, body = outcome
        record_call(
            self,
            gate.caller_of(self),
            "s3",
            action,
            (status, dict(headers), body),
            parameters=parameters,
        )

    @staticmethod
    def _enrich_response(headers: dict[str, str], body: Any) -> tuple[dict[str, str], Any]:
        # S3 names its request ids its own way: x-amz-request-id and x-amz-id-2.
        for name in [n for n in headers if n.lower() == "x-amzn-requestid"]:
            del headers[name]
        if not any(n.lower() == "x-amz-request-id" for n in headers):
            headers["x-amz-request-id"], headers["x-amz-id-2"] = s3_request_ids()
        return headers, body

    def all_buckets(self) -> Any:
        # AWS has answered ListBuckets with each bucket's BucketRegion since 2024; moto 5.2 leaves
        # it out. Root sessions need it: S3UnlockBucketPolicy allows no GetBucketLocation.
        self.data["Action"] = "ListAllMyBuckets"
        self._authenticate_and_authorize_s3_action()
        found = self.backend.list_buckets(
            prefix=self._get_param("prefix"),
            bucket_region=self._get_param("bucket-region"),
            max_buckets=self._get_param("max-buckets"),
        )
        buckets = [
            {
                "Name": bucket.name,
                "CreationDate": bucket.creation_date_ISO8601,
                "BucketRegion": bucket.region_name,
            }
            for bucket in found
        ]
        self.data["Action"] = "ListBuckets"
        owner = {"ID": "bcaf1ffd86f41161ca5fb16fd081034f", "DisplayName": "webfile"}
        return self.serialized(ActionResult({"Owner": owner, "Buckets": buckets}))

    def _authenticate_and_authorize_s3_action(
        self, bucket_name: str | None = None, key_name: str | None = None
    ) -> None:
        # Raising SandboxError (an HTTPException) here escapes S3's own error handling and is
        # rendered, headers included, by moto's dispatcher.
        if gate.caller_of(self) is not None:  # checked once per request, even if asked twice
            super()._authenticate_and_authorize_s3_action(
                bucket_name=bucket_name, key_name=key_name
            )
            return
        resource = "*"
        if bucket_name:
            resource = f"arn:aws:s3:::{bucket_name}" + (f"/{key_name}" if key_name else "")
        gate.run(self, "s3", str(self.data.get("Action", "")), resource)
        super()._authenticate_and_authorize_s3_action(bucket_name=bucket_name, key_name=key_name)

    def _key_response(self, request: Any, full_url: str) -> Any:
        # moto checks the bucket policy of object operations itself, before authorization, and
        # answers a bare 403: run the gate first so the caller gets AWS's error and the root
        # session's ceiling applies.
        if gate.caller_of(self) is None:
            query = parse_qs(urlparse(full_url).query, keep_blank_values=True)
            try:
                self._set_action("KEY", request.method, query)
            except KeyError:
                self.data["Action"] = "GetObject"
            bucket = self.parse_bucket_name_from_url(request, full_url)
            resource = f"arn:aws:s3:::{bucket}/{self.parse_key_name()}"
            gate.run(self, "s3", str(self.data["Action"]), resource)
        return super()._key_response(request, full_url)


class SandboxSQSResponse(gate.GatedResponse, SQSResponse):
    gated_service = "sqs"
