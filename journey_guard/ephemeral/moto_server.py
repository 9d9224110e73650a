"""A moto server in a child process on a free loopback port, with the project's boundary fixes.

The parent (tests, ``deploy.sh``-style tooling) starts :class:`MotoServer`; the child runs
``python -m journey_guard.ephemeral.moto_server serve``, applies every fix of
:data:`journey_guard.ephemeral.moto_fixes.FIXES` to moto in its own process (the fixes themselves
live in that module), binds port 0 on 127.0.0.1 and prints ``{"port": N}`` as its first line. moto
is imported only in the child, so this module stays importable in the policy environment.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from types import TracebackType

from journey_guard.ephemeral.moto_fixes import FIXES
from journey_guard.paths import REPO

LOOPBACK = "127.0.0.1"
START_TIMEOUT_S = 60.0


class MotoServerError(RuntimeError):
    """The moto child process did not start or answer."""


class MotoServer:
    """A moto server in a child process; ``with MotoServer(account_id) as server: server.endpoint_url``."""

    def __init__(self, account_id: str, fixes: tuple[str, ...] | None = None, region: str = "us-east-1") -> None:
        unknown = set(fixes or ()) - FIXES.keys()
        if unknown:
            raise ValueError(f"unknown boundary fixes: {sorted(unknown)} (known: {sorted(FIXES)})")
        self.account_id = account_id
        self.region = region
        self.fixes = tuple(FIXES) if fixes is None else fixes
        self.port: int | None = None
        self._proc: subprocess.Popen[str] | None = None

    @property
    def endpoint_url(self) -> str:
        if self.port is None:
            raise MotoServerError("moto server is not running")
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def exit_code(self) -> int | None:
        """The child's exit status once it has died (negative: the signal's number), else None."""
        return self._proc.poll() if self._proc else None

    def start(self) -> MotoServer:
        cmd = [
            sys.executable,
            "-m",
            "journey_guard.ephemeral.moto_server",
            "serve",
            "--account-id",
            self.account_id,
            "--fixes",
            ",".join(self.fixes),
        ]
        env = dict(os.environ, MOTO_ACCOUNT_ID=self.account_id, AWS_DEFAULT_REGION=self.region)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        self._proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
        line = self._proc.stdout.readline() if self._proc.stdout else ""
        try:
            self.port = int(json.loads(line)["port"])
        except (ValueError, KeyError, TypeError) as exc:
            self.stop()
            raise MotoServerError(f"moto server did not report its port (got {line!r})") from exc
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.endpoint_url}/moto-api/data.json", timeout=2):
                    return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        self.stop()
        raise MotoServerError(f"moto server on port {self.port} did not answer within {START_TIMEOUT_S:.0f} s")

    def post(self, path: str, body: bytes) -> bytes:
        """POST to the server's moto-api (``/moto-api/reset-auth``, ``/moto-api/config``...)."""
        # Not form-encoded: the moto-api views read the raw body, which Flask empties for forms.
        request = urllib.request.Request(f"{self.endpoint_url}{path}", data=body, method="POST", headers={"Content-Type": "text/plain"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read()

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdout:
            proc.stdout.close()
        self.port = None

    def __enter__(self) -> MotoServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


def serve(account_id: str, fixes: list[str]) -> None:
    """Child process: apply the fixes, bind a free loopback port, print it, serve until SIGTERM."""
    os.environ["MOTO_ACCOUNT_ID"] = account_id
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    server = make_server(LOOPBACK, 0, DomainDispatcherApplication(create_backend_app), threaded=True)
    address = f"{LOOPBACK}:{server.server_port}"
    for name in fixes:
        FIXES[name].apply(address)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # SystemExit unwinds serve_forever
    print(json.dumps({"port": server.server_port, "fixes": fixes}), flush=True)
    server.serve_forever()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m journey_guard.ephemeral.moto_server", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("serve", help="run a server in this process (prints its port first)")
    run.add_argument("--account-id", required=True)
    run.add_argument("--fixes", default=",".join(FIXES), help="comma-separated boundary fixes (default: all)")
    sub.add_parser("fixes", help="list the boundary fixes")
    args = parser.parse_args(argv)
    if args.command == "fixes":
        for fix in FIXES.values():
            print(f"{fix.name}: {fix.problem}\n  upstream: {fix.upstream}")
        return 0
    names = [n for n in args.fixes.split(",") if n]
    unknown = set(names) - FIXES.keys()
    if unknown:
        parser.error(f"unknown boundary fixes: {sorted(unknown)}")
    serve(args.account_id, names)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
