"""Root of every test layer: shared options. Layer fixtures live in tests/<layer>/conftest.py."""

from __future__ import annotations

import os

# Tests never reach a real AWS account by accident: unset profiles, fake static credentials,
# and a fixed region. Integration sets its own credentials for the account it creates.
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.pop("AWS_PROFILE", None)
