#!/usr/bin/env python3
"""Time the official Python SDK's SDK-HMAC-SHA256 signer on the DeleteRemuxTask request.

Signs, in process, with ``huaweicloudsdkcore.signer.signer.Signer.sign``::

    DELETE https://mpc.cn-north-4.myhuaweicloud.com/v1/0123456789abcdef0123456789abcdef/remux/task?task_id=100211
    X-Project-Id: 0123456789abcdef0123456789abcdef
    Content-Type: application/json
    X-Sdk-Date: 20261128T043500Z

with AK ``HWCEXAMPLEAK0123TEST`` and SK ``HWCexampleSK0123456789abcdefghijklmnopqrST`` (the signer
adds ``Host``). ``sign`` mutates the request (adds Host and Authorization, rewrites header values
and the URI), so every iteration builds a fresh ``SdkRequest``; building it is timed on its own as
well and subtracted. Each measurement is ``timeit`` with ``--number`` calls per run and
``--repeat`` runs; the median run is reported.

Prints one JSON object: median ns per signature (construction subtracted), signatures per second,
the raw medians, the Authorization produced (a fixed value, to cross-check other implementations),
and the Python and SDK versions. Exit status 0.
"""

import argparse
import json
import platform
import statistics
import sys
import timeit
import types

AK = "HWCEXAMPLEAK0123TEST"
SK = "HWCexampleSK0123456789abcdefghijklmnopqrST"
PROJECT_ID = "0123456789abcdef0123456789abcdef"
HOST = "mpc.cn-north-4.myhuaweicloud.com"
SDK_DATE = "20261128T043500Z"


def make_request():
    from huaweicloudsdkcore.sdk_request import SdkRequest

    return SdkRequest(
        method="DELETE",
        schema="https",
        host=HOST,
        resource_path="/v1/%s/remux/task" % PROJECT_ID,
        query_params=[("task_id", "100211")],
        header_params={
            "X-Project-Id": PROJECT_ID,
            "Content-Type": "application/json",
            "X-Sdk-Date": SDK_DATE,
        },
        body=None,
    )


def _package_version(name):
    try:
        from importlib.metadata import version
        return version(name)
    except Exception:
        return None


def _median_ns_per_call(stmt, number, repeat, namespace):
    runs = timeit.Timer(stmt, globals=namespace).repeat(repeat=repeat, number=number)
    per_call = [run / number * 1e9 for run in runs]
    return statistics.median(per_call), min(per_call)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Benchmark the official Python SDK Signer.sign on the MPC DeleteRemuxTask request.")
    parser.add_argument("--number", type=int, default=20000, help="calls per timed run (default 20000)")
    parser.add_argument("--repeat", type=int, default=15, help="timed runs (default 15)")
    args = parser.parse_args(argv)
    if args.number < 1 or args.repeat < 1:
        parser.error("--number and --repeat must be positive")

    from huaweicloudsdkcore.signer.signer import Signer

    # The Signer only reads .ak and .sk from its credentials.
    signer = Signer(types.SimpleNamespace(ak=AK, sk=SK))
    signed = signer.sign(make_request())
    namespace = {"signer": signer, "make_request": make_request}

    # Warm up once, then time construction alone and construction + signing.
    timeit.Timer("signer.sign(make_request())", globals=namespace).timeit(number=min(args.number, 1000))
    build_median, build_min = _median_ns_per_call("make_request()", args.number, args.repeat, namespace)
    total_median, total_min = _median_ns_per_call("signer.sign(make_request())", args.number, args.repeat,
                                                  namespace)
    sign_ns = total_median - build_median

    result = {
        "benchmark": "huaweicloudsdkcore Signer.sign, DELETE remux/task?task_id=100211",
        "median_ns_per_signature": round(sign_ns, 1),
        "signatures_per_second": round(1e9 / sign_ns, 1) if sign_ns > 0 else None,
        "median_ns_sign_plus_construction": round(total_median, 1),
        "median_ns_construction": round(build_median, 1),
        "min_ns_sign_plus_construction": round(total_min, 1),
        "min_ns_construction": round(build_min, 1),
        "number": args.number,
        "repeat": args.repeat,
        "authorization": signed.header_params["Authorization"],
        "uri": signed.uri,
        "python_version": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "machine": platform.machine(),
        "huaweicloudsdkcore_version": _package_version("huaweicloudsdkcore"),
        "huaweicloudsdkmpc_version": _package_version("huaweicloudsdkmpc"),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
