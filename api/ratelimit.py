"""Intake rate limits on Redis (the ``limits`` package, moving windows), for both intake routes.

Two budgets, each answered with its own truthful 429 and ``Retry-After``:

* per reporter: the install id the web form generates once and keeps on the phone (sent as
  ``device_id``, also by the offline outbox), else the contact given; the same key and the same
  number as the worker's per-reporter check (``reporter_rate_limit_per_hour``), so the worker's
  check is only a backstop and a phone's queued reports wait (429) instead of being rejected;
* per network address (an IPv6 /64 counts as one address): a generous budget, because a whole
  village behind one mobile-network address or a telecentre's Wi-Fi shares it, yet a flood
  from one address stops within seconds. Photos have a budget of their own.

Keys are salted hashes (``reporter_fingerprint``), never raw ids or addresses. If Redis cannot
be reached the limiter lets reports through (intake must not depend on Redis) and skips Redis
for a moment, like the outbox does.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import math
import time
from dataclasses import dataclass
from functools import lru_cache

from limits import RateLimitItem, parse_many
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.exceptions import NoScriptError

from geodata.errors import RateLimited
from geodata.reports.codes import reporter_fingerprint
from geodata.settings import Settings, get_settings

log = logging.getLogger(__name__)
PAUSE_AFTER_FAILURE_S = 2.0


class ReporterRateLimited(RateLimited):
    code = "rate_limited_reporter"
    message = (
        "This phone or contact has sent many reports in a short time. The report was not "
        "stored; it can be sent again in {minutes} min."
    )


class AddressRateLimited(RateLimited):
    code = "rate_limited_network"
    message = (
        "Many reports have come from your network address in a short time (a whole community "
        "or a telecentre may share it). The report was not stored; try again in {minutes} min."
    )


@dataclass(frozen=True, slots=True)
class Budget:
    name: str
    items: tuple[RateLimitItem, ...]
    error: type[RateLimited]


def network_key(address: str | None) -> str | None:
    """IPv4 as is; IPv6 by its /64 (what one subscriber is given)."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class IntakeLimiter:
    def __init__(self, settings: Settings | None = None) -> None:
        settings = settings or get_settings()
        self.redis_url = str(settings.redis_url)
        self.reporter = Budget(
            "reporter",
            tuple(parse_many(f"{settings.reporter_rate_limit_per_hour}/hour")),
            ReporterRateLimited,
        )
        self.address = Budget(
            "address", tuple(parse_many(settings.intake_address_limits)), AddressRateLimited
        )
        self.photos = Budget(
            "photo", tuple(parse_many(settings.intake_photo_address_limits)), AddressRateLimited
        )
        self._limiters: dict[int, MovingWindowRateLimiter] = {}
        self._paused_until = 0.0

    def _limiter(self) -> MovingWindowRateLimiter:
        """One Redis client per event loop (an asyncio client cannot cross loops)."""
        loop = id(asyncio.get_running_loop())
        limiter = self._limiters.get(loop)
        if limiter is None:
            storage = RedisStorage(
                "async+" + self.redis_url,
                implementation="redispy",
                key_prefix="yaku-intake",
                socket_connect_timeout=0.2,  # fail fast: the limiter then steps aside
                socket_timeout=0.25,
            )
            limiter = self._limiters[loop] = MovingWindowRateLimiter(storage)
        return limiter

    async def check(
        self, reporter: str | None, address: str | None, with_photo: bool = False
    ) -> None:
        """Count one report; raises the 429 of the first budget it exceeds."""
        if time.monotonic() < self._paused_until:
            return
        network = network_key(address)
        checks = [(self.reporter, reporter_fingerprint(reporter))]
        checks.append((self.address, reporter_fingerprint(f"net:{network}") if network else None))
        if with_photo:
            checks.append((self.photos, checks[-1][1]))
        wanted = [(budget, item, key) for budget, key in checks if key for item in budget.items]
        if not wanted:
            return
        limiter = self._limiter()
        try:
            allowed = await _hit_all(
                limiter, [(item, budget.name, key) for budget, item, key in wanted]
            )
            for ok, (budget, item, key) in zip(allowed, wanted, strict=True):
                if not ok:
                    stats = await limiter.get_window_stats(item, budget.name, key)
                    wait = max(1, math.ceil(stats.reset_time - time.time()))
                    raise budget.error(retry_after=wait, minutes=max(1, math.ceil(wait / 60)))
        except RateLimited:
            raise
        except Exception as exc:  # Redis down or slow: never block intake on it
            self._paused_until = time.monotonic() + PAUSE_AFTER_FAILURE_S
            log.warning("intake rate limit skipped, Redis unavailable (%s)", exc)


async def _hit_all(
    limiter: MovingWindowRateLimiter, hits: list[tuple[RateLimitItem, str, str]]
) -> list[bool]:
    """``limiter.hit`` for each (item, budget, key), in one Redis round trip.

    A report consults two or three windows; one ``hit`` each would cost a round trip and
    ~0.1 ms of client CPU apiece, more than the rest of the intake. The very Lua script and
    keys of ``limits`` (its Redis bridge) are queued in one pipeline instead; if that bridge is
    not the one expected (another ``limits`` version), ``hit`` is called one by one.
    """
    bridge = getattr(limiter.storage, "bridge", None)
    script = getattr(bridge, "lua_acquire_moving_window", None)
    if bridge is None or script is None or not hasattr(bridge, "prefixed_key"):
        return [await limiter.hit(item, *ids) for item, *ids in hits]
    pipeline = bridge.get_connection().pipeline(transaction=False)
    now = time.time()
    for item, name, key in hits:
        redis_key = bridge.prefixed_key(item.key_for(name, key))
        # EVALSHA directly: a pipeline given script objects asks SCRIPT EXISTS every time
        pipeline.evalsha(script.sha, 1, redis_key, now, item.amount, item.get_expiry(), 1)
    try:
        results = await pipeline.execute()
    except NoScriptError:  # Redis restarted or flushed its scripts: hit() loads it again
        return [await limiter.hit(item, *ids) for item, *ids in hits]
    return [bool(result) for result in results]


@lru_cache
def intake_limiter() -> IntakeLimiter:
    return IntakeLimiter()
