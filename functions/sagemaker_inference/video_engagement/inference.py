"""SageMaker inference script of the video-engagement model (scikit-learn container, pure Python).

The artifact holds this file and ``common/`` under ``code/``; the container puts ``code/`` on
``sys.path``. The handlers' fallback calls the same ``common.scoring.video_engagement.predict``.
"""

from __future__ import annotations

from common.scoring import video_engagement
from common.scoring.serving import input_fn, model_hooks, output_fn

__all__ = ["input_fn", "model_fn", "output_fn", "predict_fn"]

model_fn, predict_fn = model_hooks(video_engagement)
