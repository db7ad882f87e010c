"""Schemathesis hooks for the API contract test: sign the main store's pushes.

Loaded only for the pass over the signed pushes (SCHEMATHESIS_HOOKS), with the instance's
secret in API_CONTRACT_SYNC_SECRET. Each request is signed as the main store signs it:
HMAC-SHA256 over `timestamp + "." + body`, with the body serialized exactly as the transport
serializes it (requests' JSON encoding), so the signature holds for the bytes that are sent.
"""

import hashlib
import hmac
import os
import time

import schemathesis
from requests.compat import json as complexjson

SECRET = os.environ["API_CONTRACT_SYNC_SECRET"].encode()


def _body_bytes(body):
    if isinstance(body, bytes):
        return body
    if body is None:
        return b"null"
    text = complexjson.dumps(body, allow_nan=False)
    return text.encode("utf-8") if isinstance(text, str) else text


@schemathesis.hook
def before_call(context, case, kwargs):
    if not case.path.startswith("/sync/v1/"):
        return
    try:
        body = _body_bytes(case.body)
    except (TypeError, ValueError):
        return  # a body the transport cannot send as JSON either: left unsigned
    timestamp = str(int(time.time()))
    digest = hmac.new(SECRET, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    headers = dict(case.headers or {})
    headers["x-tracuu-timestamp"] = timestamp
    headers["x-tracuu-signature"] = "sha256=" + digest
    case.headers = headers
