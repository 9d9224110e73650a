"""pytest plugins (fixtures), loaded by the root conftest.py's ``pytest_plugins`` for every layer.

Each layer runs in its own virtualenv (the policy layer's has checkov but no Hypothesis, pydantic or
Powertools; the others have no checkov), so a plugin imports only pytest, the standard library and
what every virtualenv has at import time, and the rest inside its fixtures.
"""
