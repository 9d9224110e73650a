"""Operator tools for a deployed environment: traffic (``eventgen``), replay after a fix (``replay``),
drift between the cloud, the state and the code (``drift``) and its GitHub issue (``drift_issues``).

Standard library only at package level: ``drift`` runs under the system's python3 (``deploy.sh drift``).
"""
