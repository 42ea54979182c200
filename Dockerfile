# syntax=docker/dockerfile:1
# repro: XLM-R X-STILTs reproduction (Phang et al. 2020) as a container.  `docker build -t repro:gpu .`
# Usage, build arguments, CA certificates and mirrors: docs/container.md.
#
# BASE_IMAGE: NVIDIA's CUDA 13.0 + cuDNN runtime on Ubuntu 24.04 (Python 3.12 from Ubuntu), pinned by tag AND digest.
#   Why 13.0: PyPI's torch 2.13.0 Linux x86_64 wheel (the default TORCH_SPEC below) is the CUDA 13.0 build (it pulls
#   nvidia-cuda-runtime 13.0.x, nvidia-cudnn-cu13, nvidia-nccl-cu13), so the base's CUDA matches it; the host needs an
#   NVIDIA driver that supports CUDA 13.0 (>= 580). The digest is the multi-arch index digest of the tag as pinned by
#   several public Dockerfiles (it could not be re-checked against the registry from the build machine).
#   To re-pin (e.g. to a newer 13.0.x patch):
#     docker buildx imagetools inspect nvidia/cuda:13.0.2-cudnn-runtime-ubuntu24.04 | grep -m1 Digest
#     # or: skopeo inspect --format '{{.Digest}}' docker://docker.io/nvidia/cuda:13.0.2-cudnn-runtime-ubuntu24.04
#   and replace tag@digest here; any Debian/Ubuntu image works as BASE_IMAGE (python3 + python3-venv are installed
#   with apt when missing), e.g. the CPU-only smoke build in tests/container/smoke.sh uses a local Debian 12 base.
#   Older drivers (535-570, CUDA 12.x): a CUDA 12 base and the matching torch build, both as build args
#   (docs/container.md: "CUDA 12"), e.g.
#     --build-arg BASE_IMAGE=nvidia/cuda:12.6.3-cudnn-runtime-ubuntu24.04@sha256:<digest, as above>
#     --build-arg TORCH_INDEX_URL=https://download.pytorch.org/whl/cu126 --build-arg TORCH_SPEC=torch==2.13.0+cu126
ARG BASE_IMAGE=nvidia/cuda:13.0.2-cudnn-runtime-ubuntu24.04@sha256:14d94b039cb94bbd5da559f303b46bc4b0d5d6c24ab1a9d7b186e566ed3400dc

# ---------------------------------------------------------------------------------------------------------------------
# base: the OS layer shared by the build and runtime stages (Python interpreter, CA certificates, the non-root user).
# hadolint ignore=DL3006
FROM ${BASE_IMAGE} AS base
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
ENV DEBIAN_FRONTEND=noninteractive \
    LANG=C.UTF-8 \
    PYTHONUNBUFFERED=1
