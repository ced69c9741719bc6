#!/usr/bin/env python3
"""Sign many requests with the official Huawei Cloud Python SDK, recording every stage.

The official side of the differential test (``tests/differential.rs``): one process signs a
whole batch rather than one process per request (starting Python and importing the SDK costs
far more than a signature). Reads JSON lines on stdin, one request each, and writes one JSON
line per request on stdout, in the same order.

A request::

    {"id": 7, "algorithm": "SDK-HMAC-SHA256", "ak": "...", "sk": "...",
     "security_token": "... (optional)", "region": "... (V11)", "service": "... (V11)",
     "method": "DELETE", "url": "https://host[:port]/raw/path?raw=query",
     "headers": [["Name", "value"], ...], "body_hex": "...", "sdk_date": "YYYYMMDDTHHMMSSZ",
     "ours_signature": "hex DER (SDK-ECDSA-P256-SHA256 and SDK-SM2-SM3 only, optional)"}

How it is handed to the SDK, as ``test-vectors/generate.py`` does (see its README):

* the URL is split as written: scheme, authority, raw path (the SDK decodes it itself), and the
  raw query split on ``&`` (empty pieces dropped) and at the first ``=``, each part decoded with
  ``urllib.parse.unquote`` (a literal ``+`` stays ``+``): ``SdkRequest.query_params``;
* ``headers`` become ``SdkRequest.header_params`` (a dict: a name given twice cannot be
  expressed, and is reported as an error);
* ``X-Security-Token`` is added for a security token, as ``Credentials.sign_request`` does, and
  ``X-Sdk-Date: sdk_date`` unless a header of that name (any case) is already there;
* the signer is the class ``Credentials.sign_request`` picks for the algorithm: ``Signer``,
  ``DerivationAKSKSigner`` (``sign(request, service, region)``), ``SM3Signer``,
  ``P256SHA256Signer`` or ``SM2SM3Signer``.

The answer records the return values of the SDK's own methods while ``sign()`` runs::

    {"id": 7, "canonical_request": ..., "string_to_sign": ..., "signed_headers": "a;b",
     "signature": ..., "authorization": ..., "headers": [[name, value], ...], "url": ...,
     "ours_signature_valid": true|false (only when ours_signature was given)}

``headers`` is ``header_params`` after signing, with the SDK's ISO-8859-1 view of UTF-8 values
undone. When the SDK raises, the answer is ``{"id": 7, "error": "ExceptionType: message"}``.
For the elliptic-curve algorithms ``ours_signature_valid`` is the SDK key's ``verify`` of the
other implementation's signature over the SDK's own string to sign.

Exit status 0 once every line is answered; 2 if a line is not a usable request.
"""

import binascii
import json
import sys
import traceback
from urllib.parse import unquote

from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import (DerivationAKSKSigner, P256SHA256Signer, SM2SM3Signer,
                                              SM3Signer, Signer)

SIGNERS = {
    "SDK-HMAC-SHA256": Signer,
    "V11-HMAC-SHA256": DerivationAKSKSigner,
    "SDK-HMAC-SM3": SM3Signer,
    "SDK-ECDSA-P256-SHA256": P256SHA256Signer,
    "SDK-SM2-SM3": SM2SM3Signer,
}
EC_ALGORITHMS = ("SDK-ECDSA-P256-SHA256", "SDK-SM2-SM3")
RECORDED = ("_process_signed_headers", "_process_canonical_request", "_process_string_to_sign",
            "_sign_string_to_sign")


class _Keys:
    """The two attributes a signer reads from its credentials."""

    def __init__(self, ak, sk):
        self.ak = ak
        self.sk = sk


class BadInput(Exception):
    pass


def split_url(url):
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise BadInput("not an absolute URL: %r" % url)
    end = len(rest)
    for mark in "/?":
        pos = rest.find(mark)
        if pos != -1:
            end = min(end, pos)
    authority, rest = rest[:end], rest[end:]
    path, _, query = rest.partition("?")
    return scheme, authority, path, query


def query_pairs(raw_query):
    pairs = []
    for piece in raw_query.split("&"):
        if not piece:
            continue
        key, _, value = piece.partition("=")
        pairs.append((unquote(key), unquote(value)))
    return pairs


def wire_value(value):
    # The signer leaves each value as its UTF-8 bytes read as ISO-8859-1 (for the HTTP client).
    try:
        return value.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def sign(case):
    algorithm = case["algorithm"]
    signer_class = SIGNERS[algorithm]
    header_params = {}
    for name, value in case["headers"]:
        if any(existing.lower() == name.lower() for existing in header_params):
            return {"error": "RepeatedHeader: the SDK keeps headers in a dict (%s)" % name}
        header_params[name] = value
    if case.get("security_token") is not None:
        header_params["X-Security-Token"] = case["security_token"]
    if not any(name.lower() == "x-sdk-date" for name in header_params):
        header_params["X-Sdk-Date"] = case["sdk_date"]
    scheme, authority, path, query = split_url(case["url"])
    request = SdkRequest(method=case["method"], schema=scheme, host=authority, resource_path=path,
                         query_params=query_pairs(query), header_params=header_params,
                         body=bytes.fromhex(case.get("body_hex", "")))

    signer = signer_class(_Keys(case["ak"], case["sk"]))
    calls = {}
    for method in RECORDED:
        original = getattr(signer, method)

        def recorder(*args, _original=original, _method=method, **kwargs):
            result = _original(*args, **kwargs)
            calls.setdefault(_method, []).append(result)
            return result

        setattr(signer, method, recorder)

    try:
        if algorithm == "V11-HMAC-SHA256":
            signed = signer.sign(request, case["service"], case["region"])
        else:
            signed = signer.sign(request)
    except Exception as e:  # the SDK refuses the request: that is an answer too
        return {"error": "%s: %s" % (type(e).__name__, e)}
    for method in RECORDED:
        if len(calls.get(method, [])) != 1:
            raise AssertionError("%s was called %d times" % (method, len(calls.get(method, []))))

    answer = {
        "canonical_request": calls["_process_canonical_request"][0],
        "string_to_sign": calls["_process_string_to_sign"][0],
        "signed_headers": ";".join(calls["_process_signed_headers"][0]),
        "signature": calls["_sign_string_to_sign"][0],
        "authorization": signed.header_params["Authorization"],
        "headers": [[name, wire_value(value)] for name, value in signed.header_params.items()],
        "url": signed.url,
    }
    if algorithm in EC_ALGORITHMS and case.get("ours_signature") is not None:
        key = signer.get_signing_key()
        try:
            valid = key.verify(binascii.unhexlify(case["ours_signature"]),
                               answer["string_to_sign"].encode("utf-8")) is True
        except Exception:
            valid = False
        answer["ours_signature_valid"] = valid
    return answer


def main():
    out = sys.stdout
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
            if case.get("algorithm") not in SIGNERS:
                raise BadInput("unknown algorithm %r" % case.get("algorithm"))
            answer = sign(case)
        except (BadInput, ValueError, KeyError, TypeError) as e:
            sys.stderr.write("line %d: not a usable request: %s\n" % (number, e))
            traceback.print_exc()
            return 2
        answer["id"] = case.get("id")
        out.write(json.dumps(answer, ensure_ascii=False) + "\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
