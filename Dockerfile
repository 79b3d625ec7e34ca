# Registre image: the same code as `make run`, served by gunicorn + whitenoise.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Pango and a local font for WeasyPrint's PDFs (nothing is fetched from elsewhere).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Build-time only values: the real secret comes from the environment at run time.
RUN ENV_FILE=/dev/null DEBUG=false SECRET_KEY=build-only python manage.py compile_translations -v0 \
    && ENV_FILE=/dev/null DEBUG=false SECRET_KEY=build-only python manage.py collectstatic --noinput -v0

RUN useradd --create-home --uid 1000 registre && mkdir -p /app/media && chown registre /app/media
USER registre

EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000"]
