# One image for api, worker, beat and the one-shot migrate/seed job (see docker-compose.yml).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends nodejs npm curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md constraints.txt ./
COPY geodata ./geodata
COPY api ./api
COPY worker ./worker
COPY web ./web
RUN pip install -q -c constraints.txt . \
    && if [ -f web/package.json ]; then npm ci --prefix web --ignore-scripts --no-audit --no-fund || npm install --prefix web --ignore-scripts --no-audit --no-fund; fi
RUN useradd --system --home /app yaku && mkdir -p /app/var && chown -R yaku /app/var
USER yaku
EXPOSE 8000
CMD ["python", "-m", "uvicorn", "api.main:app", "--host", "0.0.0.0", "--port", "8000"]
