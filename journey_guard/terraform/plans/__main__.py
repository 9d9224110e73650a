"""``python -m journey_guard.terraform.plans``: see :mod:`journey_guard.terraform.plans.cli`."""

from journey_guard.terraform.plans.cli import main

raise SystemExit(main())
