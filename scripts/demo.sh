#!/usr/bin/env bash
# The demo: the kiosk with every device simulated and the hall backend on this machine.
# Installs what it needs, builds, prepares target/demo/, and starts everything.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

step "Checking the Rust toolchain"
ensure_rust

step "Installing the Debian packages the demo needs (skipped when present)"
ensure_packages "${BUILD_PACKAGES[@]}"

step "Building the kiosk (first build takes several minutes)"
cargo build --locked --bins

demo=target/demo
step "Preparing $demo"
mkdir -p "$demo/receipts"
cp config/examples/demo.toml "$demo/kiosk.toml"
if [ ! -s "$demo/outbox.key" ]; then
    (umask 077 && head -c 32 /dev/urandom > "$demo/outbox.key")
fi
if [ ! -s "$demo/kiosk.credential" ]; then
    (umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$demo/kiosk.credential")
fi
./target/debug/kioskctl config check "$demo/kiosk.toml"

step "Starting the kiosk (Ctrl-C stops it)"
echo "Configuration: $demo/kiosk.toml   maintenance PIN: 258046"
echo "Receipts land in: $demo/receipts/"
exec ./target/debug/kiosk --config "$demo/kiosk.toml" --headless
