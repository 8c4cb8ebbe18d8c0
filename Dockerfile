# Floorboard application image: the web app, the aggregator and the collectors share it.

# Build stage: a wheel with the hot path compiled by mypyc (setup.py), which needs a C compiler.
FROM python:3.11-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml setup.py README.md LICENSE ./
COPY dashboard ./dashboard
COPY collectors ./collectors
COPY qa ./qa
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

# Runtime stage: no compiler, the wheel and its dependencies only.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY --from=build /wheels /wheels
COPY layouts ./layouts
COPY assets ./assets
RUN pip install --no-cache-dir /wheels/*.whl 'psycopg[binary]>=3.1' \
    && rm -rf /wheels && useradd --system --home /app floorboard
USER floorboard
# Production by default: the app refuses to start without a real FLOORBOARD_SECRET_KEY (a
# public default secret would let anyone forge an admin session) and refuses `serve --dev`.
ENV FLOORBOARD_ENV=production FLOORBOARD_DATA_DIR=/data
EXPOSE 8050
CMD ["floorboard", "serve", "--host", "0.0.0.0"]
