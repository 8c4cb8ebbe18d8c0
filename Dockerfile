# Floorboard application image: the web app, the aggregator and the collectors share it.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY dashboard ./dashboard
COPY collectors ./collectors
COPY qa ./qa
COPY layouts ./layouts
COPY assets ./assets
RUN pip install --no-cache-dir '.[postgres]' && useradd --system --home /app floorboard
USER floorboard
ENV FLOORBOARD_DATA_DIR=/data
EXPOSE 8050
CMD ["floorboard", "serve", "--host", "0.0.0.0"]
