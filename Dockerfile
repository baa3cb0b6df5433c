# HoSo server image: the same packages `make run` installs, on Debian bookworm.
FROM python:3.11-slim-bookworm
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng tesseract-ocr-osd poppler-utils fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY ocr ocr
COPY repository repository
COPY search search
COPY ingest ingest
COPY api api
RUN pip install --no-cache-dir .
ENV HOSO_DATA_DIR=/var/lib/hoso HOSO_HOST=0.0.0.0
VOLUME /var/lib/hoso
EXPOSE 8000
CMD ["hoso", "serve"]
