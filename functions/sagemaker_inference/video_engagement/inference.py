"""SageMaker inference script of the video-engagement model (scikit-learn container, pure Python).

The artifact holds this file and ``common/`` under ``code/``; the container puts ``code/`` on
``sys.path``. The handlers' fallback calls the same ``common.scoring.video_engagement.predict``.
"""

from __future__ import annotations

from common.scoring.serving import input_fn, output_fn
from common.scoring.video_engagement import MODEL_VERSION, predict

__all__ = ["input_fn", "model_fn", "output_fn", "predict_fn"]


def model_fn(model_dir: str) -> str:
    """The model is code, not fitted weights: nothing to load from model_dir."""
    return MODEL_VERSION


def predict_fn(input_data: object, model: str) -> dict[str, object]:
    return predict(input_data)