# Extra CA certificates (corporate TLS proxy): `--secret id=ca,src=/path/ca-bundle.pem`; used by apt here and by pip
# in the build stage, never stored in a layer. HTTP(S)_PROXY/NO_PROXY are Docker's predefined build args.
# Apt package versions are not pinned (DL3008): the base image is pinned by digest and Ubuntu/Debian security updates
# replace old package versions in the archive, so exact pins would break the build within weeks.
# Ubuntu images ship a user `ubuntu` with uid 1000; the image's user `repro` takes that uid (the common host uid, so
# bind-mounted results are owned by the invoking user on typical workstations).
# hadolint ignore=DL3008
RUN --mount=type=secret,id=ca,target=/run/secrets/ca \
    if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then \
        set --; \
        if [ -s /run/secrets/ca ]; then set -- -o "Acquire::https::CAInfo=/run/secrets/ca"; fi; \
        apt-get "$@" update \
        && apt-get "$@" install -y --no-install-recommends python3 python3-venv ca-certificates \
        && apt-get clean && rm -rf /var/lib/apt/lists/*; \
    fi \
    && python3 --version \
    && if id -u ubuntu >/dev/null 2>&1; then userdel --remove ubuntu; fi \
    && useradd --uid 1000 --user-group --create-home --shell /bin/bash repro

# ---------------------------------------------------------------------------------------------------------------------
# build: a virtual environment in /opt/venv from the hash-locked requirements.lock (see scripts/lock.sh), then torch.
FROM base AS build
# Package mirrors (corporate proxies, air-gapped mirrors): pip reads these from the environment. Leave unset to use
# PyPI. PIP_FIND_LINKS may name a local wheel directory bind-mounted into the build (podman build -v, see smoke.sh).
ARG PIP_INDEX_URL
ARG PIP_EXTRA_INDEX_URL
ARG PIP_FIND_LINKS
ARG PIP_TRUSTED_HOST
# torch is the one dependency outside the hash lock: its build (CUDA vs CPU) differs between this image and a laptop.
# Default: PyPI's torch==2.13.0, which is the CUDA 13.0 build on Linux x86_64 (it pulls the nvidia-* runtime wheels).
# Other builds: --build-arg TORCH_INDEX_URL=https://download.pytorch.org/whl/cu130 (or .../whl/cpu for a CPU-only
# image), or --build-arg TORCH_SPEC=torch==2.13.0+cpu with a local wheel in PIP_FIND_LINKS.
ARG TORCH_SPEC=torch==2.13.0
ARG TORCH_INDEX_URL=
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_INPUT=1 \
    PIP_DEFAULT_TIMEOUT=180 \
    DS_BUILD_OPS=0
RUN python3 -m venv /opt/venv
WORKDIR /app
COPY requirements.lock /app/requirements.lock
# 1. the lock, hash-checked, --no-deps (the lock is complete; `pip check` below proves it). DS_BUILD_OPS=0: deepspeed's
#    sdist builds a pure-Python wheel, its CUDA/C++ ops are JIT-compiled at first use instead.
# 2. torch by exact version (its portable dependencies are already installed from the lock).
# 3. pip check: lock + torch are consistent.
RUN --mount=type=secret,id=ca,target=/run/secrets/ca \
    --mount=type=cache,target=/root/.cache/pip \
    { [ -n "${PIP_INDEX_URL:-}" ] || unset PIP_INDEX_URL; } \
    && { [ -n "${PIP_EXTRA_INDEX_URL:-}" ] || unset PIP_EXTRA_INDEX_URL; } \
    && { [ -n "${PIP_FIND_LINKS:-}" ] || unset PIP_FIND_LINKS; } \
    && { [ -n "${PIP_TRUSTED_HOST:-}" ] || unset PIP_TRUSTED_HOST; } \
    && if [ -s /run/secrets/ca ]; then \
        cat /etc/ssl/certs/ca-certificates.crt /run/secrets/ca > /tmp/ca-bundle.pem; \
        export PIP_CERT=/tmp/ca-bundle.pem SSL_CERT_FILE=/tmp/ca-bundle.pem; \
    fi \
    && /opt/venv/bin/pip install --require-hashes --no-deps --use-pep517 -r /app/requirements.lock \
    && if [ -n "${TORCH_INDEX_URL}" ]; then \
        /opt/venv/bin/pip install "${TORCH_SPEC}" --index-url "${TORCH_INDEX_URL}"; \
    else \
        /opt/venv/bin/pip install "${TORCH_SPEC}"; \
    fi \
    && /opt/venv/bin/pip check \
    && rm -f /tmp/ca-bundle.pem

# ---------------------------------------------------------------------------------------------------------------------
# execution: `repro execute` with every toolchain and no torch (generated code is compiled and run here, off the GPU
# machine). `docker build --target execution -t repro:execution .`; run it as root with the sandbox's needs:
#   podman run --rm --security-opt unmask=ALL --cap-add SYS_ADMIN,NET_ADMIN -v $PWD:/work -w /work repro:execution \
#       execute --problems ... --samples ... --out ...   (docs/execution.md: what each flag buys)
# Placed before `runtime` so that a plain `docker build .` still builds the runtime image (the last stage).
FROM base AS execution
ARG PIP_INDEX_URL
ARG PIP_FIND_LINKS
ENV PATH=/opt/venv/bin:${PATH} \
    VIRTUAL_ENV=/opt/venv \
    REPRO_EXEC_CACHE=/opt/repro-exec-cache \
    REPRO_NODE_PATH=/opt/repro-node/node_modules \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
COPY requirements.lock pyproject.toml README.md LICENSE /app/
COPY scripts/toolchains.sh scripts/lock_subset.py /app/scripts/
COPY repro /app/repro
# 1. the toolchains (Debian + npm) and their caches (Rust rlibs, a warm GOCACHE) in /opt/repro-exec-cache;
# 2. only the part of the hash lock that `repro execute` imports (the CLI: typer, rich, pydantic, yaml, numpy), hash-checked;
# 3. the project, editable; `repro execute --help` and a probe of the toolchains prove it.
# hadolint ignore=DL3008
RUN --mount=type=secret,id=ca,target=/run/secrets/ca \
    { [ -n "${PIP_INDEX_URL:-}" ] || unset PIP_INDEX_URL; } \
    && { [ -n "${PIP_FIND_LINKS:-}" ] || unset PIP_FIND_LINKS; } \
    && if [ -s /run/secrets/ca ]; then \
        cat /etc/ssl/certs/ca-certificates.crt /run/secrets/ca > /tmp/ca-bundle.pem; \
        export PIP_CERT=/tmp/ca-bundle.pem SSL_CERT_FILE=/tmp/ca-bundle.pem NODE_EXTRA_CA_CERTS=/run/secrets/ca; \
    fi \
    && python3 -m venv /opt/venv \
    && python3 scripts/lock_subset.py requirements.lock typer click rich markdown-it-py mdurl pygments shellingham \
        typing-extensions annotated-doc pydantic pydantic-core annotated-types typing-inspection pyyaml numpy setuptools \
        > /tmp/execution.lock \
    && pip install --no-cache-dir --require-hashes --no-deps -r /tmp/execution.lock \
    && pip install --no-cache-dir --no-deps --no-build-isolation -e /app \
    && scripts/toolchains.sh \
    && chmod -R a+rX /opt/repro-exec-cache /opt/repro-node \
    && apt-get clean && rm -rf /var/lib/apt/lists/* /tmp/execution.lock /tmp/ca-bundle.pem /root/.npm \
    && repro execute --help > /dev/null \
    && ! python -c "import torch" 2>/dev/null
ENTRYPOINT ["repro"]
CMD ["execute", "--help"]

# ---------------------------------------------------------------------------------------------------------------------
# runtime: base + the venv + the project; no compilers, no pip cache, no apt lists.
FROM base AS runtime
# HF_HUB_OFFLINE=1 by default: the container runs from the mounted Hugging Face cache / data/ without network access.
# Override at run time with `-e HF_HUB_OFFLINE=0` to download models and datasets into the cache volume.
ARG HF_HUB_OFFLINE=1
ENV PATH=/opt/venv/bin:${PATH} \
    VIRTUAL_ENV=/opt/venv \
    HF_HUB_OFFLINE=${HF_HUB_OFFLINE} \
    HF_HOME=/cache/huggingface \
    XDG_CACHE_HOME=/cache \
    TORCH_EXTENSIONS_DIR=/cache/torch_extensions \
    TRITON_CACHE_DIR=/cache/triton \
    MPLCONFIGDIR=/cache/matplotlib \
    DVC_NO_ANALYTICS=1 \
    PYTHONDONTWRITEBYTECODE=1
COPY --from=build /opt/venv /opt/venv
COPY . /app
# The project, editable at /app (same layout as a checkout, so data/, prepared/, models/, checkpoints/ and results/
# land under /app). Offline: setuptools comes from the lock (--no-build-isolation), nothing unhashed is downloaded.
# Done here rather than in the build stage so that a code change leaves the (large) venv layer cached.
# /app and the cache are writable by any uid (world-writable + sticky, like /tmp), so that
# `docker run --user "$(id -u):$(id -g)"` works as well as the default user.
RUN pip install --disable-pip-version-check --no-cache-dir --no-deps --no-build-isolation -e /app \
    && pip check --disable-pip-version-check \
    && rm -rf /app/build /app/*.egg-info \
    && mkdir -p /app/data /app/prepared /app/models /app/checkpoints /app/results /cache/huggingface \
    && chmod 1777 /app /app/data /app/prepared /app/models /app/checkpoints /app/results /cache /cache/huggingface \
    && repro --help > /dev/null
# OCI labels last: their build args change with every commit, and nothing after them is expensive.
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG SOURCE=https://github.com/repro/repro
ARG CREATED=
LABEL org.opencontainers.image.title="repro" \
      org.opencontainers.image.description="Reproduction of Phang et al. 2020 (X-STILTs): XLM-R Large + English intermediate tasks, zero-shot on XTREME" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="Apache-2.0"
WORKDIR /app
# The non-root user `repro` (uid/gid 1000, created in the base stage), numeric so that runtimes can verify it.
USER 1000:1000
# Everything a run writes and must keep (`repro doctor` warns in a container when one is not on a mount)
VOLUME ["/app/data", "/app/prepared", "/app/models", "/app/checkpoints", "/app/results", "/cache"]
ENTRYPOINT ["repro"]
CMD ["--help"]
