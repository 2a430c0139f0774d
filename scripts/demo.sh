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

# With a display (X11 or Wayland) the kiosk opens its screen in a window; without one it
# draws the screen offscreen, and `kioskctl session screenshot FILE` saves what it shows.
features=()
mode=--offscreen
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
    features=(--features kiosk/winit)
    mode=""
fi

step "Building the kiosk and the hall (the first build takes several minutes)"
cargo build --locked --bins "${features[@]}"

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
# One workbench account per role; each first password is kept (mode 0600) to print below.
staff_accounts=(
    "demo-desk front-desk 综合受理"
    "demo-gongan reviewer 部门审批（县公安局）"
    "demo-callback callback 回访"
    "demo-supervisor supervisor 督查"
)
for entry in "${staff_accounts[@]}"; do
    read -r name role _ <<< "$entry"
    if [ ! -s "$demo/$name.password" ]; then
        extra=()
        [ "$role" = reviewer ] && extra=(--department gongan)
        (umask 077 && ./target/debug/hall staff add "$name" --role "$role" "${extra[@]}" \
            --db "$demo/hall.sqlite" > "$demo/$name.password" 2>> "$demo/staff-add.log")
    fi
done
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
  Staff workbench:     http://$hall_addr/staff/   (the first sign-in asks each for a new password)
$(for entry in "${staff_accounts[@]}"; do
    read -r name _ label <<< "$entry"
    printf '                       %-16s password: %-18s %s\n' "$name" "$(cat "$demo/$name.password")" "$label"
done)
  Kiosk metrics:       http://127.0.0.1:9464/metrics   health: http://127.0.0.1:9464/healthz
  Kiosk status:        ./target/debug/kioskctl status --config $demo/kiosk.toml
  Receipts land in:    $demo/receipts/   (PNG, one per printed receipt)
  Hall log:            $demo/hall.log
  Maintenance PIN:     258046 (tap the hall name five times)

  Be the citizen from another terminal (K="./target/debug/kioskctl --config $demo/kiosk.toml"):
    \$K sim card place                 place the sample ID card (张三); "sim card samples" lists others
    \$K session press item QR-000172-001   pick an item; "session press help" lists every touch
    \$K session show                   what the screen shows (personal data masked)
    \$K session screenshot /tmp/s.png  save the screen as PNG
    \$K sim scan TEXT | sim printer paper-out | sim unplug idcard | sim replug idcard
INFO
if [ -z "$mode" ]; then
    echo "  The kiosk's screen opens in a window."
else
    cat <<INFO
  No display here: the screen is drawn offscreen (see it with "session screenshot" above).
  To see it in a window, run this script inside a desktop session, or under Xvfb:
    sudo apt-get install -y xvfb x11vnc && Xvfb :99 & DISPLAY=:99 bash scripts/demo.sh
  and look at display :99 with a VNC viewer (x11vnc -display :99).
INFO
fi
echo

step "Starting the kiosk service (Ctrl-C stops everything)"
# shellcheck disable=SC2086  # $mode is one flag or none
./target/debug/kiosk --config "$demo/kiosk.toml" $mode
