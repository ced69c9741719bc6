#!/usr/bin/env python3
"""Verify an SDK-ECDSA-P256-SHA256 or SDK-SM2-SM3 signature with the official Python SDK.

Reads one JSON object on stdin::

    {"algorithm": "SDK-ECDSA-P256-SHA256",
     "ak": "HWCEXAMPLEAK0123TEST", "sk": "HWCexampleSK0123456789abcdefghijklmnopqrST",
     "string_to_sign": "SDK-ECDSA-P256-SHA256\\n20261128T043500Z\\n<hex of SHA-256 of the canonical request>",
     "signature": "<hex of the DER SEQUENCE {r, s}>"}

The key is the one the SDK's own signer derives from the AK/SK:
``huaweicloudsdkcore.signer.signer.P256SHA256Signer`` for ``SDK-ECDSA-P256-SHA256`` and
``SM2SM3Signer`` for ``SDK-SM2-SM3``, through their ``get_signing_key()``. The signature is checked
with that key's ``verify(bytes.fromhex(signature), string_to_sign.encode())``. For SM2 this is
the SDK's verify, whose Z_A uses minimal-length coordinates (see the spec).

The SDK decodes the signature with pyasn1's DER decoder and ignores any bytes after the
SEQUENCE, so a valid signature followed by extra bytes is still reported valid: this script gives
the SDK's verdict, not a strict one.

Prints ``{"valid": true|false}``. Exit status 0 when the signature is valid, 1 when it is not
(a signature that is not valid hex or not DER is not valid), 2 when the input cannot be used
(bad JSON, a missing field, an unknown algorithm); the JSON then has an ``error`` field.
"""

import json
import sys

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.signer.signer import P256SHA256Signer, SM2SM3Signer

SIGNERS = {
    "SDK-ECDSA-P256-SHA256": P256SHA256Signer,
    "SDK-SM2-SM3": SM2SM3Signer,
}


class InputError(Exception):
    pass


def _read_input(text):
    try:
        data = json.loads(text)
    except ValueError as e:
        raise InputError("input is not JSON: %s" % e)
    if not isinstance(data, dict):
        raise InputError("input is not a JSON object")
    for field in ("algorithm", "ak", "sk", "string_to_sign", "signature"):
        if not isinstance(data.get(field), str):
            raise InputError("missing string field %r" % field)
    if data["algorithm"] not in SIGNERS:
        raise InputError("unknown algorithm %r (expected one of %s)"
                         % (data["algorithm"], ", ".join(sorted(SIGNERS))))
    if not data["ak"] or not data["sk"]:
        raise InputError("ak and sk must not be empty")
    return data


def verify(data):
    signer = SIGNERS[data["algorithm"]](BasicCredentials(data["ak"], data["sk"]))
    key = signer.get_signing_key()
    try:
        signature = bytes.fromhex(data["signature"])
        return key.verify(signature, data["string_to_sign"].encode("utf-8")) is True
    except Exception:  # not hex, not DER, or not a SEQUENCE of two integers
        return False


def main():
    try:
        data = _read_input(sys.stdin.read())
    except InputError as e:
        print(json.dumps({"valid": False, "error": str(e)}))
        return 2
    valid = verify(data)
    print(json.dumps({"valid": valid}))
    return 0 if valid else 1


if __name__ == "__main__":
    sys.exit(main())
