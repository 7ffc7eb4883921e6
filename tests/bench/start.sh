#!/bin/sh
# The seed's shell entrypoint (shared/seeds 002), for side-by-side figures:
# sed on a copied template, then redis-server as a child of sh (no exec).
cd "$DATA"
cp "$TEMPLATE" redis.conf
sed -i "s/\$redis_port/$redis_port/g" redis.conf
redis-server "$DATA/redis.conf"
