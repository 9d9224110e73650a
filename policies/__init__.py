"""The pre-merge policy gate: checkov's built-in checks plus the UJA_ checks in ``policies.checks``.

Runs in the policy virtualenv (checkov's pins): import only the standard library, PyYAML, checkov
and ``journey_guard`` (which keeps to stdlib + PyYAML + tftest at import).
"""
