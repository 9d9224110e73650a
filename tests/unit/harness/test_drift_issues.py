"""The nightly drift job's issue sync against a local fake of the GitHub REST API (127.0.0.1)."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from journey_guard.ops import drift_issues
from journey_guard.ops.drift import AttributeDrift, PendingChange, Report, ResourceDrift

REPO = "acme/uja"
TOKEN = "ghs_fake"


@dataclass
class FakeGitHub:
    """Issues of one repository in memory; answers like api.github.com for the calls the sync makes."""

    issues: list[dict[str, Any]] = field(default_factory=list)
    comments: dict[int, list[str]] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    page_size: int = 100
    url: str = ""

    def handle(self, method: str, path: str, auth: str, body: dict[str, Any] | None) -> tuple[int, Any, dict[str, str]]:
        self.calls.append((method, path))
        if auth != f"Bearer {TOKEN}":
            return 401, {"message": "Bad credentials"}, {}
        parts = urlsplit(path)
        base = f"/repos/{REPO}/issues"
        if method == "GET" and parts.path == base:
            query = parse_qs(parts.query)
            wanted = [i for i in self.issues if i["state"] == query["state"][0] and query["labels"][0] in i["labels"]]
            page = int(query.get("page", ["1"])[0])
            chunk = wanted[(page - 1) * self.page_size : page * self.page_size]
            more = len(wanted) > page * self.page_size
            link = {"Link": f'<{self.url}{base}?state=open&labels=drift&page={page + 1}>; rel="next"'} if more else {}
            return 200, chunk, link
        if method == "POST" and parts.path == base:
            issue = {
                "number": len(self.issues) + 1,
                "state": "open",
                "title": body["title"],
                "body": body["body"],
                "labels": body["labels"],
            }
            self.issues.append(issue)
            return 201, issue, {}
        found = re.fullmatch(rf"{base}/(\d+)(/comments)?", parts.path)
        if not found:
            return 404, {"message": "Not Found"}, {}
        issue = self.issues[int(found.group(1)) - 1]
        if method == "POST" and found.group(2):
            self.comments.setdefault(issue["number"], []).append(body["body"])
            return 201, {"id": 1}, {}
        if method == "PATCH":
            issue.update({k: v for k, v in body.items() if k in ("body", "state", "title")})
            return 200, issue, {}
        return 405, {"message": "Method Not Allowed"}, {}

    def open_for(self, env: str) -> list[dict[str, Any]]:
        return [i for i in self.issues if i["state"] == "open" and drift_issues.marker(env) in i["body"]]


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    state = FakeGitHub()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            status, payload, headers = state.handle(self.command, self.path, self.headers.get("Authorization", ""), body)
            data = json.dumps(payload).encode()
            self.send_response(status)
            for key, value in {"Content-Type": "application/json", **headers}.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = _serve

        def log_message(self, *args: Any) -> None:  # keep pytest's output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def _github(fake: FakeGitHub, token: str = TOKEN) -> drift_issues.GitHub:
    return drift_issues.GitHub(REPO, token, fake.url)


def _drifted(env: str = "dev", cloud: int = 1024) -> Report:
    attr = AttributeDrift("memory_size", 512, cloud)
    return Report(
        env, [ResourceDrift('module.functions.aws_lambda_function.this["event_processor"]', "aws_lambda_function", "update", (attr,))]
    )


def test_drift_opens_one_labelled_issue_with_the_report(fake: FakeGitHub) -> None:
    assert drift_issues.sync(_github(fake), _drifted()) == "opened #1"
    (issue,) = fake.open_for("dev")
    assert issue["labels"] == ["drift"] and issue["title"] == drift_issues.title("dev")
    assert "memory_size" in issue["body"] and "`512`" in issue["body"] and "`1024`" in issue["body"]


def test_persisting_drift_updates_the_same_issue(fake: FakeGitHub) -> None:
    drift_issues.sync(_github(fake), _drifted(cloud=1024))
    assert drift_issues.sync(_github(fake), _drifted(cloud=2048)) == "updated #1"
    (issue,) = fake.open_for("dev")
    assert "`2048`" in issue["body"] and "`1024`" not in issue["body"]
    assert len(fake.issues) == 1


def test_clean_check_comments_and_closes_then_does_nothing(fake: FakeGitHub) -> None:
    drift_issues.sync(_github(fake), _drifted())
    assert drift_issues.sync(_github(fake), Report("dev")) == "closed #1"
    assert fake.issues[0]["state"] == "closed" and "clean again" in fake.comments[1][0]
    before = len(fake.calls)
    assert drift_issues.sync(_github(fake), Report("dev")) == "clean, no open issue"
    assert [m for m, _ in fake.calls[before:]] == ["GET"]


def test_pending_code_alone_keeps_an_issue_open(fake: FakeGitHub) -> None:
    report = Report("prod", pending_code=[PendingChange("module.messaging.aws_sqs_queue.this", ("update",))])
    assert drift_issues.sync(_github(fake), report) == "opened #1"
    assert "pending code" in fake.open_for("prod")[0]["body"]


def test_each_environment_has_its_own_issue_found_across_pages(fake: FakeGitHub) -> None:
    fake.page_size = 1
    drift_issues.sync(_github(fake), _drifted("dev"))
    drift_issues.sync(_github(fake), _drifted("staging"))
    assert drift_issues.sync(_github(fake), Report("staging")) == "closed #2"  # issue 2 is on the second page
    assert [i["state"] for i in fake.issues] == ["open", "closed"]


def test_api_errors_name_the_request_and_status(fake: FakeGitHub) -> None:
    with pytest.raises(drift_issues.DriftIssueError, match=r"GET .*/repos/acme/uja/issues.*HTTP 401.*Bad credentials"):
        drift_issues.sync(_github(fake, token="wrong"), _drifted())


def test_cli_reads_the_report_and_fails_clearly(fake: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    report = tmp_path / "drift-dev.json"
    report.write_text(json.dumps(_drifted().to_json()))
    assert drift_issues.main([str(report), "--repo", REPO, "--api-url", fake.url]) == 0
    assert len(fake.open_for("dev")) == 1
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"environment": "dev"}))
    assert drift_issues.main([str(broken), "--repo", REPO, "--api-url", fake.url]) == 1
    assert re.search(r"broken\.json: not a drift report \(field '\w+'\)", capsys.readouterr().err)
    monkeypatch.delenv("GITHUB_TOKEN")
    assert drift_issues.main([str(report), "--repo", REPO, "--api-url", fake.url]) == 1
