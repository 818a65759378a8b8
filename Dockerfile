FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=ecommerce.settings.production
RUN apt-get update && apt-get install -y --no-install-recommends libmariadb-dev gcc pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt requirements-mysql.txt ./
RUN pip install --no-cache-dir -r requirements.txt -r requirements-mysql.txt
COPY . .
RUN SECRET_KEY=build-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput
RUN useradd --system app && chown -R app /app
USER app
EXPOSE 8000
# No gunicorn access log: the JSON request line is the one line per request (same as make run)
CMD ["sh", "-c", "python manage.py migrate --noinput && gunicorn ecommerce.wsgi -c gunicorn.conf.py --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-3}"]
