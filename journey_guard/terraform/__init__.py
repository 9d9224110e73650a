"""Terraform tooling: the CLI and its provider mirror, the artifacts Terraform deploys, hermetic and
cached plans of any root, the environments, plan inventories, and what environments and refactors
change (``toolchain``, ``tf``, ``build``, ``hermetic``, ``plans``, ``environments``, ``inventory``,
``values``, ``envdiff``, ``equivalence``).

Standard library only at package level: ``values`` runs under the system's python3 (``deploy.sh drift``).
"""
