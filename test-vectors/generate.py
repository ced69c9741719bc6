#!/usr/bin/env python3
"""Generate the test vectors from the official Huawei Cloud Python SDK.

Usage (from the repository root):

    python3 -m venv .venv
    .venv/bin/pip install huaweicloudsdkcore==3.1.219
    .venv/bin/python test-vectors/generate.py          # rewrite the JSON files
    .venv/bin/python test-vectors/generate.py --check  # fail if they are out of date

Writes, next to this script:
  sdk-hmac-sha256.json    vectors signed by huaweicloudsdkcore's Signer.sign ("python-sdk"),
                          plus hand-written ones for rules where this project departs from
                          the Python SDK ("ours");
  known-answers.json      Huawei's published SDK-HMAC-SHA256 known answers ("spec-known-answer"),
                          reproduced with the same Signer and checked against the published
                          signatures;
  other-algorithms.json   V11-HMAC-SHA256, SDK-HMAC-SM3, SDK-ECDSA-P256-SHA256 and SDK-SM2-SM3
                          vectors signed by the SDK's DerivationAKSKSigner, SM3Signer,
                          P256SHA256Signer and SM2SM3Signer ("python-sdk"), and the published
                          V11 and SM3 known answers of the Java SDK, reproduced with those signers.

Every intermediate value of a "python-sdk" vector is the return value of the SDK's own method,
recorded while the SDK signer's sign() runs. The small re-implementation of the project's rules
(section "OURS" below) is used only to compute the "ours" vectors and to cross-check the others.

The elliptic-curve signatures use a random nonce, so two runs never give the same signature.
When other-algorithms.json already holds a signature for an otherwise identical vector and the
SDK's own verify still accepts it, that signature is kept, so the output stays the same from
one run to the next and --check can compare it.
"""

import argparse
import hashlib
import hmac
import json
import os
import sys
from importlib.metadata import version as installed_version
from urllib.parse import quote, unquote

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.algorithm import SigningAlgorithm
from huaweicloudsdkcore.signer.signer import (DerivationAKSKSigner, P256SHA256Signer, SM2SM3Signer,
                                              SM3Signer, Signer)

SDK_PACKAGE = "huaweicloudsdkcore"
SDK_VERSION = "3.1.219"
FORMAT = "huaweicloud-aksk-vectors/1"
GENERATOR = "test-vectors/generate.py with %s %s (Signer.sign)" % (SDK_PACKAGE, SDK_VERSION)
ALGORITHM = "SDK-HMAC-SHA256"
EMPTY_HASH = hashlib.sha256(b"").hexdigest()
OTHER_GENERATOR = ("test-vectors/generate.py with %s %s (DerivationAKSKSigner.sign, SM3Signer.sign, "
                   "P256SHA256Signer.sign, SM2SM3Signer.sign)" % (SDK_PACKAGE, SDK_VERSION))
V11 = "V11-HMAC-SHA256"
SM3 = "SDK-HMAC-SM3"
P256 = "SDK-ECDSA-P256-SHA256"
SM2 = "SDK-SM2-SM3"
EC_ALGORITHMS = (P256, SM2)
EMPTY_SM3 = "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b"
assert hashlib.new("sm3", b"").hexdigest() == EMPTY_SM3


class _Algorithm:
    """What differs between the algorithms: the SDK signer, the digest, the content header."""

    def __init__(self, signer, sdk_enum, digest, content_header):
        self.signer = signer
        self.sdk_enum = sdk_enum  # SdkRequest.signing_algorithm; None for V11 (chosen by the credentials)
        self.digest = digest  # hashlib name: the payload hash, the canonical-request hash, the HMAC
        self.content_header = content_header


ALGORITHMS = {
    ALGORITHM: _Algorithm(Signer, SigningAlgorithm.HMAC_SHA256, "sha256", "X-Sdk-Content-Sha256"),
    V11: _Algorithm(DerivationAKSKSigner, None, "sha256", "X-Sdk-Content-Sha256"),
    SM3: _Algorithm(SM3Signer, SigningAlgorithm.HMAC_SM3, "sm3", "X-Sdk-Content-Sm3"),
    P256: _Algorithm(P256SHA256Signer, SigningAlgorithm.ECDSA_P256_SHA256, "sha256", "X-Sdk-Content-Sha256"),
    SM2: _Algorithm(SM2SM3Signer, SigningAlgorithm.SM2_SM3, "sm3", "X-Sdk-Content-Sm3"),
}


def digest_hex(algorithm, data):
    return hashlib.new(ALGORITHMS[algorithm].digest, data).hexdigest()

AK = "HWCEXAMPLEAK0123TEST"
SK = "HWCexampleSK0123456789abcdefghijklmnopqrST"
PID = "0123456789abcdef0123456789abcdef"
DATE = "20261128T043500Z"
MPC_HOST = "mpc.cn-north-4.myhuaweicloud.com"
REMUX_TASK = "https://%s/v1/%s/remux/task" % (MPC_HOST, PID)
FILES = "https://%s/v1/%s/files" % (MPC_HOST, PID)
MPC_HEADERS = [["X-Project-Id", PID], ["Content-Type", "application/json"]]
PROJECT_HEADER = [["X-Project-Id", PID]]
TOKEN = "HWCexampleSecurityToken.gQpjbi1ub3J0aC00iwB7ImV4cGlyZXMiOiIyMDI2LTExLTI4VDA1OjM1OjAwWiJ9+/=="


# ---------------------------------------------------------------------------------------------
# Cases signed by the official Python SDK ("python-sdk").
# Each case: name, description, method, url, headers (ordered [name, value] pairs), and
# optionally body, ak, sk, security_token, sdk_date.
# ---------------------------------------------------------------------------------------------

def delete_task(name, description, query, headers=None, **extra):
    case = {
        "name": name,
        "description": description,
        "method": "DELETE",
        "url": REMUX_TASK + "?" + query,
        "headers": MPC_HEADERS if headers is None else headers,
    }
    case.update(extra)
    return case


def request(name, description, method, url, headers, body="", **extra):
    case = {"name": name, "description": description, "method": method, "url": url,
            "headers": headers, "body": body}
    case.update(extra)
    return case


NOTES_URL = "https://%s/v1/%s/notes" % (MPC_HOST, PID)

MANY_HEADERS = [
    ["X-Project-Id", PID],
    ["Content-Type", "application/json"],
    ["User-Agent", "huaweicloud-usdk-python/3.0"],
    ["Accept", "application/json"],
    ["Accept-Language", "zh-CN,en;q=0.8"],
    ["X-Request-Id", "a1b2c3d4-0000-4000-8000-123456789abc"],
    ["X-Client-Version", "1.0.0"],
    ["X-Trace", "span=1"],
    ["Cache-Control", "no-cache"],
    ["X-Language", "en-us"],
    ["X-Marker", "zzz"],
    ["A-First", "first"],
]

JSON_PRETTY = '{\n  "task_id": "100211",\n  "options": {\n    "priority": 1,\n    "tags": ["a", "b"]\n  }\n}\n'

