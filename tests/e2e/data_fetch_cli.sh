#!/usr/bin/env bash
# `treeline data fetch` through the CLI against an HTTP server on loopback.
source "$(dirname "$0")/lib.bash"
mkdir -p "$WORK/www"
cp "$SAMPLE" "$WORK/www/covtype.data.gz"
sum=$(sha256sum "$SAMPLE" | cut -d' ' -f1)
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
/usr/bin/python3 -m http.server "$port" --bind 127.0.0.1 --directory "$WORK/www" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do
  /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && break
  sleep 0.1
done
url="http://127.0.0.1:$port/covtype.data.gz"

if "$TREELINE" data fetch --url "$url" --sha256 "$sum" --out "$WORK/got/covtype.data.gz" >/dev/null &&
   cmp -s "$SAMPLE" "$WORK/got/covtype.data.gz"; then
  ok "fetch with checksum"; else fail "fetch with checksum"; fi

expect_error "checksum mismatch" "sha256" "$url" -- \
  "$TREELINE" data fetch --url "$url" --sha256 "$(printf '0%.0s' $(seq 64))" --out "$WORK/bad/covtype.data.gz"
if [ -z "$(ls -A "$WORK/bad" 2>/dev/null)" ]; then ok "no partial file"; else fail "left $(ls -A "$WORK/bad")"; fi
expect_error "HTTP 404" "404" -- "$TREELINE" data fetch --url "http://127.0.0.1:$port/missing" --out "$WORK/x.gz"
expect_error "bad --sha256" "--sha256" -- "$TREELINE" data fetch --url "$url" --sha256 xyz --out "$WORK/y.gz"

# The fetched file is real data: it loads into a warehouse.
if "$TREELINE" data load "$WORK/got/covtype.data.gz" --into "sqlite:$WORK/w.db" | grep -q "loaded 20000 rows"; then
  ok "fetched data loads"; else fail "fetched data loads"; fi
finish
