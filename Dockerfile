# schedviz container image.
#
# The base image is a build argument so the image can be built on any local
# Python >= 3.11 base when the default cannot be pulled:
#   docker build --build-arg BASE_IMAGE=my-python311-base -t schedviz .
#
# Layout inside the image (the web app locates frontend/ relative to the
# source tree, so the repository layout is kept as is):
#   /app/pyproject.toml, /app/README.md, /app/backend, /app/frontend
#   /opt/venv  - virtual environment with schedviz installed (editable) from /app

ARG BASE_IMAGE=python:3.11-slim

# ---------------------------------------------------------------------------
# build stage: compiler toolchain (for native extensions) + virtualenv
# ---------------------------------------------------------------------------
FROM ${BASE_IMAGE} AS build

ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The toolchain only lives in this throw-away stage; it follows the base
# image's distribution release, so pinning exact versions would break on every
# point release of the base.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*

RUN python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /app
COPY pyproject.toml README.md ./
COPY backend ./backend

# Editable install: the package is imported from /app/backend, so paths the
# app resolves relative to its source tree (frontend/) point into /app.
# Versions of the dependencies are bounded by pyproject.toml.
RUN pip install --no-cache-dir -e /app

# ---------------------------------------------------------------------------
# runtime stage: no compiler, non-root user
# ---------------------------------------------------------------------------
FROM ${BASE_IMAGE} AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    SCHEDVIZ_FRONTEND=/app/frontend

RUN groupadd --system --gid 10001 schedviz \
    && useradd --system --uid 10001 --gid schedviz --home-dir /home/schedviz \
        --create-home --shell /usr/sbin/nologin schedviz \
    && mkdir -p /data \
    && chown schedviz:schedviz /data

COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
COPY frontend /app/frontend

WORKDIR /app
USER 10001:10001

# Inside the container the server must listen on all interfaces: the
# container's loopback is not reachable from the host. Exposure on the host is
# decided when publishing the port (docker-compose.yml binds it to
# 127.0.0.1 only).
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:8000/api/schema', timeout=4); sys.exit(0 if r.status == 200 else 1)"]

CMD ["schedviz", "serve", "--host", "0.0.0.0", "--port", "8000"]
