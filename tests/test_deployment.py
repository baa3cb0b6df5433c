"""The compose files cannot be run here (no Docker engine), but what they tell HoSo must be
settings HoSo has: a misspelt HOSO_ variable would be silently ignored in production."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from api.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def hoso_variables(compose: dict) -> set[str]:
    names = set()
    for service in compose["services"].values():
        environment = service.get("environment") or {}
        names |= {name for name in environment if name.startswith("HOSO_")}
    return names


@pytest.mark.parametrize("path", ["docker-compose.yml", "deploy/docker-compose.cluster.yml"])
def test_compose_sets_only_real_settings(path):
    compose = yaml.safe_load((ROOT / path).read_text())
    assert {"minio", "hoso", "worker"} <= set(compose["services"])
    assert compose["services"]["worker"]["command"] == ["hoso", "worker"]
    for name in hoso_variables(compose):
        top, _, nested = name.removeprefix("HOSO_").lower().partition("__")
        assert top in Settings.model_fields, f"{path}: {name} is not a HoSo setting"
        if nested:
            section = Settings.model_fields[top].annotation
            assert nested in section.model_fields, f"{path}: {name} is not a HoSo setting"
