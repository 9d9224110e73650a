"""journey-guard: the harness around the User Journey Analytics system, one package per audience.

- ``terraform``: Terraform tooling (toolchain, build, hermetic cached plans, environments, inventories);
- ``ephemeral``: the throwaway account an integration run deploys into (moto, apply, emulator, leaks);
- ``ops``: operator tools for a deployed environment (event generator, replay, drift);
- ``quality``: the test layers themselves (spec facts and coverage, mutants, parallel sessions, benchmarks);
- ``paths`` and ``progress``, shared by all of them.

Modules here import only the standard library, PyYAML and tftest at top level, so that the
policy session (checkov's pinned environment) can import them too.
"""
