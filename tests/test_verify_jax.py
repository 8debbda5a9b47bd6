"""compilelint verify on Keras 3 with JAX, where it differs from TensorFlow.

The same files verified with KERAS_BACKEND=jax, in one run (one JAX worker serves them
all, as for a user verifying a folder). What differs from the TensorFlow run of
tests/test_verify.py: fit calls ``train_step(state, data)``, so a step written for
TensorFlow fails; float64 is not available without x64, so asking for it is reported; and
the worker must put Keras's settings back between files under JAX too.
"""

import importlib.util
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from compilelint.cli import main

JAX_FIXTURES = Path(__file__).parent / "verify_fixtures" / "jax"
# The order matters: the plain classifier comes after the file that sets floatx to float64.
ORDER = ["float64_first.py", "plain_classifier.py", "flat_metrics_two_outputs.py", "tensorflow_train_step.py"]


@pytest.fixture(scope="module")
def report():
    if importlib.util.find_spec("jax") is None:
        pytest.skip("jax is not installed")
    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("tensorflow is not installed (tensorflow_train_step.py imports it)")
    files = [str(JAX_FIXTURES / name) for name in ORDER]
    result = CliRunner().invoke(main, ["verify", "--output-format", "json", "--timeout", "60", *files], env={"KERAS_BACKEND": "jax"})
    assert result.exit_code == 1, result.stderr
    return json.loads(result.stdout), result.stderr


def _site(report, name):
    (site,) = [s for s in report["sites"] if s["path"].endswith(name)]
    return site


def _messages(report, name):
    return [(d["code"], d["message"]) for d in report["diagnostics"] if d["path"].endswith(name)]


def test_the_run_says_it_used_jax(report):
    data, stderr = report
    assert data["backend"].startswith("jax ") and "keras 3." in data["backend"]
    assert data["summary"] == {"verified": 1, "finding": 3, "refused": 0, "error": 0}
    assert "on CPU (jax " in stderr


def test_a_plain_model_is_verified_after_a_file_that_asked_for_float64(report):
    data, _ = report
    assert _site(data, "plain_classifier.py")["status"] == "verified"
    assert _messages(data, "plain_classifier.py") == []


def test_float64_without_x64_is_reported_as_truncated(report):
    data, _ = report
    messages = _messages(data, "float64_first.py")
    assert messages and {code for code, _ in messages} == {"CL904"}
    assert all("float64" in text and "truncated to dtype float32" in text for _, text in messages)
    # compile() gave these warnings; the step giving them again is not said twice.
    warnings = [text.split(": ", 1)[1] for _, text in messages]
    assert len(warnings) == len(set(warnings))


def test_a_flat_metrics_list_on_two_outputs_fails_as_it_does_on_tensorflow(report):
    data, _ = report
    ((code, text),) = _messages(data, "flat_metrics_two_outputs.py")
    assert code == "CL903" and "Invalid `metrics`" in text and "the first fit fails the same way" in text


def test_a_train_step_written_for_tensorflow_fails_on_jax(report):
    data, _ = report
    ((code, text),) = _messages(data, "tensorflow_train_step.py")
    assert code == "CL903" and "train_step() takes 2 positional arguments but 3 were given" in text
