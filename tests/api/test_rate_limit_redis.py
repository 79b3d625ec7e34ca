"""With REDIS_URL set, rate-limit counts live in Redis: every web process shares them."""

import os
import uuid

import pytest
from django.core.cache import caches

from core import ratelimit

from ..conftest import service_missing

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_cache(settings):
    url = os.environ.get("REDIS_URL")
    if not url:
        service_missing("needs Redis: set REDIS_URL (e.g. redis://127.0.0.1:6379/0)")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",  # never another run's counts
        }
    }
    return caches["default"]


def test_two_processes_count_against_one_limit(redis_cache, monkeypatch):
    assert ratelimit.hit("api_writes", "user:1", "2/minute").allowed
    # A second web process has its own memory: only the count in Redis makes it see the first one's hits.
    monkeypatch.setattr(ratelimit, "_local", ratelimit._LocalCounts())
    assert ratelimit.hit("api_writes", "user:1", "2/minute").allowed
    refused = ratelimit.hit("api_writes", "user:1", "2/minute")
    assert not refused.allowed and 0 < refused.retry_after <= 60
    assert ratelimit.hit("api_writes", "user:2", "2/minute").allowed  # counted per requester
    assert sum(1 for _key in redis_cache._cache.get_client().scan_iter(f"{redis_cache.key_prefix}*")) == 2


def test_without_its_cache_a_limit_still_holds_in_the_process(settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    who = f"user:{uuid.uuid4()}"
    verdicts = [ratelimit.hit("posts", who, "2/minute").allowed for _ in range(3)]
    assert verdicts == [True, True, False]
    assert "counted in this process only" in caplog.text
