"""The UJA_ checks, one per module; importing this package registers each with checkov.

Every module ends with ``check = <Class>()`` so checkov's ``--external-checks-dir policies/checks``
loads the same checks (it ignores a directory without this ``__init__.py``).
"""

from __future__ import annotations

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
