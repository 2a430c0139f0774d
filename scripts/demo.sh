#!/usr/bin/env bash
# The demo: the hall backend on this machine with its seed catalog and operator dashboard,
# and the kiosk service with every device simulated. Installs what it needs, builds,
# prepares target/demo/, starts everything, and stops it all on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

step "Checking the Rust toolchain"
ensure_rust

step "Installing the Debian packages the demo needs (skipped when present)"
ensure_packages "${BUILD_PACKAGES[@]}"

step "Building the kiosk and the hall (the first build takes several minutes)"
cargo build --locked --bins

demo=target/demo
hall_addr=127.0.0.1:8700
step "Preparing $demo"
mkdir -p "$demo/receipts"
cp config/examples/demo.toml "$demo/kiosk.toml"
if [ ! -s "$demo/outbox.key" ]; then
    (umask 077 && head -c 32 /dev/urandom > "$demo/outbox.key")
fi
if [ ! -s "$demo/kiosk.credential" ]; then
    (umask 077 && ./target/debug/hall kiosk add demo-01 --db "$demo/hall.sqlite" > "$demo/kiosk.credential")
fi
if [ ! -s "$demo/operator.credential" ]; then
    (umask 077 && ./target/debug/hall operator add demo-operator --db "$demo/hall.sqlite" > "$demo/operator.credential")
fi
./target/debug/kioskctl config check "$demo/kiosk.toml"

step "Starting the hall backend on $hall_addr"
./target/debug/hall serve --listen "$hall_addr" --db "$demo/hall.sqlite" 2> "$demo/hall.log" &
hall_pid=$!
trap 'kill "$hall_pid" 2>/dev/null || true' EXIT
sleep 1

operator=$(cat "$demo/operator.credential")
cat <<INFO

  Operator dashboard:  http://$hall_addr/dashboard
                       (user: ${operator%%.*}   password: ${operator#*.})
  Kiosk metrics:       http://127.0.0.1:9464/metrics   health: http://127.0.0.1:9464/healthz
  Kiosk status:        ./target/debug/kioskctl status --config $demo/kiosk.toml
  Receipts land in:    $demo/receipts/
  Hall log:            $demo/hall.log
  Maintenance PIN:     258046
  The kiosk runs headless for now: its screens arrive with the UI (issue 8).

INFO

step "Starting the kiosk service (Ctrl-C stops everything)"
./target/debug/kiosk --config "$demo/kiosk.toml" --headless