PYTHON_SDK_CASES = [
    # The MPC call itself.
    delete_task("delete_remux_task_plain",
                "DeleteRemuxTask as the official MPC client builds it: X-Project-Id and Content-Type: application/json.",
                "task_id=100211"),
    delete_task("delete_remux_task_without_content_type",
                "DeleteRemuxTask with only the X-Project-Id header.",
                "task_id=100211", PROJECT_HEADER),
    delete_task("delete_remux_task_official_client_headers",
                "DeleteRemuxTask with the headers the official Python client sends, User-Agent included.",
                "task_id=100211",
                [["Content-Type", "application/json"], ["User-Agent", "huaweicloud-usdk-python/3.0"],
                 ["X-Project-Id", PID]]),
    delete_task("delete_remux_task_method_lower_case",
                "A lower-case method is upper-cased in the canonical request.",
                "task_id=100211", method="delete"),
    # Query values that need escaping.
    delete_task("query_value_space_percent_encoded",
                "A space written as %20 in a query value is signed as %20.",
                "task_id=task%20one"),
    delete_task("query_value_plus_percent_encoded",
                "A plus written as %2B in a query value is signed as %2B.",
                "task_id=a%2Bb"),
    delete_task("query_value_literal_plus_is_not_a_space",
                "A literal plus in a query value stays a plus and is signed as %2B.",
                "task_id=a+b"),
    delete_task("query_value_encoded_slash",
                "A slash written as %2F in a query value is signed as %2F.",
                "task_id=a%2Fb"),
    delete_task("query_value_tilde_unreserved",
                "A tilde in a query value is unreserved and kept as is.",
                "task_id=a~b"),
    delete_task("query_value_encoded_percent",
                "A percent sign written as %25 in a query value is signed as %25.",
                "task_id=100%25"),
    delete_task("query_value_contains_equals",
                "Only the first equals sign splits key from value; later ones are part of the value.",
                "task_id=a=b%3Dc"),
    delete_task("query_value_encoded_ampersand",
                "An ampersand written as %26 stays inside the value and is signed as %26.",
                "task_id=a%26b"),
    delete_task("query_value_cjk",
                "A CJK query value is signed as upper-case percent-encoded UTF-8.",
                "task_id=%E4%BB%BB%E5%8A%A1"),
    delete_task("query_value_emoji",
                "A four-byte UTF-8 (emoji) query value is signed as percent-encoded UTF-8.",
                "task_id=%F0%9F%98%80"),
    delete_task("query_value_control_characters",
                "Control characters %01, %7F and %0A in a query value are signed percent-encoded.",
                "task_id=a%01b%7Fc%0Ad"),
    delete_task("query_value_reserved_characters",
                "Reserved characters in a query value are signed with upper-case hex escapes.",
                "task_id=%21%27%28%29%2A%2C%3B%3A%40%24%5B%5D"),
    delete_task("query_value_lower_case_hex_normalised",
                "Lower-case percent escapes are decoded and re-encoded with upper-case hex.",
                "task_id=%2a%c3%a9"),
    delete_task("query_value_unreserved_characters_kept",
                "Unreserved characters A-Z a-z 0-9 - _ . ~ are not escaped.",
                "task_id=AZaz09-_.~"),
    delete_task("query_empty_value",
                "A key with an empty value after the equals sign is signed as key=.",
                "task_id=100211&a="),
    delete_task("query_key_without_equals",
                "A key without an equals sign is signed as key=.",
                "task_id=100211&a"),
    delete_task("query_empty_pieces_dropped",
                "Empty pieces between ampersands, and leading or trailing ones, are dropped.",
                "&&task_id=100211&&a=1&"),
    delete_task("query_key_needs_encoding",
                "Query keys are decoded and re-encoded like values.",
                "task_id=1&a%20b=1&c%2Bd=2&e+f=3"),
    delete_task("query_repeated_key_sorted_as_strings",
                "A repeated key keeps both values, sorted as strings: 10 before 2.",
                "k=2&k=10"),
    delete_task("query_repeated_key_values_sorted",
                "A repeated key's values are sorted: a before b.",
                "k=b&k=a"),
    delete_task("query_upper_case_key_sorts_first",
                "Keys sort by code point, so upper case sorts before lower case.",
                "B=x&a=y"),
    delete_task("query_sort_case_and_symbols",
                "Keys A, _, a and ~ sort by code point.",
                "a=1&A=1&_=1&~=1"),
    delete_task("query_sort_decoded_e_acute_after_tilde",
                "Keys sort by their decoded code points, so ~ (U+007E) sorts before e-acute (U+00E9).",
                "%C3%A9=1&~=1"),
    delete_task("query_sort_astral_after_bmp",
                "Values sort by code point: U+FF5E before U+1F600 (UTF-16 order would swap them).",
                "k=%F0%9F%98%80&k=%EF%BD%9E"),
    delete_task("query_many_params",
                "Fourteen query parameters in scrambled order are sorted by key, then value.",
                "z=26&task_id=100211&limit=10&offset=0&Order=desc&b=2&a=1&marker=m%20n&"
                "x=&y&c=3&c=1&%E4%B8%AD=zh&~t=tilde"),
    # Paths.
    request("path_trailing_slash",
            "A path that already ends in a slash gets no second slash and is sent as written.",
            "DELETE", REMUX_TASK + "/?task_id=100211", MPC_HEADERS),
    request("path_root",
            "The root path / with no query.",
            "GET", "https://%s/" % MPC_HOST, PROJECT_HEADER),
    request("path_double_slash_kept",
            "Empty path segments from a double slash are kept, not collapsed.",
            "GET", "https://%s/v1//%s//remux/task" % (MPC_HOST, PID), PROJECT_HEADER),
    request("path_percent_encoded_segments",
            "Percent-encoded path segments are decoded and re-encoded; %41 becomes A, %20 stays %20.",
            "GET", "https://%s/v1/proj%%201/files/%%41bc%%2a" % MPC_HOST, [["X-Project-Id", "proj 1"]]),
    request("path_encoded_slash_in_segment",
            "%2F inside a path segment is decoded before splitting, so it signs as a path separator.",
            "GET", FILES + "/a%2Fb", PROJECT_HEADER),
    request("path_unicode",
            "A path with percent-encoded CJK and emoji segments is signed as percent-encoded UTF-8.",
            "GET", FILES + "/%E6%96%87%E4%BB%B6/%F0%9F%8E%AC.mp4", PROJECT_HEADER),
    request("path_tilde_star_colon_at",
            "In a path ~ is kept while *, : and @ are percent-encoded in the canonical URI only.",
            "GET", FILES + "/a~b*c:d@e", PROJECT_HEADER),
    request("path_literal_plus",
            "A literal plus in a path is signed as %2B.",
            "GET", FILES + "/a+b", PROJECT_HEADER),
    request("path_encoded_space_and_percent",
            "Path escapes %20 and %25 are kept as escapes in the canonical URI.",
            "GET", FILES + "/my%20file%25.txt", PROJECT_HEADER),
    # Headers.
    delete_task("header_value_outer_spaces_trimmed",
                "Spaces around a header value are trimmed before signing and sending.",
                "task_id=100211", PROJECT_HEADER + [["X-Custom", "   padded value   "]]),
    delete_task("header_value_inner_spaces_kept",
                "Runs of spaces inside a header value are kept as is.",
                "task_id=100211", PROJECT_HEADER + [["X-Custom", "  a  b   c  "]]),
    delete_task("header_value_tabs_trimmed",
                "Tabs around a header value are trimmed; a tab inside it is kept.",
                "task_id=100211", PROJECT_HEADER + [["X-Custom", "\ta\tb\t"]]),
    delete_task("header_value_only_spaces",
                "A header value of only spaces is trimmed to empty and signed as name:.",
                "task_id=100211", PROJECT_HEADER + [["X-Empty", "   "]]),
    delete_task("header_names_mixed_case",
                "Header names are lower-cased for signing and sent with the caller's spelling.",
                "task_id=100211",
                [["x-PROJECT-id", PID], ["CONTENT-TYPE", "application/json"], ["X-Custom-HEADER", "Value"]]),
    delete_task("header_content_type_lower_case_json",
                "A lower-case content-type header with a JSON type is signed like any other header.",
                "task_id=100211", [["X-Project-Id", PID], ["content-type", "application/json"]]),
    delete_task("many_headers",
                "Twelve headers in arbitrary order are all signed, sorted by lower-cased name.",
                "task_id=100211", MANY_HEADERS),
    delete_task("header_value_utf8_chinese",
                "A UTF-8 header value (Chinese) is signed as its UTF-8 text.",
                "task_id=100211", PROJECT_HEADER + [["X-Description", "华为云 媒体处理"]]),
    delete_task("header_name_with_underscore_not_signed",
                "A header whose name contains an underscore is sent but not signed.",
                "task_id=100211", [["X-Project_Id", PID], ["X-Project-Id", PID], ["Content-Type", "application/json"]]),
    delete_task("header_caller_host_differs_from_url",
                "A caller-supplied Host header is signed and sent instead of the URL's authority.",
                "task_id=100211", PROJECT_HEADER + [["Host", "example.com"]]),
    delete_task("header_caller_host_lower_case",
                "A caller-supplied lower-case host header is used as given; no second Host is added.",
                "task_id=100211", PROJECT_HEADER + [["host", "api.example.com:8443"]]),
    # Authorities.
    request("port_non_default_8443",
            "A non-default port is part of the signed and sent Host.",
            "DELETE", "https://%s:8443/v1/%s/remux/task?task_id=100211" % (MPC_HOST, PID), MPC_HEADERS),
    request("port_explicit_443_kept",
            "An explicit default port :443 is kept in the signed and sent Host.",
            "DELETE", "https://%s:443/v1/%s/remux/task?task_id=100211" % (MPC_HOST, PID), MPC_HEADERS),
    request("http_explicit_port_80_kept",
            "Plain http with an explicit :80 keeps the port in the Host.",
            "DELETE", "http://%s:80/v1/%s/remux/task?task_id=100211" % (MPC_HOST, PID), MPC_HEADERS),
    request("http_without_port",
            "Plain http without a port signs the bare host name.",
            "DELETE", "http://%s/v1/%s/remux/task?task_id=100211" % (MPC_HOST, PID), MPC_HEADERS),
    request("ipv4_host_with_port",
            "An IPv4 address with a port is the Host.",
            "DELETE", "http://127.0.0.1:8080/v1/%s/remux/task?task_id=100211" % PID, MPC_HEADERS),
    request("ipv6_host_with_port",
            "A bracketed IPv6 address with a port is the Host, brackets included.",
            "DELETE", "https://[::1]:8443/v1/%s/remux/task?task_id=100211" % PID, MPC_HEADERS),
    # Bodies and payload hashes.
    request("json_body_compact",
            "POST with a compact JSON body hashes the body.",
            "POST", "https://%s/v1/%s/remux" % (MPC_HOST, PID), MPC_HEADERS,
            '{"input":{"bucket":"in","location":"cn-north-4","object":"a.m3u8"},"output_param":{"format":"MP4"}}'),
    request("json_body_pretty",
            "PUT with an indented multi-line JSON body hashes it byte for byte.",
            "PUT", "https://%s/v1/%s/remux/task" % (MPC_HOST, PID), MPC_HEADERS, JSON_PRETTY),
    request("json_body_unicode",
            "POST with a JSON body holding raw CJK and emoji hashes its UTF-8 bytes.",
            "POST", "https://%s/v1/%s/remux" % (MPC_HOST, PID), MPC_HEADERS,
            '{"name":"转封装任务 🎬","note":"naïve"}'),
    request("patch_json_body",
            "PATCH with a JSON body.",
            "PATCH", "https://%s/v1/%s/remux/task?task_id=100211" % (MPC_HOST, PID), MPC_HEADERS,
            '{"priority":9}'),
    request("unsigned_payload_header_with_body",
            "A caller's X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD replaces the body hash and is signed.",
            "POST", "https://%s/v1/%s/remux" % (MPC_HOST, PID),
            MPC_HEADERS + [["X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD"]], '{"a":1}'),
    request("unsigned_payload_header_lower_case_name",
            "x-sdk-content-sha256 in lower case is found without regard to case and replaces the body hash.",
            "POST", "https://%s/v1/%s/remux" % (MPC_HOST, PID),
            MPC_HEADERS + [["x-sdk-content-sha256", "UNSIGNED-PAYLOAD"]], '{"a":1}'),
    request("content_type_text_plain_with_body",
            "A text/plain body makes the signer add X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD.",
            "POST", "https://%s/v1/%s/notes" % (MPC_HOST, PID),
            [["X-Project-Id", PID], ["Content-Type", "text/plain"]], "hello, world\n"),
    request("content_type_octet_stream_with_body",
            "An application/octet-stream body makes the signer add X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD.",
            "PUT", "https://%s/v1/%s/objects/blob.bin" % (MPC_HOST, PID),
            [["X-Project-Id", PID], ["Content-Type", "application/octet-stream"]], "\u0000\u0001binary-ish\u007f"),
    request("content_type_json_with_charset",
            "application/json;charset=UTF-8 counts as JSON, so the body is hashed.",
            "POST", "https://%s/v1/%s/remux" % (MPC_HOST, PID),
            [["X-Project-Id", PID], ["Content-Type", "application/json;charset=UTF-8"]], '{"a":"b"}'),
    request("content_type_bson_with_body",
            "application/bson is not treated as unsigned, so the body is hashed.",
            "POST", "https://%s/v1/%s/remux" % (MPC_HOST, PID),
            [["X-Project-Id", PID], ["Content-Type", "application/bson"]], "bson-as-text"),
    # Credentials.
    delete_task("security_token",
                "Temporary credentials add a signed X-Security-Token header.",
                "task_id=100211", security_token=TOKEN),
    request("security_token_with_json_body",
            "Temporary credentials on a POST with a JSON body.",
            "POST", "https://%s/v1/%s/remux" % (MPC_HOST, PID), MPC_HEADERS, '{"a":1}',
            security_token=TOKEN),
    delete_task("sk_100_chars",
                "A 100-character SK is longer than the HMAC block and is hashed into the key.",
                "task_id=100211", sk=("HWCexampleSK" + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" * 2)[:100]),
    delete_task("sk_64_chars",
                "A 64-character SK fills the HMAC block exactly.",
                "task_id=100211", sk=("HWCexampleSK" + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")[:64]),
    delete_task("ak_sk_unusual_characters",
                "AK and SK with punctuation, as opaque strings.",
                "task_id=100211", ak="HWC-EXAMPLE_ak.0123~TEST",
                sk="HWC+example/SK=0123 456!@#$%^&*()[]{}<>?|\\'\";:`"),
    # Methods.
    request("get_with_query",
            "GET with a query and no body.",
            "GET", "https://%s/v1/%s/remux/task?page=0&size=10&status=SUCCEEDED" % (MPC_HOST, PID), MPC_HEADERS),
    request("head_request",
            "HEAD with no body.",
            "HEAD", "https://%s/v1/%s/remux/task?task_id=100211" % (MPC_HOST, PID), PROJECT_HEADER),
    request("post_empty_body",
            "POST with a JSON content type and an empty body hashes the empty string.",
            "POST", "https://%s/v1/%s/remux/retry?task_id=100211" % (MPC_HOST, PID), MPC_HEADERS),
]


# ---------------------------------------------------------------------------------------------
# Cases where this project departs from the Python SDK (docs/SIGNING.md §8; "ours").
# ---------------------------------------------------------------------------------------------

OURS_CASES = [
    delete_task("ours_unsigned_payload_header_empty_body",
                "X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD on a request with no body is used as the payload hash.",
                "task_id=100211", MPC_HEADERS + [["X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD"]],
                reason="OURS: the X-Sdk-Content-Sha256 header wins even for an empty body, as the documentation, "
                       "Go, Java, Node and .NET do; the Python SDK ignores it for empty bodies and hashes the "
                       "empty string."),
    delete_task("ours_content_type_text_plain_empty_body",
                "A text/plain content type with no body adds UNSIGNED-PAYLOAD, which is then the payload hash.",
                "task_id=100211", [["X-Project-Id", PID], ["Content-Type", "text/plain"]],
                reason="OURS: the added X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD is used as the payload hash even "
                       "for an empty body; the Python SDK adds and signs the header but hashes the empty string."),
    delete_task("ours_header_given_twice",
                "A header given twice signs one canonical line per value, values sorted, name listed once.",
                "task_id=100211", PROJECT_HEADER + [["X-Tag", "beta"], ["X-Tag", " alpha "]],
                reason="OURS: one canonical line per value, values sorted, as Go and .NET do; the Python SDK keeps "
                       "headers in a dict and cannot express a repeated header."),
    request("ours_content_type_lower_case_text_plain",
            "A lower-case content-type: text/plain makes the signer add X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD.",
            "POST", "https://%s/v1/%s/notes" % (MPC_HOST, PID),
            [["X-Project-Id", PID], ["content-type", "text/plain"]], "hello, world\n",
            reason="OURS: the content type is looked up without regard to case; the Python SDK only looks at "
                   "a header spelled Content-Type, so it hashes this body."),
    request("ours_empty_path",
            "A URL with no path is signed with the canonical URI / and sent with the path /.",
            "GET", "https://%s" % MPC_HOST, PROJECT_HEADER,
            reason="OURS: an empty path is canonical /; the Python SDK fails with IndexError on an empty "
                   "resource_path."),
    request("ours_empty_path_with_query",
            "A URL with no path but a query is signed with the canonical URI /.",
            "GET", "https://%s?limit=10" % MPC_HOST, PROJECT_HEADER,
            reason="OURS: an empty path is canonical /; the Python SDK fails with IndexError on an empty "
                   "resource_path."),
]


# ---------------------------------------------------------------------------------------------
# Cases from the disagreements found by the differential test (tests/differential.rs), written
# to differential.json: the classes fixed to agree with the Python SDK ("python-sdk"), and the
# rules where this project differs ("ours", some expecting an error).
# ---------------------------------------------------------------------------------------------

DIFF_PYTHON_SDK_CASES = [
    request("content_type_empty_adds_no_unsigned_payload",
            "An empty Content-Type names no type: the body is hashed and no UNSIGNED-PAYLOAD is added.",
            "POST", NOTES_URL, [["X-Project-Id", PID], ["Content-Type", ""]], "hello, world\n"),
    request("content_type_only_spaces_adds_unsigned_payload",
            "A Content-Type of only spaces is not empty as given: UNSIGNED-PAYLOAD is added; the value is sent trimmed.",
            "POST", NOTES_URL, [["X-Project-Id", PID], ["Content-Type", "  "]], "hello, world\n"),
    request("content_sha256_empty_with_body_hashes_the_body",
            "An empty X-Sdk-Content-Sha256 states no payload hash: it is signed as an empty header and the body is hashed.",
            "POST", NOTES_URL, [["X-Project-Id", PID], ["Content-Type", "application/json"],
                                ["X-Sdk-Content-Sha256", ""]], '{"note":"x"}'),
    request("content_sha256_only_spaces_with_body_hashes_the_body",
            "An X-Sdk-Content-Sha256 of only spaces is trimmed to empty: the body is hashed.",
            "POST", NOTES_URL, [["X-Project-Id", PID], ["Content-Type", "application/json"],
                                ["X-Sdk-Content-Sha256", "   "]], '{"note":"x"}'),
]

DIFF_OURS_CASES = [
    request("ours_caller_content_sha256_with_text_plain",
            "A caller's X-Sdk-Content-Sha256 is kept, with a text/plain content type too, and no UNSIGNED-PAYLOAD is added.",
            "POST", NOTES_URL, [["X-Project-Id", PID], ["Content-Type", "text/plain"],
                                ["X-Sdk-Content-Sha256", hashlib.sha256(b"hello, world\n").hexdigest()]],
            "hello, world\n",
            reason="OURS: a caller's content-hash header is the payload hash and is sent as given; the Python SDK "
                   "overwrites it with UNSIGNED-PAYLOAD for a non-JSON content type."),
    request("ours_caller_content_sha256_lower_case_with_text_plain",
            "A caller's x-sdk-content-sha256 (lower case) is kept with text/plain, and not doubled.",
            "POST", NOTES_URL, [["X-Project-Id", PID], ["Content-Type", "text/plain"],
                                ["x-sdk-content-sha256", "UNSIGNED-PAYLOAD"]], "hello, world\n",
            reason="OURS: a caller's content-hash header is never doubled; the Python SDK adds a second "
                   "X-Sdk-Content-Sha256 and lists x-sdk-content-sha256 twice in SignedHeaders."),
    request("ours_content_sha256_non_ascii",
            "A non-ASCII stated payload hash is signed as its UTF-8 text.",
            "POST", NOTES_URL, [["X-Project-Id", PID], ["Content-Type", "application/json"],
                                ["X-Sdk-Content-Sha256", "h\u00e9"]], '{"note":"x"}',
            reason="OURS: header values are UTF-8 text everywhere; the Python SDK re-reads the value's UTF-8 "
                   "bytes as ISO-8859-1 before using it as the payload hash, and signs 'hÃ©'."),
    delete_task("ours_caller_security_token_kept",
                "A caller's X-Security-Token is kept: the credentials' token is not added over it.",
                "task_id=100211", PROJECT_HEADER + [["X-Security-Token", "caller-token"]],
                security_token=TOKEN,
                reason="OURS: the signer never rewrites a caller's header; the Python SDK's "
                       "Credentials.sign_request overwrites X-Security-Token with the credentials' token."),
    delete_task("ours_sdk_date_header_outer_whitespace",
                "A caller's X-Sdk-Date with outer spaces is read trimmed, like every header value.",
                "task_id=100211", PROJECT_HEADER + [["X-Sdk-Date", " %s " % DATE]],
                reason="OURS: X-Sdk-Date is trimmed like every header value; the Python SDK's strptime refuses "
                       "outer whitespace (ValueError)."),
]

# Requests this project refuses and the Python SDK signs ("ours", expected: an error).
OURS_ERROR_CASES = [
    delete_task("ours_error_header_value_control_character",
                "A header value with a control character other than HTAB is refused.",
                "task_id=100211", PROJECT_HEADER + [["X-Custom", "a\x1fb"]],
                error="invalid value for header \"X-Custom\": contains a control character",
                reason="OURS: a field value cannot carry control characters other than HTAB (RFC 9110 5.5), "
                       "and the http crate refuses them; the Python SDK signs the value as given (and strips "
                       "U+001C..U+001F at its ends)."),
    delete_task("ours_error_sdk_date_lower_case_t_z",
                "A caller's X-Sdk-Date with a lower-case t and z is refused.",
                "task_id=100211", PROJECT_HEADER + [["X-Sdk-Date", DATE.lower()]],
                error="invalid X-Sdk-Date",
                reason="OURS: X-Sdk-Date is exactly YYYYMMDD'T'HHMMSS'Z'; the Python SDK's strptime takes 't' and "
                       "'z', signs the lower-case header, but puts the upper-case form in the string to sign."),
]


# ---------------------------------------------------------------------------------------------
# Published known answers (docs/SIGNING.md §3), reproduced with the Python SDK.
# ---------------------------------------------------------------------------------------------

VPCS = "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0"

KNOWN_ANSWERS = [
    {
        "name": "doc_example_get_vpcs",
        "description": "The signing example from Huawei's API signing guide (signs content-type;host;x-sdk-date).",
        "ak": "QTWAOYTTINDUT2QVKYUC", "sk": "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc",
        "method": "GET", "url": "https://service.region.example.com" + VPCS,
        "headers": [["Content-Type", "application/json"]], "sdk_date": "20191115T033655Z",
        "known_canonical_request_hash": "b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a",
        "known_signature": "7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe",
    },
    {
        "name": "java_sdk_get_vpcs",
        "description": "Java SDK AKSKSigner test 1: the same GET, signing host;x-sdk-date.",
        "ak": "AccessKey", "sk": "SecretKey",
        "method": "GET", "url": "https://service.region.example.com" + VPCS,
        "headers": [], "sdk_date": "20191115T033655Z",
        "known_signature": "fd95e7da6f695cfb4cabbb9d6b0968aec155bc576b064835282473539ae9ea1d",
    },
    {
        "name": "java_sdk_get_caller_host_no_path",
        "description": "Java SDK AKSKSigner test 3: GET with no path and a caller Host: example.com.",
        "ak": "AccessKey", "sk": "SecretKey",
        "method": "GET", "url": "https://service.region.example.com",
        "headers": [["Host", "example.com"]], "sdk_date": "20191115T033655Z",
        # The Python SDK cannot sign an empty resource_path (IndexError); it is given "/", which is
        # the canonical URI of an empty path in the Java SDK and in OURS.
        "sdk_empty_path_as_root": True,
        "known_signature": "919ad8b75d4ad49da0d377e63ee21c4a7a54b752f6bf2878b4adbe9c19927da6",
    },
    {
        "name": "python_sdk_get_resources",
        "description": "Python SDK signer test: GET /resources?size=1, signing host;x-sdk-date.",
        "ak": "my ak", "sk": "my sk",
        "method": "GET", "url": "https://service.endpoint.myhuaweicloud.com/resources?size=1",
        "headers": [], "sdk_date": "20200608T023900Z",
        "known_signature": "6d5bc610d3d4475346aae5cd7ed8d99585e60c0430a1d3d6e2f54e2bdd633701",
    },
]


# ---------------------------------------------------------------------------------------------
# The other algorithms of the SDK (other-algorithms.json), signed by the SDK's own signers.
# A case has "algorithm"; a V11 case also has "region" and "service" (its credential scope).
# ---------------------------------------------------------------------------------------------

REGION = "cn-north-4"
SERVICE = "mpc"
REMUX = "https://%s/v1/%s/remux" % (MPC_HOST, PID)
NOTES = "https://%s/v1/%s/notes" % (MPC_HOST, PID)
LONG_KEY = ("HWCexample" + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" * 2)[:100]
JSON_BODY = ('{"input":{"bucket":"example-bucket","location":"cn-north-4","object":"in/video.mp4"},'
             '"output_param":{"format":"HLS"}}')
ESCAPED_QUERY = "task_id=a%20b%2Bc%2F%C3%A9&marker=~x*y&Limit=10"
CALLER_HOST = "mpc-internal.example.com:8443"


def other(algorithm, name, description, method, url, headers, body="", **extra):
    case = request(name, description, method, url, headers, body, algorithm=algorithm, **extra)
    if algorithm == V11:
        case.setdefault("region", REGION)
        case.setdefault("service", SERVICE)
    return case


def common_cases(algorithm, prefix):
    """The same requests for every algorithm."""
    content = ALGORITHMS[algorithm].content_header
    if algorithm == V11:
        long_sk = "a 100-character SK (the HKDF input key material)"
    else:
        long_sk = "a 100-character SK, longer than the HMAC block, so it is hashed into the HMAC key"
    return [
        other(algorithm, prefix + "_delete_remux_task_plain",
              "%s: DeleteRemuxTask with X-Project-Id and Content-Type: application/json." % algorithm,
              "DELETE", REMUX_TASK + "?task_id=100211", MPC_HEADERS),
        other(algorithm, prefix + "_post_json_body",
              "%s: POST with a JSON body, which is hashed." % algorithm,
              "POST", REMUX, MPC_HEADERS, JSON_BODY),
        other(algorithm, prefix + "_unsigned_payload_header_with_body",
              "%s: the caller's %s: UNSIGNED-PAYLOAD on a JSON body is the payload hash." % (algorithm, content),
              "POST", REMUX, MPC_HEADERS + [[content, "UNSIGNED-PAYLOAD"]], JSON_BODY),
        other(algorithm, prefix + "_content_type_text_plain_with_body",
              "%s: a text/plain body makes the signer add %s: UNSIGNED-PAYLOAD, the payload hash."
              % (algorithm, content),
              "POST", NOTES, [["X-Project-Id", PID], ["Content-Type", "text/plain"]], "hello, world\n"),
        other(algorithm, prefix + "_query_needs_escapes",
              "%s: query keys and values that need percent-encoding, the upper-case key sorted first."
              % algorithm,
              "DELETE", REMUX_TASK + "?" + ESCAPED_QUERY, MPC_HEADERS),
        other(algorithm, prefix + "_security_token",
              "%s: temporary credentials add a signed X-Security-Token header." % algorithm,
              "DELETE", REMUX_TASK + "?task_id=100211", MPC_HEADERS, security_token=TOKEN),
        other(algorithm, prefix + "_caller_host",
              "%s: a caller-supplied Host header is signed instead of the URL's host." % algorithm,
              "DELETE", REMUX_TASK + "?task_id=100211", MPC_HEADERS + [["Host", CALLER_HOST]]),
        other(algorithm, prefix + "_sk_100_chars",
              "%s: %s." % (algorithm, long_sk),
              "DELETE", REMUX_TASK + "?task_id=100211", MPC_HEADERS, sk=LONG_KEY),
        other(algorithm, prefix + "_get_no_query",
              "%s: GET with no query and no body." % algorithm,
              "GET", REMUX_TASK, PROJECT_HEADER),
    ]


OTHER_CASES = (
    common_cases(V11, "v11")
    + [
        other(V11, "v11_ak_100_chars",
              "V11-HMAC-SHA256: a 100-character AK, the HKDF salt, is longer than the HMAC block.",
              "DELETE", REMUX_TASK + "?task_id=100211", MPC_HEADERS, ak="HWCEXAMPLEAK" + LONG_KEY[10:98]),
        other(V11, "v11_scope_date_before_midnight",
              "V11-HMAC-SHA256: the scope takes the date of X-Sdk-Date (one second before midnight), "
              "here with region ap-southeast-1 and service iam.",
              "GET", "https://iam.ap-southeast-1.myhuaweicloud.com/v3/projects?name=ap-southeast-1",
              [["Content-Type", "application/json;charset=UTF-8"]],
              region="ap-southeast-1", service="iam", sdk_date="20261231T235959Z"),
    ]
    + common_cases(SM3, "sm3")
    + [
        other(SM3, "sm3_sha256_content_header_is_an_ordinary_header",
              "SDK-HMAC-SM3: a caller's X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD is only signed as a header; "
              "the body is still hashed with SM3.",
              "POST", REMUX, MPC_HEADERS + [["X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD"]], JSON_BODY),
    ]
    + common_cases(P256, "p256")
    + common_cases(SM2, "sm2")
)

SM2_AK_PATTERN = "HWCEXAMPLEAK0123T%03d"


def sm2_leading_zero_cases():
    """SM2 keys whose public x (then y) coordinate starts with a 0x00 byte: the first AKs of
    HWCEXAMPLEAK0123T000...T999 (with the default SK) that have one, searched in order."""
    found = {}
    for i in range(1000):
        ak = SM2_AK_PATTERN % i
        x, y = ec_public_key(SM2, ours_ec_private_key(SM2, ak, SK))
        for coordinate, value in (("x", x), ("y", y)):
            if value < 1 << 248 and coordinate not in found:
                found[coordinate] = (ak, value)
        if len(found) == 2:
            break
    assert len(found) == 2, "no SM2 key with a leading zero coordinate among %s" % (SM2_AK_PATTERN % 999)
    cases = []
    for coordinate in ("x", "y"):
        ak, value = found[coordinate]
        cases.append(other(
            SM2, "sm2_public_%s_leading_zero_byte" % coordinate,
            "SDK-SM2-SM3: with AK %s (the first of %s to %s to give one, with the default SK) the "
            "public key's %s coordinate %s... starts with a 0x00 byte, so the SDK's Z_A hashes it as "
            "%d bytes, not 32." % (ak, SM2_AK_PATTERN % 0, SM2_AK_PATTERN % 999, coordinate,
                                   ("%064x" % value)[:8], (value.bit_length() + 7) // 8),
            "DELETE", REMUX_TASK + "?task_id=100211", MPC_HEADERS, ak=ak))
    return cases


JAVA_HOST = "https://service.region.example.com"
JAVA_VPCS = "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs"
JAVA_VPC_123 = "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpc/123"
JAVA_TEST = "Java SDK core test TestAKSKSigner"

OTHER_KNOWN_ANSWERS = [
    {
        "name": "v11_java_sdk_get_vpcs", "source": "spec-known-answer",
        "description": "%s.testDerivedAKSKSigner: V11 GET of the VPC list with no query, signing host;x-sdk-date."
                       % JAVA_TEST,
        "algorithm": V11, "region": "region-id-1", "service": "service",
        "ak": "AccessKey", "sk": "SecretKey",
        "method": "GET", "url": JAVA_HOST + JAVA_VPCS, "headers": [], "sdk_date": "20191115T033655Z",
        "known_derived_key": "1c5724913ed69bdda5e7a25d0beb7f2518aa55d96f97e0649301127d35b9ed31",
        "known_signature": "c63981314b17efeca4c2577e3e22ecfd3831e0c87eb87277271e32587207dd2c",
    },
    {
        "name": "sm3_java_sdk_get_vpcs", "source": "spec-known-answer",
        "description": "%s.testSM3AKSKSigner: the GET of the VPC list plus head-name: head-value, signing "
                       "head-name;host;x-sdk-date." % JAVA_TEST,
        "algorithm": SM3,
        "ak": "AccessKey", "sk": "SecretKey",
        "method": "GET", "url": JAVA_HOST + VPCS, "headers": [["head-name", "head-value"]],
        "sdk_date": "20191115T033655Z",
        "known_signature": "f3e3163b5eb173f957858427dbec0486c3bf338a3f2b795dab2979bc6724850a",
    },
    {
        "name": "v11_java_sdk_post_vpc", "source": "java-sdk-known-answer",
        "description": "%s.testDerivedAKSKSigner2: V11 POST with the JSON body {\"key\":\"value\"}." % JAVA_TEST,
        "algorithm": V11, "region": "region-id-1", "service": "service",
        "ak": "AccessKey", "sk": "SecretKey",
        "method": "POST", "url": JAVA_HOST + JAVA_VPC_123, "headers": [], "body": '{"key":"value"}',
        "sdk_date": "20191115T033655Z",
        "known_derived_key": "1c5724913ed69bdda5e7a25d0beb7f2518aa55d96f97e0649301127d35b9ed31",
        "known_signature": "e69d85082ec803f89f2e93b500106ae69cd5667c866d6aa6f3e44fc66558d8fb",
    },
    {
        "name": "v11_java_sdk_get_vpcs_caller_host", "source": "java-sdk-known-answer",
        "description": "%s.testDerivedAKSKSigner3: V11 GET of the VPC list with a caller Host: example.com."
                       % JAVA_TEST,
        "algorithm": V11, "region": "region-id-1", "service": "service",
        "ak": "AccessKey", "sk": "SecretKey",
        "method": "GET", "url": JAVA_HOST + JAVA_VPCS, "headers": [["Host", "example.com"]],
        "sdk_date": "20191115T033655Z",
        "known_derived_key": "1c5724913ed69bdda5e7a25d0beb7f2518aa55d96f97e0649301127d35b9ed31",
        "known_signature": "5ba93d159e81cf6b1550585721ac2e2223793cee3a06f1c9fb245985608d5d0f",
    },
    {
        "name": "sm3_java_sdk_post_vpc", "source": "java-sdk-known-answer",
        "description": "%s.testSM3AKSKSigner2: SM3 POST with the JSON body {\"key\":\"value\"} and "
                       "head-name: head-value." % JAVA_TEST,
        "algorithm": SM3,
        "ak": "AccessKey", "sk": "SecretKey",
        "method": "POST", "url": JAVA_HOST + JAVA_VPC_123, "headers": [["head-name", "head-value"]],
        "body": '{"key":"value"}', "sdk_date": "20191115T033655Z",
        "known_signature": "62c9f0b539fcaa65dcc9acfc6e52c51e5abc6ede158f9fef336b111c8c1db24b",
    },
]


# ---------------------------------------------------------------------------------------------
# URL handling shared by both signers: the URL is split as written, never normalised.
# ---------------------------------------------------------------------------------------------

def split_url(url):
    """Return (scheme, authority, raw path, raw query or None) exactly as written."""
    scheme, sep, rest = url.partition("://")
    assert sep and scheme in ("http", "https"), url
    assert "#" not in rest, "fragments are not supported: " + url
    end = len(rest)
    for mark in "/?":
        pos = rest.find(mark)
        if pos != -1:
            end = min(end, pos)
    authority, rest = rest[:end], rest[end:]
    path, qmark, query = rest.partition("?")
    return scheme, authority, path, (query if qmark else None)


def query_pairs(raw_query):
    """Split on '&' (dropping empty pieces), then on the first '='; decode with unquote (not
    unquote_plus, so a literal '+' stays '+')."""
    pairs = []
    for piece in (raw_query or "").split("&"):
        if not piece:
            continue
        key, _, value = piece.partition("=")
        pairs.append((unquote(key), unquote(value)))
    return pairs


def base_url(scheme, authority):
    return "%s://%s" % (scheme, authority)


# ---------------------------------------------------------------------------------------------
# Signing with the official SDK, recording each stage as the SDK computes it.
# ---------------------------------------------------------------------------------------------

class _Keys:
    """The two attributes Signer reads from a credentials object."""

    def __init__(self, ak, sk):
        self.ak = ak
        self.sk = sk


def _header_dict(headers):
    names = [name.lower() for name, _ in headers]
    if len(names) != len(set(names)):
        raise ValueError("the Python SDK keeps headers in a dict: a repeated header cannot be expressed")
    return {name: value for name, value in headers}


def _sdk_request(case, header_params):
    scheme, authority, path, query = split_url(case["url"])
    if path == "" and case.get("sdk_empty_path_as_root"):
        path = "/"
    request = SdkRequest(method=case["method"], schema=scheme, host=authority, resource_path=path,
                         query_params=query_pairs(query), header_params=header_params,
                         body=case.get("body", ""))
    sdk_enum = ALGORITHMS[case.get("algorithm", ALGORITHM)].sdk_enum
    if sdk_enum is not None:
        request.signing_algorithm = sdk_enum
    return request


def _wire_value(value):
    # Signer._process_canonical_headers leaves each value as its UTF-8 bytes decoded as
    # ISO-8859-1, so that the HTTP client (which encodes header values as ISO-8859-1) sends
    # UTF-8. Undo that to record the text that goes on the wire.
    return value.encode("iso-8859-1").decode("utf-8")


def without_signature(authorization):
    return authorization.split("Signature=")[0]


def sdk_ec_verify(algorithm, ak, sk, string_to_sign, signature):
    """The SDK's own verify, with the key its signer derives from the AK/SK."""
    key = ALGORITHMS[algorithm].signer(_Keys(ak, sk)).get_signing_key()
    try:
        return key.verify(bytes.fromhex(signature), string_to_sign.encode("utf-8")) is True
    except Exception:  # a signature the SDK cannot even decode
        return False


def sign_with_sdk(case):
    ak, sk = case.get("ak", AK), case.get("sk", SK)
    date = case.get("sdk_date", DATE)
    algorithm = case.get("algorithm", ALGORITHM)
    header_params = _header_dict(case["headers"])
    if case.get("security_token"):
        # What Credentials.sign_request does before it hands the request to the signer.
        header_params["X-Security-Token"] = case["security_token"]
    if not any(name.lower() == "x-sdk-date" for name in header_params):
        header_params["X-Sdk-Date"] = date
    req = _sdk_request(case, header_params)

    signer = ALGORITHMS[algorithm].signer(_Keys(ak, sk))
    recorded = ["_process_signed_headers", "_process_canonical_request",
                "_process_string_to_sign", "_sign_string_to_sign", "_process_auth_header_value"]
    if algorithm in EC_ALGORITHMS:
        recorded += ["_derive_key", "get_signing_key"]
    calls, arguments = {}, {}
    for method in recorded:
        original = getattr(signer, method)

        def recorder(*args, _original=original, _method=method, **kwargs):
            result = _original(*args, **kwargs)
            calls.setdefault(_method, []).append(result)
            arguments.setdefault(_method, []).append(args)
            return result

        setattr(signer, method, recorder)

    if algorithm == V11:
        signed = signer.sign(req, case["service"], case["region"])
    else:
        signed = signer.sign(req)
    for method, results in calls.items():
        assert len(results) == 1, (case["name"], method, results)
    assert sorted(calls) == sorted(recorded), (case["name"], sorted(calls))

    signed_headers = calls["_process_signed_headers"][0]
    expected = {
        "canonical_request": calls["_process_canonical_request"][0],
        "string_to_sign": calls["_process_string_to_sign"][0],
        "signed_headers": ";".join(signed_headers),
        "signature": calls["_sign_string_to_sign"][0],
        "authorization": signed.header_params["Authorization"],
        "headers": [[name, _wire_value(value)] for name, value in signed.header_params.items()],
        "url": signed.url,
    }
    assert calls["_process_auth_header_value"][0] == expected["authorization"], case["name"]
    if algorithm == V11:
        # The HMAC key DerivationAKSKSigner passes to _sign_string_to_sign: hex of the HKDF output.
        expected["derived_key"] = arguments["_sign_string_to_sign"][0][1]
    if algorithm in EC_ALGORITHMS:
        key = calls["get_signing_key"][0]
        private_key = calls["_derive_key"][0]
        x, y = key._public_key
        expected["private_key"] = "%064x" % private_key
        expected["public_key"] = "04%064x%064x" % (x, y)
        # The SDK's own verify accepts the SDK's signature.
        assert key.verify(bytes.fromhex(expected["signature"]), expected["string_to_sign"].encode("utf-8")) is True, \
            case["name"]
        assert sdk_ec_verify(algorithm, ak, sk, expected["string_to_sign"], expected["signature"]), case["name"]

    # The same request through the SDK's public path: BasicCredentials.sign_request adds the
    # security token itself and picks the signer; the Authorization must be the same.
    creds = BasicCredentials(ak, sk)
    if case.get("security_token"):
        creds = creds.with_security_token(case["security_token"])
    if algorithm == V11:
        # What a client built with derived auth does: every request is derived-signed, with the
        # service name and region the client gives the credentials.
        creds = creds.with_derived_predicate(lambda _request: True)
        creds._process_derived_auth_params(case["service"], case["region"])
    headers = _header_dict(case["headers"])
    if not any(name.lower() == "x-sdk-date" for name in headers):
        headers["X-Sdk-Date"] = date
    again = creds.sign_request(_sdk_request(case, headers))
    if algorithm in EC_ALGORITHMS:
        # A fresh random nonce: the same Authorization up to the signature, which must verify.
        assert without_signature(again.header_params["Authorization"]) == without_signature(
            expected["authorization"]), case["name"]
        assert sdk_ec_verify(algorithm, ak, sk, expected["string_to_sign"],
                             again.header_params["Authorization"].split("Signature=")[1]), case["name"]
    else:
        assert again.header_params["Authorization"] == expected["authorization"], case["name"]
    assert again.url == expected["url"], case["name"]
    return expected


# ---------------------------------------------------------------------------------------------
# OURS: a small independent implementation of the project's rules (docs/SIGNING.md §1).
# Used for the "ours" vectors and to cross-check every SDK-signed vector.
# ---------------------------------------------------------------------------------------------

def ours_encode(text):
    # quote() keeps A-Z a-z 0-9 - _ . and, with safe="~", also ~; everything else is %XY.
    return quote(text, safe="~")


def ours_canonical_uri(path):
    decoded = unquote(path or "/")
    uri = "/".join(ours_encode(segment) for segment in decoded.split("/"))
    return uri if uri.endswith("/") else uri + "/"


def ours_canonical_query(raw_query):
    pairs = sorted(query_pairs(raw_query))  # decoded keys, then values, by code point
    return "&".join("%s=%s" % (ours_encode(key), ours_encode(value)) for key, value in pairs)


def ours_trim(value):
    return value.strip(" \t")


def sign_ours(case, ec_signature=None):
    """Sign a case under the OURS rules. An elliptic-curve signature cannot be recomputed (its
    nonce is random): it is given as ec_signature, and must verify under the key derived here."""
    ak, sk = case.get("ak", AK), case.get("sk", SK)
    date = case.get("sdk_date", DATE)
    algorithm = case.get("algorithm", ALGORITHM)
    content_header = ALGORITHMS[algorithm].content_header
    scheme, authority, path, query = split_url(case["url"])
    body = case.get("body", "").encode("utf-8")

    headers = [[name, ours_trim(value)] for name, value in case["headers"]]

    def values(lower_name):
        return [value for name, value in headers if name.lower() == lower_name]

    # A caller's X-Security-Token and X-Sdk-Date are kept; the signer adds its own only when
    # there is none.
    if case.get("security_token") and not values("x-security-token"):
        headers.append(["X-Security-Token", case["security_token"]])
    if not values("x-sdk-date"):
        headers.append(["X-Sdk-Date", date])

    # The content type as given (not trimmed) decides; an empty one names no type. A caller's
    # content-hash header, even an empty one, is never doubled.
    content_type = [value for name, value in case["headers"] if name.lower() == "content-type"]
    if content_type and content_type[0] and not values(content_header.lower()) \
            and not content_type[0].startswith(("application/json", "application/bson")):
        headers.append([content_header, "UNSIGNED-PAYLOAD"])
    if not values("host"):
        headers.append(["Host", authority])

    names = sorted({name.lower() for name, _ in headers
                    if "_" not in name and name.lower() != "authorization"})
    canonical_headers = "".join("%s:%s\n" % (name, value)
                                for name in names for value in sorted(values(name)))
    signed_headers = ";".join(names)
    content_sha = values(content_header.lower())
    # An empty stated hash states nothing: the body is hashed.
    payload_hash = content_sha[0] if content_sha and content_sha[0] else digest_hex(algorithm, body)
    canonical_query = ours_canonical_query(query)

    canonical_request = "\n".join([case["method"].upper(), ours_canonical_uri(path), canonical_query,
                                   canonical_headers, signed_headers, payload_hash])
    cr_hash = digest_hex(algorithm, canonical_request.encode("utf-8"))
    extra = {}
    if algorithm == V11:
        scope = "%s/%s/%s" % (date[:8], case["region"], case["service"])
        string_to_sign = "\n".join([algorithm, date, scope, cr_hash])
        extra["derived_key"] = ours_v11_key(ak, sk, scope)
        signature = hmac.new(extra["derived_key"].encode("ascii"), string_to_sign.encode("utf-8"),
                             hashlib.sha256).hexdigest()
        authorization = "%s Credential=%s/%s, SignedHeaders=%s, Signature=%s" % (
            algorithm, ak, scope, signed_headers, signature)
    else:
        string_to_sign = "\n".join([algorithm, date, cr_hash])
        if algorithm in EC_ALGORITHMS:
            private_key = ours_ec_private_key(algorithm, ak, sk)
            public_key = ec_public_key(algorithm, private_key)
            extra["private_key"] = "%064x" % private_key
            extra["public_key"] = "04%064x%064x" % public_key
            assert ours_ec_verify(algorithm, public_key, string_to_sign.encode("utf-8"), ec_signature), (
                "%s: the signature does not verify under OURS" % case["name"])
            signature = ec_signature
        else:
            signature = hmac.new(sk.encode("utf-8"), string_to_sign.encode("utf-8"),
                                 ALGORITHMS[algorithm].digest).hexdigest()
        authorization = "%s Access=%s, SignedHeaders=%s, Signature=%s" % (
            algorithm, ak, signed_headers, signature)
    headers.append(["Authorization", authorization])
    result = {
        "canonical_request": canonical_request,
        "string_to_sign": string_to_sign,
        "signed_headers": signed_headers,
        "signature": signature,
        "authorization": authorization,
        "headers": headers,
        "url": base_url(scheme, authority) + (path or "/") + ("?" + canonical_query if canonical_query else ""),
    }
    result.update(extra)
    return result


def ours_v11_key(ak, sk, scope):
    """hex(HKDF-SHA256(IKM = SK, salt = AK, info = scope, L = 32)) (RFC 5869, one block)."""
    prk = hmac.new(ak.encode("utf-8"), sk.encode("utf-8"), hashlib.sha256).digest()
    return hmac.new(prk, scope.encode("utf-8") + b"\x01", hashlib.sha256).hexdigest()


class _Curve:
    def __init__(self, p, a, b, gx, gy, n):
        self.p, self.a, self.b, self.g, self.n = p, a, b, (gx, gy), n


CURVES = {
    # NIST P-256 (FIPS 186-4, D.1.2.3).
    P256: _Curve(
        p=0xffffffff00000001000000000000000000000000ffffffffffffffffffffffff,
        a=0xffffffff00000001000000000000000000000000fffffffffffffffffffffffc,
        b=0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b,
        gx=0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296,
        gy=0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5,
        n=0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551),
    # SM2 recommended curve (GB/T 32918.5).
    SM2: _Curve(
        p=0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffff,
        a=0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffc,
        b=0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93,
        gx=0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7,
        gy=0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0,
        n=0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123),
}


def ec_add(curve, p1, p2):
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    (x1, y1), (x2, y2) = p1, p2
    if x1 == x2:
        if (y1 + y2) % curve.p == 0:
            return None
        slope = (3 * x1 * x1 + curve.a) * pow(2 * y1, -1, curve.p)
    else:
        slope = (y2 - y1) * pow(x2 - x1, -1, curve.p)
    x3 = (slope * slope - x1 - x2) % curve.p
    return x3, (slope * (x1 - x3) - y1) % curve.p


def ec_multiply(curve, k, point):
    result = None
    for bit in bin(k)[2:]:
        result = ec_add(curve, result, result)
        if bit == "1":
            result = ec_add(curve, result, point)
    return result


def ec_public_key(algorithm, private_key):
    curve = CURVES[algorithm]
    x, y = ec_multiply(curve, private_key, curve.g)
    assert (y * y - x * x * x - curve.a * x - curve.b) % curve.p == 0
    return x, y


def ours_ec_private_key(algorithm, ak, sk):
    """The counter KDF of docs/SIGNING.md §2.3: the first HMAC(SK, data) <= n-2, plus one."""
    n = CURVES[algorithm].n
    for counter in range(0xff):
        data = (b"\x00\x00\x00\x01" + algorithm.encode("utf-8") + b"\x00" + ak.encode("utf-8")
                + bytes([counter]) + b"\x00\x00\x01\x00")
        candidate = int.from_bytes(hmac.new(sk.encode("utf-8"), data, ALGORITHMS[algorithm].digest).digest(), "big")
        if candidate <= n - 2:
            return candidate + 1
    raise AssertionError("no candidate")


def der_signature(signature_hex):
    """(r, s) of a strict DER SEQUENCE { INTEGER r, INTEGER s }."""
    der = bytes.fromhex(signature_hex)
    assert der[0] == 0x30 and der[1] < 0x80 and der[1] == len(der) - 2, signature_hex
    values, rest = [], der[2:]
    for _ in range(2):
        assert rest[0] == 0x02 and 0 < rest[1] < 0x80, signature_hex
        length = rest[1]
        content, rest = rest[2:2 + length], rest[2 + length:]
        assert len(content) == length and content[0] < 0x80, signature_hex  # positive
        assert len(content) == 1 or content[0] != 0 or content[1] >= 0x80, signature_hex  # minimal
        values.append(int.from_bytes(content, "big"))
    assert rest == b"", signature_hex
    return values


def sm2_za(public_key, fixed_length):
    """Z_A with user id 1234567812345678: GB/T 32918 puts 32-byte values in it; the Python SDK
    minimal-length ones (fixed_length=False)."""
    curve = CURVES[SM2]
    uid = b"1234567812345678"

    def encode(value):
        return value.to_bytes(32 if fixed_length else (value.bit_length() + 7) // 8, "big")

    data = (len(uid) * 8).to_bytes(2, "big") + uid + b"".join(
        encode(v) for v in (curve.a, curve.b, curve.g[0], curve.g[1], public_key[0], public_key[1]))
    return hashlib.new("sm3", data).digest()


def ours_ec_verify(algorithm, public_key, message, signature_hex, fixed_length_za=False):
    curve = CURVES[algorithm]
    n = curve.n
    r, s = der_signature(signature_hex)
    if not (1 <= r < n and 1 <= s < n):
        return False
    if algorithm == P256:
        e = int.from_bytes(hashlib.sha256(message).digest(), "big")
        w = pow(s, -1, n)
        point = ec_add(curve, ec_multiply(curve, e * w % n, curve.g), ec_multiply(curve, r * w % n, public_key))
        return point is not None and point[0] % n == r
    e = int.from_bytes(hashlib.new("sm3", sm2_za(public_key, fixed_length_za) + message).digest(), "big")
    t = (r + s) % n
    if t == 0:
        return False
    point = ec_add(curve, ec_multiply(curve, s, curve.g), ec_multiply(curve, t, public_key))
    return point is not None and (e + point[0]) % n == r


# ---------------------------------------------------------------------------------------------
# Checks and output.
# ---------------------------------------------------------------------------------------------

def check_consistent(vector):
    """The recorded stages must chain into the final Authorization header."""
    name, inp, exp = vector["name"], vector["input"], vector["expected"]
    algorithm = inp.get("algorithm", ALGORITHM)
    cr_lines = exp["canonical_request"].split("\n")
    assert cr_lines[0] == inp["method"].upper(), name
    assert cr_lines[-2] == exp["signed_headers"], name
    assert cr_lines[-3] == "", name  # canonical headers end with a newline
    payload = cr_lines[-1]
    stated = any(header.lower() == ALGORITHMS[algorithm].content_header.lower() for header, _ in inp["headers"])
    assert payload == "UNSIGNED-PAYLOAD" or len(payload) == 64 or stated, name
    cr_hash = digest_hex(algorithm, exp["canonical_request"].encode("utf-8"))
    sts = exp["string_to_sign"].encode("utf-8")
    if algorithm == V11:
        scope = "%s/%s/%s" % (inp["sdk_date"][:8], inp["region"], inp["service"])
        assert exp["string_to_sign"] == "%s\n%s\n%s\n%s" % (algorithm, inp["sdk_date"], scope, cr_hash), name
        assert exp["derived_key"] == ours_v11_key(inp["ak"], inp["sk"], scope), name
        signature = hmac.new(exp["derived_key"].encode("ascii"), sts, hashlib.sha256).hexdigest()
        assert exp["signature"] == signature, name
        credential = "Credential=%s/%s" % (inp["ak"], scope)
    else:
        assert exp["string_to_sign"] == "%s\n%s\n%s" % (algorithm, inp["sdk_date"], cr_hash), name
        if algorithm in EC_ALGORITHMS:
            private_key = ours_ec_private_key(algorithm, inp["ak"], inp["sk"])
            public_key = ec_public_key(algorithm, private_key)
            assert exp["private_key"] == "%064x" % private_key, name
            assert exp["public_key"] == "04%064x%064x" % public_key, name
            assert ours_ec_verify(algorithm, public_key, sts, exp["signature"]), name
            assert sdk_ec_verify(algorithm, inp["ak"], inp["sk"], exp["string_to_sign"], exp["signature"]), name
        else:
            signature = hmac.new(inp["sk"].encode("utf-8"), sts, ALGORITHMS[algorithm].digest).hexdigest()
            assert exp["signature"] == signature, name
        credential = "Access=%s" % inp["ak"]
    assert exp["authorization"] == "%s %s, SignedHeaders=%s, Signature=%s" % (
        algorithm, credential, exp["signed_headers"], exp["signature"]), name
    sent = dict((k.lower(), v) for k, v in exp["headers"])
    assert sent["authorization"] == exp["authorization"], name
    assert sent["x-sdk-date"] == inp["sdk_date"], name
    for signed in exp["signed_headers"].split(";"):
        assert signed in sent, (name, signed)
    caller_token = [v for k, v in inp["headers"] if k.lower() == "x-security-token"]
    if caller_token:
        assert sent["x-security-token"] == caller_token[0].strip(), name
    elif inp.get("security_token"):
        assert sent["x-security-token"] == inp["security_token"], name


def make_input(case):
    data = {}
    if "algorithm" in case:
        data["algorithm"] = case["algorithm"]
        if case["algorithm"] == V11:
            data["region"] = case["region"]
            data["service"] = case["service"]
    data.update({"ak": case.get("ak", AK), "sk": case.get("sk", SK)})
    if case.get("security_token"):
        data["security_token"] = case["security_token"]
    data.update({
        "method": case["method"],
        "url": case["url"],
        "headers": [list(pair) for pair in case["headers"]],
        "body": case.get("body", ""),
        "sdk_date": case.get("sdk_date", DATE),
    })
    return data


def make_vector(case, source, expected):
    vector = {"name": case["name"], "description": case["description"], "source": source}
    if "reason" in case:
        vector["reason"] = case["reason"]
    vector["input"] = make_input(case)
    vector["expected"] = expected
    check_consistent(vector)
    return vector


def sdk_disagrees(case, ours):
    """For an "ours" case, show that the Python SDK really signs it differently (or cannot)."""
    try:
        sdk = sign_with_sdk(case)
    except (IndexError, ValueError):
        return True
    return sdk["signature"] != ours["signature"]


def build_sdk_vectors(python_cases=PYTHON_SDK_CASES, ours_cases=OURS_CASES, error_cases=()):
    vectors = []
    for case in python_cases:
        expected = sign_with_sdk(case)
        ours = sign_ours(case)
        for field in expected:
            assert expected[field] == ours[field], (
                "%s: OURS and the Python SDK disagree on %s:\n%r\n%r"
                % (case["name"], field, expected[field], ours[field]))
        vectors.append(make_vector(case, "python-sdk", expected))
    for case in ours_cases:
        expected = sign_ours(case)
        assert sdk_disagrees(case, expected), case["name"] + ": the Python SDK agrees; not an OURS case"
        vectors.append(make_vector(case, "ours", expected))
    for case in error_cases:
        # The Python SDK signs it: this project refuses it.
        sign_with_sdk(case)
        vector = {"name": case["name"], "description": case["description"], "source": "ours",
                  "reason": case["reason"], "input": make_input(case), "expected": {"error": case["error"]}}
        vectors.append(vector)
    return vectors


def build_known_answers():
    vectors = []
    for case in KNOWN_ANSWERS:
        expected = sign_with_sdk(case)
        assert expected["signature"] == case["known_signature"], (
            "%s: the Python SDK gives %s, the published answer is %s"
            % (case["name"], expected["signature"], case["known_signature"]))
        if "known_canonical_request_hash" in case:
            assert expected["string_to_sign"].split("\n")[-1] == case["known_canonical_request_hash"], case["name"]
        ours = sign_ours(case)
        for field in expected:
            assert expected[field] == ours[field], (case["name"], field, expected[field], ours[field])
        vectors.append(make_vector(case, "spec-known-answer", expected))
    return vectors


def cross_check_other(case, expected):
    """The OURS implementation gives the same value for every field; for SM2, also show what
    the fixed-length (GB/T 32918) Z_A would do with the SDK's signature."""
    algorithm = case["algorithm"]
    ours = sign_ours(case, ec_signature=expected["signature"] if algorithm in EC_ALGORITHMS else None)
    assert sorted(ours) == sorted(expected), (case["name"], sorted(ours), sorted(expected))
    for field in expected:
        assert expected[field] == ours[field], (
            "%s: OURS and the Python SDK disagree on %s:\n%r\n%r"
            % (case["name"], field, expected[field], ours[field]))
    if algorithm == SM2:
        public_key = ec_public_key(SM2, int(expected["private_key"], 16))
        leading_zero = min(public_key) < 1 << 248
        assert leading_zero == ("leading_zero" in case["name"]), case["name"]
        fixed = ours_ec_verify(SM2, public_key, expected["string_to_sign"].encode("utf-8"),
                               expected["signature"], fixed_length_za=True)
        # Without a leading zero byte both forms of Z_A are the same; with one, the SDK's
        # signature does not verify under GB/T 32918's Z_A.
        assert fixed != leading_zero, case["name"]


def build_other_vectors():
    vectors = []
    for case in OTHER_CASES + sm2_leading_zero_cases():
        expected = sign_with_sdk(case)
        cross_check_other(case, expected)
        vectors.append(make_vector(case, "python-sdk", expected))
    for case in OTHER_KNOWN_ANSWERS:
        expected = sign_with_sdk(case)
        assert expected["signature"] == case["known_signature"], (
            "%s: the Python SDK gives %s, the published answer is %s"
            % (case["name"], expected["signature"], case["known_signature"]))
        if "known_derived_key" in case:
            assert expected["derived_key"] == case["known_derived_key"], case["name"]
        cross_check_other(case, expected)
        vectors.append(make_vector(case, case["source"], expected))
    return vectors


SIGNATURE_MASK = "<signature>"


def _masked(vector):
    text = json.dumps(vector, sort_keys=True)
    return text.replace(vector["expected"]["signature"], SIGNATURE_MASK)


def keep_recorded_signatures(vectors, path):
    """An elliptic-curve vector whose only difference from the one on disk is the (random)
    signature keeps the signature on disk, if the SDK's own verify still accepts it."""
    try:
        with open(path, encoding="utf-8") as f:
            on_disk = {v["name"]: v for v in json.load(f)["vectors"]}
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return
    for vector in vectors:
        inp = vector["input"]
        if inp.get("algorithm") not in EC_ALGORITHMS:
            continue
        old = on_disk.get(vector["name"])
        if not isinstance(old, dict) or _masked(old) != _masked(vector):
            continue
        if not sdk_ec_verify(inp["algorithm"], inp["ak"], inp["sk"], old["expected"]["string_to_sign"],
                             old["expected"]["signature"]):
            continue
        vector["expected"] = old["expected"]
        check_consistent(vector)


def document(vectors, generator=GENERATOR):
    names = [v["name"] for v in vectors]
    assert len(names) == len(set(names)), "vector names must be unique"
    for name in names:
        assert name.isidentifier() and name.isascii() and name == name.lower(), name
    data = {"format": FORMAT, "generator": generator, "vectors": vectors}
    text = to_json(data) + "\n"
    assert json.loads(text) == data
    return text


def to_json(value, level=0):
    """Like json.dumps(indent=2), but a list of scalars (a header pair) stays on one line."""
    if isinstance(value, dict) and value:
        pad = "  " * (level + 1)
        items = ["%s%s: %s" % (pad, json.dumps(key, ensure_ascii=False), to_json(item, level + 1))
                 for key, item in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + "  " * level + "}"
    if isinstance(value, list) and any(isinstance(item, (dict, list)) for item in value):
        pad = "  " * (level + 1)
        items = [pad + to_json(item, level + 1) for item in value]
        return "[\n" + ",\n".join(items) + "\n" + "  " * level + "]"
    return json.dumps(value, ensure_ascii=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if the files on disk differ from what would be written")
    args = parser.parse_args()

    found = installed_version(SDK_PACKAGE)
    if found != SDK_VERSION:
        sys.exit("%s %s is installed; these vectors are generated with %s==%s"
                 % (SDK_PACKAGE, found, SDK_PACKAGE, SDK_VERSION))

    here = os.path.dirname(os.path.abspath(__file__))
    sdk_vectors = build_sdk_vectors()
    diff_vectors = build_sdk_vectors(DIFF_PYTHON_SDK_CASES, DIFF_OURS_CASES, OURS_ERROR_CASES)
    other_vectors = build_other_vectors()
    keep_recorded_signatures(other_vectors, os.path.join(here, "other-algorithms.json"))
    outputs = {
        "sdk-hmac-sha256.json": document(sdk_vectors),
        "differential.json": document(diff_vectors),
        "known-answers.json": document(build_known_answers()),
        "other-algorithms.json": document(other_vectors, OTHER_GENERATOR),
    }
    stale = []
    for file_name, text in outputs.items():
        path = os.path.join(here, file_name)
        if args.check:
            try:
                with open(path, encoding="utf-8") as f:
                    if f.read() != text:
                        stale.append(file_name)
            except FileNotFoundError:
                stale.append(file_name)
        else:
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
    if stale:
        sys.exit("out of date: %s (run test-vectors/generate.py)" % ", ".join(stale))

    def summary(vectors, key):
        counts = {}
        for vector in vectors:
            counts[key(vector)] = counts.get(key(vector), 0) + 1
        return ", ".join("%d %s" % (n, s) for s, n in counts.items())

    print("sdk-hmac-sha256.json: %s; known-answers.json: %d spec-known-answer"
          % (summary(sdk_vectors, lambda v: v["source"]), len(KNOWN_ANSWERS)))
    print("differential.json: %s" % summary(diff_vectors, lambda v: v["source"]))
    print("other-algorithms.json: %s (%s)"
          % (summary(other_vectors, lambda v: v["input"]["algorithm"]),
             summary(other_vectors, lambda v: v["source"])))


if __name__ == "__main__":
    main()
