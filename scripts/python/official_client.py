#!/usr/bin/env python3
"""Call MPC "delete packaging task records" with the official Huawei Cloud Python SDK.

Drives ``huaweicloudsdkmpc.v1.MpcClient.delete_remux_task`` (request
``DeleteRemuxTaskRequest(task_id=...)``), i.e. ``DELETE /v1/{project_id}/remux/task?task_id=...``,
against the endpoint given by ``--endpoint``. The endpoint may be a real MPC endpoint
(``https://mpc.cn-north-4.myhuaweicloud.com``) or a plain ``http://127.0.0.1:PORT`` local server,
such as the one embedded in this crate; this is how the crate's endpoint is checked against the
official client.

How the official client is made to talk to ``http://`` on loopback:

* ``ClientBuilder.build()`` keeps an endpoint that starts with ``http`` as it is (it only prefixes
  ``https://`` to bare host names), and the SDK's HTTP session mounts its adapter for both
  ``http://`` and ``https://``; so ``with_endpoints(["http://127.0.0.1:PORT"])`` is enough.
  The signed ``Host`` is the endpoint's ``host:port``, exactly as sent.
* ``HttpConfig``: ``retry_times=0`` (one request per call, no urllib3 retries), a short
  ``(connect, read)`` timeout, ``allow_redirects=False``; ``ignore_ssl_verification`` only matters
  for ``https://`` (``--insecure``).
* No proxy: the SDK passes ``proxies={}`` to ``requests``, which still merges proxies from the
  environment (``HTTP_PROXY``/``ALL_PROXY``...) and reads ``~/.netrc``. This script removes the proxy
  variables from its own environment, sets ``NO_PROXY=*``, and turns off ``trust_env`` on the
  SDK's ``requests`` session, so the request goes straight to the endpoint.

Output: one JSON line per ``--task-id`` on stdout::

    {"task_id": "...", "status": 204, "error_code": null, "error_msg": null, "request_id": "..."}

``status`` is the HTTP status (204 on success; for errors the status of the
``ClientRequestException``/``ServerResponseException`` with its ``error_code``, ``error_msg`` and
``request_id``, the latter taken from the ``X-Request-Id`` response header). When no HTTP response
was received (connection refused, timeout) ``status`` is null and ``error_code`` is the SDK
exception class name.

Exit status: 0 when every call got an HTTP response (whatever its status), 1 when at least one call
got none, 2 on bad arguments.

Note: importing the SDK's credentials module creates ``~/.huaweicloud/application_id`` (a random
UUID) if it does not exist; the SDK appends it to its ``User-Agent`` header (``app/<uuid>``).
"""

import argparse
import json
import os
import sys

_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "ftp_proxy")


def _disable_environment_proxies():
    """Make sure requests never routes the call through a proxy from the environment."""
    for name in list(os.environ):
        if name.lower() in _PROXY_VARIABLES:
            del os.environ[name]
    os.environ["NO_PROXY"] = "*"
    os.environ["no_proxy"] = "*"


def _parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Delete MPC packaging (remux) task records with the official Python SDK "
                    "and print one JSON line per task id.")
    parser.add_argument("--ak", required=True, help="access key id")
    parser.add_argument("--sk", required=True, help="secret access key")
    parser.add_argument("--project-id", required=True, help="project id (sent as X-Project-Id)")
    parser.add_argument("--endpoint", required=True,
                        help="endpoint URL, e.g. http://127.0.0.1:8080 or "
                             "https://mpc.cn-north-4.myhuaweicloud.com")
    parser.add_argument("--task-id", dest="task_ids", action="append", required=True,
                        help="task id to delete (repeatable)")
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="connect and read timeout in seconds (default 10)")
    parser.add_argument("--insecure", action="store_true",
                        help="skip TLS certificate verification (https endpoints only)")
    return parser.parse_args(argv)


def _build_client(args, request_ids):
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.http.http_config import HttpConfig
    from huaweicloudsdkcore.http.http_handler import HttpHandler
    from huaweicloudsdkmpc.v1 import MpcClient

    config = HttpConfig.get_default_config()
    config.ignore_ssl_verification = args.insecure
    config.timeout = (args.timeout, args.timeout)
    config.retry_times = 0
    config.allow_redirects = False

    def remember_request_id(**kwargs):
        response = kwargs.get("response")
        if response is not None:
            request_ids.append(response.headers.get("X-Request-Id"))

    handler = HttpHandler().add_response_handler(remember_request_id)

    client = MpcClient.new_builder() \
        .with_http_config(config) \
        .with_credentials(BasicCredentials(args.ak, args.sk, args.project_id)) \
        .with_endpoints([args.endpoint]) \
        .with_http_handler(handler) \
        .build()

    # requests merges environment proxies and ~/.netrc into every call unless trust_env is off.
    session = getattr(client.get_http_client(), "_session", None)
    if session is not None:
        session.trust_env = False
    return client


def _delete_one(client, task_id, request_ids):
    from huaweicloudsdkcore.exceptions.exceptions import SdkException, ServiceResponseException
    from huaweicloudsdkmpc.v1 import DeleteRemuxTaskRequest
    from requests.exceptions import RequestException

    del request_ids[:]
    try:
        response = client.delete_remux_task(DeleteRemuxTaskRequest(task_id=task_id))
    except ServiceResponseException as e:  # ClientRequestException (4xx), ServerResponseException (5xx)
        return {"task_id": task_id, "status": e.status_code, "error_code": e.error_code,
                "error_msg": e.error_msg, "request_id": e.request_id}, True
    except SdkException as e:  # no HTTP response: connection refused, timeout, TLS failure...
        return {"task_id": task_id, "status": None, "error_code": type(e).__name__,
                "error_msg": e.error_msg, "request_id": None}, False
    except RequestException as e:  # a transport error the SDK does not wrap
        return {"task_id": task_id, "status": None, "error_code": type(e).__name__,
                "error_msg": str(e), "request_id": None}, False
    return {"task_id": task_id, "status": response.status_code, "error_code": None,
            "error_msg": None, "request_id": request_ids[-1] if request_ids else None}, True


def main(argv=None):
    args = _parse_args(argv)
    _disable_environment_proxies()

    request_ids = []
    client = _build_client(args, request_ids)
    all_answered = True
    try:
        for task_id in args.task_ids:
            result, answered = _delete_one(client, task_id, request_ids)
            all_answered = all_answered and answered
            print(json.dumps(result, ensure_ascii=False), flush=True)
    finally:
        client.close()
    return 0 if all_answered else 1


if __name__ == "__main__":
    sys.exit(main())
