"""The compose files cannot be run here (no Docker engine), but what they tell HoSo must be
settings HoSo has: a misspelt HOSO_ variable would be silently ignored in production."""

from __future__ import annotations

import json
import re
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


def test_prometheus_and_grafana_watch_what_hoso_exports():
    """Prometheus scrapes the API with the token the API asks for, and every metric the
    dashboard draws is one HoSo exports (a misspelt name draws an empty panel, silently)."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    hoso = compose["services"]["hoso"]["environment"]
    assert "HOSO_METRICS__TOKEN" in hoso and "readyz" in str(compose["services"]["hoso"]["healthcheck"])
    assert compose["secrets"]["hoso_metrics_token"]["environment"] == "HOSO_METRICS_TOKEN"
    prometheus = yaml.safe_load((ROOT / "deploy/prometheus.yml").read_text())
    [job] = prometheus["scrape_configs"]
    assert job["static_configs"][0]["targets"] == ["hoso:8000"] and job["metrics_path"] == "/metrics"
    assert job["authorization"]["credentials_file"] == "/run/secrets/hoso_metrics_token"
    assert "hoso_metrics_token" in compose["services"]["prometheus"]["secrets"]

    from prometheus_client.parser import text_string_to_metric_families

    from api.metrics import Metrics

    metrics = Metrics()
    metrics.watch_queue(lambda: 0, lambda: 0)
    for family in (metrics.requests, metrics.documents, metrics.failures, metrics.call_errors,
                   metrics.audit_entries, metrics.rate_limited):
        family.labels(*["x"] * len(family._labelnames)).inc()
    for family in (metrics.request_seconds, metrics.calls):
        family.labels(*["x"] * len(family._labelnames)).observe(1)
    exported = {sample.name for family in text_string_to_metric_families(metrics.exposition()[0].decode())
                for sample in family.samples}
    dashboard = json.loads((ROOT / "deploy/grafana/dashboards/hoso.json").read_text())
    drawn = {name for panel in dashboard["panels"] for target in panel["targets"]
             for name in re.findall(r"\bhoso_[a-z_]+", target["expr"])}
    assert len(drawn) >= 10 and drawn <= exported, drawn - exported
