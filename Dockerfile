# One image for web (gunicorn), Celery worker and beat; docker-compose.yml picks the command.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first so that code changes do not re-install them.
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .

# Static files are collected at build time and served by whitenoise. The variables below exist only
# so that production settings import during the build; real values come from the environment at run time.
RUN DEBUG=false SECRET_KEY=collectstatic-only ALLOWED_HOSTS=build \
    FERNET_KEYS=Y29sbGVjdHN0YXRpYy1vbmx5LW5vdC1hLXJlYWwta3k= \
    DATABASE_URL=postgresql://build@localhost/build CELERY_BROKER_DIR=/tmp/broker \
    python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --home /app freight \
    && mkdir -p /app/.data/media && chown -R freight /app/.data

USER freight
EXPOSE 8000
CMD ["gunicorn", "freighttracker.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", "--logger-class", "freighttracker.gunicorn_logging.RedactingLogger"]
