# The `safeguard` command for CI jobs: the wheel of this repository with its pinned dependencies,
# run as an unprivileged user. Scanning a Pulumi program needs no Pulumi CLI, no cloud and no
# credentials (the program runs under mocks).
#
#   docker build -t hipaa-safeguard .
#   docker run --rm -v "$PWD:/work" hipaa-safeguard scan infra --out reports
#
# PDF reports need headless Chromium (about 300 MB more): build with --build-arg WITH_PDF=true.
# Every other format (JSON, Markdown, HTML, SARIF, JUnit, OCSF, CSV) works without it.
#
# The base is pinned by exact tag, the interpreter the test suite runs on; bump it here and in
# CI together.

FROM python:3.11.7-slim-bookworm AS wheel
WORKDIR /src
COPY pyproject.toml README.md ./
COPY checks checks
COPY policies policies
COPY reports reports
COPY scripts scripts
COPY safeguard safeguard
RUN python -m pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11.7-slim-bookworm
ARG WITH_PDF=false
RUN if [ "$WITH_PDF" = "true" ]; then \
        apt-get update \
        && apt-get install --yes --no-install-recommends chromium fonts-liberation poppler-utils \
        && rm -rf /var/lib/apt/lists/*; \
    fi
COPY requirements.lock /tmp/requirements.lock
COPY --from=wheel /wheels /tmp/wheels
RUN python -m pip install --no-cache-dir --disable-pip-version-check \
        --constraint /tmp/requirements.lock /tmp/wheels/hipaa_safeguard-*.whl \
    && rm -r /tmp/requirements.lock /tmp/wheels
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin safeguard
USER safeguard
WORKDIR /work
ENTRYPOINT ["safeguard"]
CMD ["--help"]
