"""SageMaker inference script of the exit-risk model (scikit-learn container, pure Python).

The artifact holds this file and ``common/`` under ``code/``; the container puts ``code/`` on
``sys.path``. The handlers' fallback calls the same ``common.scoring.exit_risk.predict``.
"""

from __future__ import annotations

from common.scoring import exit_risk
from common.scoring.serving import input_fn, model_hooks, output_fn

__all__ = ["input_fn", "model_fn", "output_fn", "predict_fn"]

model_fn, predict_fn = model_hooks(exit_risk)
