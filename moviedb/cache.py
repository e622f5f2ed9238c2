"""Django's Redis cache backend, with one Redis client per connection pool.

Django's RedisCacheClient builds a new `redis.Redis` for every cache operation, and redis-py
fills a table of response callbacks each time one is built: on a page served from the cache
(two reads: the data version and the page) that took more CPU than the rest of the hit.
A `redis.Redis` holds nothing but its pool and is safe to share between threads, so each
pool gets one client, built once.
"""

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        # The pools live as long as this object, so their ids stay unique.
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
