#!/bin/sh
# Sizes V8's old generation from the container's memory limit, then runs the command given.
# Node's own sizing from a cgroup limit differs between versions (some give the heap nearly the
# whole limit), and a heap that may grow to the limit is killed by the kernel before V8 collects.
# HEAP_PERCENT_OF_LIMIT (default 60) of the limit goes to the old generation; the rest is the young
# generation, code, buffers and sockets. A --max-old-space-size already in NODE_OPTIONS wins, and
# without a limit (or outside a container) nothing is set. CGROUP_DIR exists for the tests.
set -eu
dir="${CGROUP_DIR:-/sys/fs/cgroup}"
case "${NODE_OPTIONS:-}" in *max-old-space-size*|*max_old_space_size*) exec "$@" ;; esac
limit=""
if [ -r "$dir/memory.max" ]; then
  limit=$(cat "$dir/memory.max")                    # cgroup v2
elif [ -r "$dir/memory/memory.limit_in_bytes" ]; then
  limit=$(cat "$dir/memory/memory.limit_in_bytes")  # cgroup v1
fi
case "$limit" in '' | max | *[!0-9]*) exec "$@" ;; esac
mb=$((limit / 1048576))
# cgroup v1 says "no limit" with a number near 2^63.
if [ "$mb" -ge 64 ] && [ "$mb" -lt 1048576 ]; then
  heap=$((mb * ${HEAP_PERCENT_OF_LIMIT:-60} / 100))
  # The young generation too: Node 24's V8 sizes it from the old generation's limit (307 MB old
  # gave a 499 MB heap limit in all), Node 20's at 16 MB semi-spaces (48 MB). 16 MB on both.
  case "${NODE_OPTIONS:-}" in *max-semi-space-size*|*max_semi_space_size*) semi="" ;; *) semi=" --max-semi-space-size=16" ;; esac
  export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--max-old-space-size=$heap$semi"
fi
exec "$@"
