# Kabar: build the virtualenv in one stage, run it as a non-root user in a slim second stage.

FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
RUN python -m venv /opt/kabar
COPY pyproject.toml constraints.txt README.md ./
COPY kabar ./kabar
COPY bot ./bot
COPY jobs ./jobs
RUN /opt/kabar/bin/pip install -c constraints.txt . \
 && /opt/kabar/bin/python -c "import kabar.cli, bot.app, jobs.schedule"

FROM python:3.11-slim-bookworm
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin kabar \
 && mkdir /data && chown kabar:kabar /data
COPY --from=build /opt/kabar /opt/kabar
ENV PATH=/opt/kabar/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite+aiosqlite:////data/kabar.db
USER kabar
WORKDIR /data
VOLUME ["/data"]
HEALTHCHECK --interval=60s --timeout=15s --start-period=120s --retries=3 CMD ["kabar", "health"]
ENTRYPOINT ["kabar"]
CMD ["run"]
