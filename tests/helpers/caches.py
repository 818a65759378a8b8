"""Cache settings for tests of what happens when the cache is unreachable."""

# A Redis cache on a port nothing listens on, with short timeouts: every call fails fast.
REDIS_DOWN = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
    }
}
