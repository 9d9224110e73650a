"""The SageMaker inference scripts against the handlers' fallback, and the packaged artifacts."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sagemaker_inference.exit_risk import inference as exit_inference
from sagemaker_inference.video_engagement import inference as video_inference

from common.scoring import ScoringInputError, exit_risk, video_engagement
from journey_guard.terraform.build import Builder

value = st.one_of(st.integers(min_value=0, max_value=10**6), st.floats(min_value=0, max_value=1e6))
exit_instances = st.lists(st.dictionaries(st.sampled_from(sorted(exit_risk.FEATURES)), value), min_size=1, max_size=5)
video_instances = st.lists(
    st.fixed_dictionaries(
        {
            "viewCount": st.integers(min_value=0, max_value=10**6),
            "totalWatchMs": st.integers(min_value=0, max_value=10**10),
            "maxCompletionRate": st.floats(min_value=0, max_value=1),
        }
    ),
    min_size=1,
    max_size=5,
)


def serve(script: ModuleType, payload: object) -> dict[str, object]:
    """One request through the container's hooks, as SageMaker calls them."""
    model = script.model_fn("/opt/ml/model")
    body, content_type = script.output_fn(
        script.predict_fn(script.input_fn(json.dumps(payload), "application/json"), model), "application/json"
    )
    assert content_type == "application/json"
    return json.loads(body)


@given(exit_instances)
def test_exit_risk_endpoint_and_fallback_agree(instances: list[dict[str, float]]) -> None:
    payload = {"instances": instances}
    assert serve(exit_inference, payload) == exit_risk.predict(payload)


@given(video_instances)
def test_video_endpoint_and_fallback_agree(instances: list[dict[str, float]]) -> None:
    payload = {"instances": instances}
    assert serve(video_inference, payload) == video_engagement.predict(payload)


def test_content_types_are_checked() -> None:
    with pytest.raises(ScoringInputError, match="content type 'text/csv' is not supported"):
        exit_inference.input_fn("1,2", "text/csv")
    with pytest.raises(ScoringInputError, match="request body is not JSON"):
        video_inference.input_fn("{", "application/json; charset=utf-8")
    with pytest.raises(ScoringInputError, match="accept 'text/csv'"):
        exit_inference.output_fn({}, "text/csv")


def test_artifacts_load_without_site_packages(tmp_path: Path) -> None:
    """The built model.tar.gz scores with the interpreter's standard library only (``python -S``)."""
    out = tmp_path / "build"
    Builder(out).models()
    for model, payload in (("exit-risk", {"instances": [{"help_requests": 10}]}), ("video-engagement", {"instances": [{"viewCount": 1}]})):
        root = out / model
        with tarfile.open(out / "models" / f"{model}.tar.gz") as tar:
            tar.extractall(root, filter="data")
        script = (
            "import json, sys; sys.path.insert(0, 'code'); import inference as i; "
            "print(i.output_fn(i.predict_fn(i.input_fn(sys.argv[1], 'application/json'), i.model_fn('.')), 'application/json')[0])"
        )
        done = subprocess.run(
            [sys.executable, "-S", "-c", script, json.dumps(payload)], cwd=root, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        expected = (exit_risk if model == "exit-risk" else video_engagement).predict(payload)
        assert json.loads(done.stdout) == expected
        assert Path(root, "code", "inference.py").is_file()
