"""Rate limits: how many times someone may do something per minute or per hour.

One mechanism for every limit (form posts, API reads and writes, password-reset emails): a counter per
fixed window in the cache (Redis in production, so that every process counts together). When the cache
does not answer, the count goes on in the process's own memory and the outage is logged: a limit then
still holds per process, and no request fails because Redis is away (the faults issue, #20).
"""

import hashlib
import logging
import math
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches

logger = logging.getLogger(__name__)

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds

    @classmethod
    def parse(cls, text: str) -> "Rate":
        """ "60/minute", "5/hour", "3/day" (or their first letter: "60/m")."""
        number, _, unit = text.partition("/")
        unit = unit.strip().lower()
        period = next((seconds for name, seconds in PERIODS.items() if name.startswith(unit)), None) if unit else None
        if not number.strip().isdigit() or period is None:
            raise ValueError(f"A rate is written like 60/minute, not {text!r}.")
        return cls(int(number), period)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until the window ends, when refused


class _LocalCounts:
    """The fallback: counts in this process, dropped once their window has passed."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts: dict[str, tuple[int, float]] = {}  # key -> (count, expiry)

    def incr(self, key: str, expires_at: float) -> int:
        with self.lock:
            now = time.time()
            if len(self.counts) > 10_000:
                self.counts = {k: v for k, v in self.counts.items() if v[1] > now}
            count, _expiry = self.counts.get(key, (0, expires_at))
            self.counts[key] = (count + 1, expires_at)
            return count + 1


_local = _LocalCounts()


def hit(scope: str, who: str, rate: str | None = None) -> Verdict:
    """Count one more event of ``scope`` by ``who`` (a user's id, an address, an email), against
    ``settings.RATE_LIMITS[scope]`` unless ``rate`` is given; say whether it is within the limit."""
    parsed = Rate.parse(rate or settings.RATE_LIMITS[scope])
    now = time.time()
    window = int(now // parsed.period)
    window_end = (window + 1) * parsed.period
    key = f"rate:{scope}:{hashlib.sha256(who.encode()).hexdigest()[:32]}:{window}"  # no email or address in the cache
    try:
        cache = caches[settings.RATE_LIMIT_CACHE]
        cache.add(key, 0, timeout=parsed.period + 5)
        count = cache.incr(key)
    except Exception:  # the cache does not answer (or lost the key): count here, say so
        logger.warning("Rate limit %s counted in this process only: its cache does not answer", scope, exc_info=True)
        count = _local.incr(key, window_end)
    allowed = count <= parsed.limit
    return Verdict(allowed, 0 if allowed else max(1, math.ceil(window_end - now)))


def client_address(request) -> str | None:
    """The client's address, which limits and sign-in throttling count against.

    Behind our TLS proxy every request comes from the proxy; the client is the entry the proxy
    appended, the last one of X-Forwarded-For (earlier entries are the client's own claims and
    cannot be trusted). Without a proxy, the socket's address.
    """
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded.strip():
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")


def requester(request) -> str:
    """Who a limit counts: the signed-in user, else the client's address."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"address:{client_address(request)}"
