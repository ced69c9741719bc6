#!/usr/bin/env python3
"""Generate the SDK-HMAC-SHA256 test vectors from the official Huawei Cloud Python SDK.

Usage (from the repository root):

    python3 -m venv .venv
    .venv/bin/pip install huaweicloudsdkcore==3.1.219
    .venv/bin/python test-vectors/generate.py          # rewrite the JSON files
    .venv/bin/python test-vectors/generate.py --check  # fail if they are out of date

Writes, next to this script:
  sdk-hmac-sha256.json  vectors signed by huaweicloudsdkcore's Signer.sign ("python-sdk"),
                        plus hand-written ones for rules where this project departs from
                        the Python SDK ("ours");
  known-answers.json    Huawei's published known answers ("spec-known-answer"), reproduced
                        with the same Signer and checked against the published signatures.

Every intermediate value of a "python-sdk" vector is the return value of the SDK's own method,
recorded while Signer.sign runs. The small re-implementation of the project's rules (section
"OURS" below) is used only to compute the "ours" vectors and to cross-check the others.
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
from huaweicloudsdkcore.signer.signer import Signer

SDK_PACKAGE = "huaweicloudsdkcore"
SDK_VERSION = "3.1.219"
FORMAT = "huaweicloud-aksk-vectors/1"
GENERATOR = "test-vectors/generate.py with %s %s (Signer.sign)" % (SDK_PACKAGE, SDK_VERSION)
ALGORITHM = "SDK-HMAC-SHA256"
EMPTY_HASH = hashlib.sha256(b"").hexdigest()

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
# Cases where this project's rules (SPEC, marked OURS) differ from the Python SDK ("ours").
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
# Published known answers (SPEC section 3), reproduced with the Python SDK.
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
    return SdkRequest(method=case["method"], schema=scheme, host=authority, resource_path=path,
                      query_params=query_pairs(query), header_params=header_params,
                      body=case.get("body", ""))


def _wire_value(value):
    # Signer._process_canonical_headers leaves each value as its UTF-8 bytes decoded as
    # ISO-8859-1, so that the HTTP client (which encodes header values as ISO-8859-1) sends
    # UTF-8. Undo that to record the text that goes on the wire.
    return value.encode("iso-8859-1").decode("utf-8")


def sign_with_sdk(case):
    ak, sk = case.get("ak", AK), case.get("sk", SK)
    date = case.get("sdk_date", DATE)
    header_params = _header_dict(case["headers"])
    if case.get("security_token"):
        # What Credentials.sign_request does before it hands the request to the signer.
        header_params["X-Security-Token"] = case["security_token"]
    header_params["X-Sdk-Date"] = date
    req = _sdk_request(case, header_params)

    signer = Signer(_Keys(ak, sk))
    calls = {}
    for method in ("_process_signed_headers", "_process_canonical_request",
                   "_process_string_to_sign", "_sign_string_to_sign", "_process_auth_header_value"):
        original = getattr(signer, method)

        def recorder(*args, _original=original, _method=method, **kwargs):
            result = _original(*args, **kwargs)
            calls.setdefault(_method, []).append(result)
            return result

        setattr(signer, method, recorder)

    signed = signer.sign(req)
    for method, results in calls.items():
        assert len(results) == 1, (case["name"], method, results)

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

    # The same request through the SDK's public path: BasicCredentials.sign_request adds the
    # security token itself and picks the signer; the Authorization must be the same.
    creds = BasicCredentials(ak, sk)
    if case.get("security_token"):
        creds = creds.with_security_token(case["security_token"])
    headers = _header_dict(case["headers"])
    headers["X-Sdk-Date"] = date
    again = creds.sign_request(_sdk_request(case, headers))
    assert again.header_params["Authorization"] == expected["authorization"], case["name"]
    assert again.url == expected["url"], case["name"]
    return expected


# ---------------------------------------------------------------------------------------------
# OURS: a small independent implementation of the project's rules (SPEC, section 1).
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


def sign_ours(case):
    ak, sk = case.get("ak", AK), case.get("sk", SK)
    date = case.get("sdk_date", DATE)
    scheme, authority, path, query = split_url(case["url"])
    body = case.get("body", "").encode("utf-8")

    headers = [[name, ours_trim(value)] for name, value in case["headers"]]
    if case.get("security_token"):
        headers.append(["X-Security-Token", case["security_token"]])
    headers.append(["X-Sdk-Date", date])

    def values(lower_name):
        return [value for name, value in headers if name.lower() == lower_name]

    content_type = values("content-type")
    if content_type and not values("x-sdk-content-sha256") \
            and not content_type[0].startswith(("application/json", "application/bson")):
        headers.append(["X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD"])
    if not values("host"):
        headers.append(["Host", authority])

    names = sorted({name.lower() for name, _ in headers
                    if "_" not in name and name.lower() != "authorization"})
    canonical_headers = "".join("%s:%s\n" % (name, value)
                                for name in names for value in sorted(values(name)))
    signed_headers = ";".join(names)
    content_sha = values("x-sdk-content-sha256")
    payload_hash = content_sha[0] if content_sha else hashlib.sha256(body).hexdigest()
    canonical_query = ours_canonical_query(query)

    canonical_request = "\n".join([case["method"].upper(), ours_canonical_uri(path), canonical_query,
                                   canonical_headers, signed_headers, payload_hash])
    string_to_sign = "\n".join([ALGORITHM, date,
                                hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()])
    signature = hmac.new(sk.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    authorization = "%s Access=%s, SignedHeaders=%s, Signature=%s" % (ALGORITHM, ak, signed_headers, signature)
    headers.append(["Authorization", authorization])
    return {
        "canonical_request": canonical_request,
        "string_to_sign": string_to_sign,
        "signed_headers": signed_headers,
        "signature": signature,
        "authorization": authorization,
        "headers": headers,
        "url": base_url(scheme, authority) + (path or "/") + ("?" + canonical_query if canonical_query else ""),
    }


# ---------------------------------------------------------------------------------------------
# Checks and output.
# ---------------------------------------------------------------------------------------------

def check_consistent(vector):
    """The recorded stages must chain into the final Authorization header."""
    name, inp, exp = vector["name"], vector["input"], vector["expected"]
    cr_lines = exp["canonical_request"].split("\n")
    assert cr_lines[0] == inp["method"].upper(), name
    assert cr_lines[-2] == exp["signed_headers"], name
    assert cr_lines[-3] == "", name  # canonical headers end with a newline
    payload = cr_lines[-1]
    assert payload == "UNSIGNED-PAYLOAD" or len(payload) == 64, name
    cr_hash = hashlib.sha256(exp["canonical_request"].encode("utf-8")).hexdigest()
    assert exp["string_to_sign"] == "%s\n%s\n%s" % (ALGORITHM, inp["sdk_date"], cr_hash), name
    signature = hmac.new(inp["sk"].encode("utf-8"), exp["string_to_sign"].encode("utf-8"),
                         hashlib.sha256).hexdigest()
    assert exp["signature"] == signature, name
    assert exp["authorization"] == "%s Access=%s, SignedHeaders=%s, Signature=%s" % (
        ALGORITHM, inp["ak"], exp["signed_headers"], exp["signature"]), name
    sent = dict((k.lower(), v) for k, v in exp["headers"])
    assert sent["authorization"] == exp["authorization"], name
    assert sent["x-sdk-date"] == inp["sdk_date"], name
    for signed in exp["signed_headers"].split(";"):
        assert signed in sent, (name, signed)
    if inp.get("security_token"):
        assert sent["x-security-token"] == inp["security_token"], name


def make_input(case):
    data = {"ak": case.get("ak", AK), "sk": case.get("sk", SK)}
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


def build_sdk_vectors():
    vectors = []
    for case in PYTHON_SDK_CASES:
        expected = sign_with_sdk(case)
        ours = sign_ours(case)
        for field in expected:
            assert expected[field] == ours[field], (
                "%s: OURS and the Python SDK disagree on %s:\n%r\n%r"
                % (case["name"], field, expected[field], ours[field]))
        vectors.append(make_vector(case, "python-sdk", expected))
    for case in OURS_CASES:
        expected = sign_ours(case)
        assert sdk_disagrees(case, expected), case["name"] + ": the Python SDK agrees; not an OURS case"
        vectors.append(make_vector(case, "ours", expected))
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


def document(vectors):
    names = [v["name"] for v in vectors]
    assert len(names) == len(set(names)), "vector names must be unique"
    for name in names:
        assert name.isidentifier() and name.isascii() and name == name.lower(), name
    data = {"format": FORMAT, "generator": GENERATOR, "vectors": vectors}
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
    outputs = {
        "sdk-hmac-sha256.json": document(sdk_vectors),
        "known-answers.json": document(build_known_answers()),
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

    counts = {}
    for vector in sdk_vectors:
        counts[vector["source"]] = counts.get(vector["source"], 0) + 1
    print("sdk-hmac-sha256.json: %s; known-answers.json: %d spec-known-answer"
          % (", ".join("%d %s" % (n, s) for s, n in counts.items()), len(KNOWN_ANSWERS)))


if __name__ == "__main__":
    main()
