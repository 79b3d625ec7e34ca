"""With REDIS_URL set, the API's write counts live in Redis: every web process shares them."""

import os
import uuid

import pytest
from django.core.cache import caches
from rest_framework.test import APIRequestFactory

from core.api_defaults import WriteRateThrottle

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


def test_two_processes_count_writes_against_one_limit(redis_cache, dpo):
    class TwoPerMinute(WriteRateThrottle):
        THROTTLE_RATES = {"writes": "2/minute"}

    request = APIRequestFactory().post("/api/v1/activities/")
    request.user = dpo
    # Two web processes are two throttle instances reading one cache.
    first_process, second_process = TwoPerMinute(), TwoPerMinute()
    assert first_process.allow_request(request, view=None)
    assert second_process.allow_request(request, view=None)
    assert not first_process.allow_request(request, view=None)
    key = first_process.get_cache_key(request, view=None)
    assert len(redis_cache.get(key)) == 2  # the history of writes, in Redis
    reads = APIRequestFactory().get("/api/v1/activities/")
    reads.user = dpo
    assert second_process.allow_request(reads, view=None)  # reads are never counted
