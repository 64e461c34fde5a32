"""A local stand-in for OSV's query API, as pip-audit's OSV service calls it.

pip-audit 2.10 (`pip_audit/_service/osv.py`) POSTs one JSON query per pinned requirement to its
`--osv-url`: `{"package": {"name": <canonical name>, "ecosystem": "PyPI"}, "version": <version>}`.
OSV answers `{}` when nothing affects that version, else `{"vulns": [<OSV records>]}`; any error
status is a failure of the audit. This server answers from an in-memory list of OSV records,
matching them as OSV does (the record's `versions`, or its ECOSYSTEM `ranges`), and records every
(package, version) it was asked about.
"""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import Version

QUERY_PATH = "/v1/query"


def affects(record: dict[str, Any], name: str, version: str) -> bool:
    """Whether an OSV record affects PyPI package `name` at `version` (OSV's own evaluation)."""
    for affected in record.get("affected", []):
        package = affected["package"]
        if package["ecosystem"] != "PyPI" or canonicalize_name(package["name"]) != name:
            continue
        if version in affected.get("versions", []):
            return True
        for ranges in affected.get("ranges", []):
            if ranges["type"] == "ECOSYSTEM" and in_range(Version(version), ranges["events"]):
                return True
    return False


def in_range(version: Version, events: list[dict[str, str]]) -> bool:
    """OSV's range evaluation: walk the events in version order up to `version`."""
    affected = False
    for kind, at in sorted(
        ((kind, Version(value)) for event in events for kind, value in event.items()),
        key=lambda event: event[1],
    ):
        if kind == "introduced" and version >= at:
            affected = True
        elif (kind == "fixed" and version >= at) or (kind == "last_affected" and version > at):
            affected = False
    return affected


class OsvServer:
    """`with OsvServer(records) as osv:` serves `osv.url` on 127.0.0.1 until the block ends.

    `status` other than 200 makes every query answer that status (a broken or failing service).
    """

    def __init__(self, records: list[dict[str, Any]] | None = None, status: int = 200) -> None:
        self.records = records or []
        self.status = status
        self.queries: list[tuple[str, str]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}{QUERY_PATH}"

    def __enter__(self) -> OsvServer:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, query: dict[str, Any]) -> dict[str, Any]:
        name = canonicalize_name(query["package"]["name"])
        version = query["version"]
        self.queries.append((name, version))
        vulns = [record for record in self.records if affects(record, name, version)]
        return {"vulns": vulns} if vulns else {}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        osv = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path != QUERY_PATH:
                    self.reply(404, {"code": 5, "message": "Not Found"})
                    return
                try:
                    answer = osv.answer(json.loads(body))
                except (ValueError, KeyError, TypeError):
                    self.reply(400, {"code": 3, "message": "Invalid query."})
                    return
                if osv.status != 200:
                    self.reply(osv.status, {"code": 13, "message": "Internal error."})
                    return
                self.reply(200, answer)

            def reply(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the test reads `osv.queries`, not the access log

        return Handler


def closed_port_url() -> str:
    """A query URL on 127.0.0.1 where nothing listens: a free port, bound and released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{QUERY_PATH}"
