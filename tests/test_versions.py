"""Which Keras `auto` means here, read from installed distributions without importing them."""

import sys

import pytest

from compilelint import versions


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    monkeypatch.delenv("TF_USE_LEGACY_KERAS", raising=False)
    versions.environment_major.cache_clear()
    yield tmp_path
    versions.environment_major.cache_clear()


def install(site, *folders):
    for folder in folders:
        (site / folder).mkdir()


@pytest.mark.parametrize(
    "folders, major",
    [
        ((), 3),
        (("tensorflow-2.15.1.dist-info", "keras-2.15.0.dist-info"), 2),
        (("tensorflow_cpu-2.13.0.dist-info",), 2),
        (("tensorflow-2.15.1.dist-info", "keras-3.3.3.dist-info"), 3),
        (("tensorflow-2.21.0.dist-info", "keras-3.15.1.dist-info", "tf_keras-2.21.0.dist-info"), 3),
        (("keras-3.15.1.dist-info",), 3),
    ],
)
def test_environment_major(site, folders, major):
    install(site, *folders)
    assert versions.environment_major() == major


def test_tf_use_legacy_keras(site, monkeypatch):
    install(site, "tensorflow-2.21.0.dist-info", "keras-3.15.1.dist-info")
    monkeypatch.setenv("TF_USE_LEGACY_KERAS", "True")
    assert versions.environment_major() == 2


def test_first_distribution_on_the_path_wins(site, tmp_path_factory, monkeypatch):
    later = tmp_path_factory.mktemp("later")
    install(site, "tensorflow-2.15.0.dist-info")
    (later / "tensorflow-2.21.0.dist-info").mkdir()
    monkeypatch.setattr(sys, "path", [str(site), str(later)])
    assert versions.installed_versions()["tensorflow"] == (2, 15)
