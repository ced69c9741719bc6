#!/usr/bin/env python3
"""Re-sign a captured request with the official Python SDK signer and compare Authorization.

Reads one JSON object on stdin describing a request exactly as it went over the wire::

    {"method": "DELETE",
     "url": "http://127.0.0.1:8080/v1/<project_id>/remux/task?task_id=100211",
     "headers": [["Host", "127.0.0.1:8080"], ["X-Sdk-Date", "20261128T043500Z"], ...],
     "body": ""}

``url`` is the full URL as sent (scheme, authority, raw path and raw query, not re-encoded),
``headers`` the header lines in the order received (names and values as text), ``body`` the body
as UTF-8 text (or ``body_base64`` instead, for arbitrary bytes).

The request is rebuilt as a ``huaweicloudsdkcore.sdk_request.SdkRequest`` and signed with
``huaweicloudsdkcore.signer.signer.Signer`` (SDK-HMAC-SHA256) using the AK/SK from ``--ak``/``--sk``:

* headers: exactly the headers named in the captured Authorization's ``SignedHeaders`` (matched
  without regard to case), with their captured names and values, and nothing else; this includes
  ``X-Sdk-Date``, so the signature is computed at the captured date;
* resource path: the raw path as sent (the SDK signer percent-decodes and re-encodes it itself);
* query: the raw query split on ``&`` (empty pieces dropped) and on the first ``=``, each key and
  value decoded with ``urllib.parse.unquote`` (a literal ``+`` stays ``+``);
* body: the captured bytes.

Prints ``{"authorization": ..., "matches": true|false, "captured_authorization": ...}`` (plus
``canonical_request`` with ``--show-canonical``). Exit status 0 when the SDK's Authorization equals
the captured one byte for byte, 1 when it does not, 2 when the capture cannot be used (bad JSON,
no Authorization, a signed header missing or given twice, X-Sdk-Date not signed...); in that case
the JSON has an ``error`` field.

Known Python SDK behaviours that make a correct signature from another signer fail here: the
Python signer ignores ``X-Sdk-Content-Sha256`` when the body is empty, always signs ``host``, and
adds ``X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`` when ``Content-Type`` is not JSON/BSON.
"""

import argparse
import base64
import json
import re
import sys
import types
from urllib.parse import unquote, urlsplit

_AUTH_RE = re.compile(
    r"^(?P<alg>\S+) Access=(?P<ak>[^,]*), SignedHeaders=(?P<signed>[^,]*), Signature=(?P<sig>\S*)$")


class CaptureError(Exception):
    pass


def _parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Re-sign a captured request (JSON on stdin) with the official Python SDK "
                    "Signer and compare the Authorization header.")
    parser.add_argument("--ak", required=True, help="access key id")
    parser.add_argument("--sk", required=True, help="secret access key")
    parser.add_argument("--show-canonical", action="store_true",
                        help="also print the SDK's canonical request")
    return parser.parse_args(argv)


def _header_values(headers, name):
    return [value for key, value in headers if key.lower() == name.lower()]


def _parse_query(raw_query):
    params = []
    for piece in raw_query.split("&"):
        if piece == "":
            continue
        key, sep, value = piece.partition("=")
        params.append((unquote(key), unquote(value)))
    return params


def _build_request(capture):
    from huaweicloudsdkcore.sdk_request import SdkRequest

    if not isinstance(capture, dict):
        raise CaptureError("the capture must be a JSON object")
    for field in ("method", "url", "headers"):
        if field not in capture:
            raise CaptureError("the capture has no %r field" % field)

    headers = []
    for item in capture["headers"]:
        if not (isinstance(item, (list, tuple)) and len(item) == 2):
            raise CaptureError("each header must be a [name, value] pair: %r" % (item,))
        headers.append((str(item[0]), str(item[1])))

    authorizations = _header_values(headers, "Authorization")
    if len(authorizations) != 1:
        raise CaptureError("expected exactly one Authorization header, found %d" % len(authorizations))
    captured_authorization = authorizations[0]
    match = _AUTH_RE.match(captured_authorization)
    if not match:
        raise CaptureError("the Authorization header is not in SDK-HMAC form")
    if match.group("alg") != "SDK-HMAC-SHA256":
        raise CaptureError("algorithm %r is not SDK-HMAC-SHA256" % match.group("alg"))
    signed_names = match.group("signed").split(";") if match.group("signed") else []
    if "x-sdk-date" not in signed_names:
        raise CaptureError("x-sdk-date is not among the signed headers")

    header_params = {}
    for name in signed_names:
        found = [(key, value) for key, value in headers if key.lower() == name]
        if not found:
            raise CaptureError("signed header %r is not in the capture" % name)
        if len(found) > 1:
            raise CaptureError("signed header %r appears %d times; the Python SDK cannot sign that"
                               % (name, len(found)))
        key, value = found[0]
        header_params[key] = value

    url = urlsplit(capture["url"])
    if "body_base64" in capture:
        body = base64.b64decode(capture["body_base64"])
    else:
        body = (capture.get("body") or "").encode("utf-8")

    request = SdkRequest(
        method=str(capture["method"]),
        schema=url.scheme,
        host=url.netloc,
        resource_path=url.path or "/",
        query_params=_parse_query(url.query),
        header_params=header_params,
        body=body if body else None,
    )
    return request, captured_authorization


def _signer_class():
    from huaweicloudsdkcore.signer.signer import Signer

    class RecordingSigner(Signer):
        """The official Signer, remembering the canonical request it built."""
        canonical_request = None

        def _process_canonical_request(self, request, signed_headers):
            self.canonical_request = super()._process_canonical_request(request, signed_headers)
            return self.canonical_request

    return RecordingSigner


def main(argv=None):
    args = _parse_args(argv)
    # The Signer only reads .ak and .sk; BasicCredentials is not imported because importing the
    # SDK's credentials module writes ~/.huaweicloud/application_id.
    credentials = types.SimpleNamespace(ak=args.ak, sk=args.sk)

    try:
        try:
            capture = json.load(sys.stdin)
        except ValueError as e:
            raise CaptureError("stdin is not valid JSON: %s" % e)
        request, captured_authorization = _build_request(capture)
        signer = _signer_class()(credentials)
        try:
            signer.sign(request)
        except ValueError as e:  # e.g. an X-Sdk-Date not in YYYYMMDD'T'HHMMSS'Z' form
            raise CaptureError("the SDK signer rejected the request: %s" % e)
    except CaptureError as e:
        print(json.dumps({"authorization": None, "matches": False, "captured_authorization": None,
                          "error": str(e)}, ensure_ascii=False))
        return 2

    authorization = request.header_params["Authorization"]
    result = {
        "authorization": authorization,
        "matches": authorization == captured_authorization,
        "captured_authorization": captured_authorization,
    }
    if args.show_canonical:
        result["canonical_request"] = signer.canonical_request
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["matches"] else 1


if __name__ == "__main__":
    sys.exit(main())
