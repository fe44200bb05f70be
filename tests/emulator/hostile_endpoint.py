"""An AWS endpoint on 127.0.0.1 that answers STS (so an audit gets past the identity check) and
then misbehaves as `mode` says: `loop` hands out next-page tokens forever, `emptyregions` lists
no region, `page` is an ordinary web page for everything."""

from __future__ import annotations

import itertools
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

ACCOUNT = "111122223333"
_STS = (
    '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
    f"<GetCallerIdentityResult><Arn>arn:aws:iam::{ACCOUNT}:user/x</Arn><UserId>AID</UserId>"
    f"<Account>{ACCOUNT}</Account></GetCallerIdentityResult>"
    "<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
)
_EC2 = 'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId>'


class HostileEndpoint:
    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.requests = itertools.count()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                return None  # the test reads what the audit says, not this server's log

            def _send(self, code: int, body: str, kind: str = "text/xml") -> None:
                data = body.encode()
                self.send_response(code)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode(errors="replace"))
                action = (form.get("Action") or [self.headers.get("X-Amz-Target", "")])[0]
                number = next(outer.requests)
                if outer.mode == "page":
                    return self._send(200, "<html><body>It works!</body></html>", "text/html")
                if action == "GetCallerIdentity":
                    return self._send(200, _STS)
                if outer.mode == "emptyregions" and action == "DescribeRegions":
                    return self._send(
                        200,
                        f"<DescribeRegionsResponse {_EC2}<regionInfo/></DescribeRegionsResponse>",
                    )  # noqa: E501
                if outer.mode == "loop" and action == "DescribeSecurityGroups":
                    token = "A" if number % 2 else "B"
                    return self._send(200, (
                        f"<DescribeSecurityGroupsResponse {_EC2}<securityGroupInfo/>"
                        f"<nextToken>{token}</nextToken></DescribeSecurityGroupsResponse>"
                    ))  # fmt: skip
                return self._send(400, (
                    "<Response><Errors><Error><Code>InvalidAction</Code><Message>no</Message>"
                    "</Error></Errors></Response>"
                ))  # fmt: skip

            do_GET = do_POST  # noqa: N815

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> HostileEndpoint:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
