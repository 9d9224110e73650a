"""One GitHub issue per environment while drift persists: open it, keep it current, close it when clean.

    python -m journey_guard.ops.drift_issues build/drift/drift-dev.json [--repo owner/name] [--api-url URL]

Reads a drift report (``journey_guard.ops.drift``'s JSON). Cloud drift or pending code: the
environment's open issue (found by a marker in its body, label ``drift``) gets the new report as
its body, or is opened. Clean: the open issue gets a comment and is closed. The token is the
workflow's ``GITHUB_TOKEN`` (``issues: write``); the repository and API address default to the
variables GitHub Actions sets (``GITHUB_REPOSITORY``, ``GITHUB_API_URL``). Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from journey_guard.ops.drift import EXIT_CLEAN, Report

LABEL = "drift"
DEFAULT_API = "https://api.github.com"
TIMEOUT_S = 30
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


class DriftIssueError(RuntimeError):
    """A GitHub API call failed or the report is unreadable; the message names which."""


def marker(environment: str) -> str:
    return f"<!-- journey-guard drift: {environment} -->"


def title(environment: str) -> str:
    return f"Drift: {environment} differs from its code"


def load_report(path: Path) -> Report:
    """A drift report from its JSON file, or a clear error naming the file and field."""
    try:
        raw = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise DriftIssueError(f"{path}: cannot read the drift report: {exc}") from exc
    try:
        return Report.from_json(raw)
    except (KeyError, TypeError) as exc:
        raise DriftIssueError(f"{path}: not a drift report (field {exc})") from exc


@dataclass(frozen=True)
class GitHub:
    repo: str
    token: str
    api_url: str = DEFAULT_API

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[Any, str]:
        """JSON response and its Link header; ``path`` is absolute or under the API address."""
        url = path if path.startswith("http") else f"{self.api_url.rstrip('/')}{path}"
        req = urllib.request.Request(
            url,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={
                "Authorization": f"Bearer {self.token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "Content-Type": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:
                text = resp.read().decode()
                return (json.loads(text) if text else None), resp.headers.get("Link", "")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:500]
            raise DriftIssueError(f"GitHub {method} {url}: HTTP {exc.code}: {detail}") from exc
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            raise DriftIssueError(f"GitHub {method} {url}: {exc}") from exc

    def open_issues(self) -> list[dict[str, Any]]:
        """Every open issue labelled ``drift`` (all pages; pull requests left out)."""
        issues: list[dict[str, Any]] = []
        path: str | None = f"/repos/{self.repo}/issues?state=open&labels={LABEL}&per_page=100"
        while path:
            page, link = self.request("GET", path)
            issues += [i for i in page if "pull_request" not in i]
            found = _NEXT.search(link)
            path = found.group(1) if found else None
        return issues


def _run_link() -> str:
    server, repo, run = (os.environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"))
    return f"\n\nChecked by {server}/{repo}/actions/runs/{run}" if server and repo and run else ""


def sync(github: GitHub, report: Report) -> str:
    """Bring the environment's issue in line with ``report``; returns what was done."""
    tag = marker(report.environment)
    existing = next((i for i in github.open_issues() if tag in (i.get("body") or "")), None)
    if report.exit_code == EXIT_CLEAN:
        if existing is None:
            return "clean, no open issue"
        number = existing["number"]
        comment = f"The drift check of `{report.environment}` is clean again: closing.{_run_link()}"
        github.request("POST", f"/repos/{github.repo}/issues/{number}/comments", {"body": comment})
        github.request("PATCH", f"/repos/{github.repo}/issues/{number}", {"state": "closed", "state_reason": "completed"})
        return f"closed #{number}"
    body = f"{tag}\n{report.markdown()}{_run_link()}\n"
    if existing is None:
        created, _ = github.request(
            "POST", f"/repos/{github.repo}/issues", {"title": title(report.environment), "body": body, "labels": [LABEL]}
        )
        return f"opened #{created['number']}"
    github.request("PATCH", f"/repos/{github.repo}/issues/{existing['number']}", {"body": body})
    return f"updated #{existing['number']}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m journey_guard.ops.drift_issues", description="Sync a drift report to a GitHub issue.")
    parser.add_argument("report", type=Path, help="drift-<env>.json written by python -m journey_guard.ops.drift")
    parser.add_argument("--repo", default=os.environ.get("GITHUB_REPOSITORY"), help="owner/name (default $GITHUB_REPOSITORY)")
    parser.add_argument("--api-url", default=os.environ.get("GITHUB_API_URL") or DEFAULT_API, help="default $GITHUB_API_URL")
    args = parser.parse_args(argv)
    token = os.environ.get("GITHUB_TOKEN")
    if not args.repo or not token:
        print("drift_issues: set GITHUB_TOKEN and --repo (or GITHUB_REPOSITORY)", file=sys.stderr)
        return 1
    try:
        print(f"drift_issues: {sync(GitHub(args.repo, token, args.api_url), load_report(args.report))}")
    except DriftIssueError as exc:
        print(f"drift_issues: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
