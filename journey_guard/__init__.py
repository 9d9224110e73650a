"""journey-guard: the harness around the User Journey Analytics system.

Modules here import only the standard library, PyYAML and tftest at top level, so that the
policy session (checkov's pinned environment) can import them too.
"""
