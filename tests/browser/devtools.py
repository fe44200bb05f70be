"""A page in headless Chromium at a chosen viewport, driven over the DevTools protocol.

Headless Chromium will not open a window narrower than 500 px, so a phone's 390 px viewport
needs device emulation (`Emulation.setDeviceMetricsOverride`), which only the DevTools protocol
offers. The protocol runs over a pipe (`--remote-debugging-pipe`: Chromium reads commands on
fd 3 and writes replies on fd 4, each message JSON ended by a NUL byte): no port is opened, and
the browser keeps the report's flags (empty profile, no network).

Run as a script, it writes screenshots of a report: python -m tests.browser.devtools PAGE.html
OUT.png WIDTH HEIGHT.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from reports.pdf import CHROMIUM_FLAGS


def _above_nine(fd: int) -> int:
    """`fd` duplicated to the lowest free descriptor above 9 (the original is closed)."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


class DevToolsError(RuntimeError):
    """Chromium answered a command with an error, or did not answer in time."""


class Page:
    """One tab of a headless Chromium, sized like a device, with a page loaded into it."""

    def __init__(self, chromium: str, profile: Path, timeout: float = 120.0) -> None:
        self.timeout = timeout
        Path(profile).mkdir(parents=True, exist_ok=True)
        self._next = 0
        self._buffer = b""
        commands_r, self._commands = os.pipe()
        self._replies, replies_w = os.pipe()
        # Chromium's ends, moved above 9 so that placing them on 3 and 4 cannot clobber either.
        commands_r, replies_w = _above_nine(commands_r), _above_nine(replies_w)
        argv = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe"]
        # bash (dash takes one-digit descriptors only) moves the pipe ends to the descriptors
        # Chromium expects, then becomes it.
        line = f"exec {shlex.join(argv)} 3<&{commands_r} 4>&{replies_w}"
        env = {**os.environ, "HOME": str(profile), "XDG_CONFIG_HOME": str(profile / "config")}
        self._proc = subprocess.Popen(
            ["bash", "-c", line],
            pass_fds=(commands_r, replies_w),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
        os.close(commands_r)
        os.close(replies_w)
        target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
        attached = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})
        self._session = attached["sessionId"]

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError):  # it may have gone already
            os.killpg(self._proc.pid, signal.SIGKILL)
        self._proc.wait()
        os.close(self._commands)
        os.close(self._replies)

    def __enter__(self) -> Page:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _send(self, method: str, params: dict[str, Any], session: str | None) -> int:
        self._next += 1
        message = {"id": self._next, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        return self._next

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._replies], [], [], max(0.0, left))
            if not ready:
                raise DevToolsError("Chromium did not answer in time")
            chunk = os.read(self._replies, 1 << 20)
            if not chunk:
                raise DevToolsError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    def _call(self, method: str, params: dict[str, Any], session: str | None = None) -> Any:
        wanted = self._send(method, params, session)
        deadline = time.monotonic() + self.timeout
        while True:
            message = self._receive(deadline)
            if message.get("id") == wanted:
                if "error" in message:
                    raise DevToolsError(f"{method}: {message['error']}")
                return message.get("result", {})

    def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        """A command to the page's own session."""
        return self._call(method, params or {}, self._session)

    def open(self, page: Path, width: int, height: int) -> None:
        """Load `page` in a viewport `width` × `height` CSS pixels (a phone below 600 px)."""
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
        )
        self.call("Page.enable")
        self.call("Page.navigate", {"url": Path(page).resolve().as_uri()})
        deadline = time.monotonic() + self.timeout
        while True:
            message = self._receive(deadline)
            if message.get("method") == "Page.loadEventFired":
                return

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (DevTools is not bound by the
        page's Content-Security-Policy)."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise DevToolsError(f"script failed: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def screenshot(self, path: Path) -> None:
        """The viewport as a PNG."""
        shot = self.call("Page.captureScreenshot", {"format": "png"})
        Path(path).write_bytes(base64.b64decode(shot["data"]))


def main(argv: list[str]) -> int:
    page, out, width, height = Path(argv[0]), Path(argv[1]), int(argv[2]), int(argv[3])
    with (
        tempfile.TemporaryDirectory(prefix="safeguard-devtools-") as tmp,
        Page("chromium", Path(tmp)) as tab,
    ):
        tab.open(page, width, height)
        tab.screenshot(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
