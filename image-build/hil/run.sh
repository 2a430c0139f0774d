#!/usr/bin/env bash
# hil/run.sh: the hardware-in-the-loop test. Boots the kiosk image built by build.sh under
# QEMU (TCG: no KVM on the build machines) with emulated hardware, and reports each stage as
# PASS, FAIL or WAITING. Minutes of CPU; not part of the default test command.
#
#   image-build/hil/run.sh [--image DIR] [--run DIR] [--timeout SECONDS] [--keep] [--printer-gadget]
#
# --printer-gadget: the guest's kiosk prints to the USB printer gadget (1d6b:0104). Default
# until the printer emulator serves /dev/g_printer0: the kiosk's built-in printer simulator
# (`device = "sim"`), so the flow can reach its receipt; stage `receipt` then stays WAITING.
#
# What runs where:
#   host:  the hall backend (`hall serve --listen 127.0.0.1:PORT --db PATH`), reached by the
#          guest through QEMU user networking (10.0.2.2, forwarded to the guest's 127.0.0.1:8080);
#          the ID-card reader simulator (`kioskctl idcard simulate --port PTY`) on QEMU's
#          usb-serial (FTDI 0403:6001) pty chardev: the guest's kiosk reads it through ftdi_sio
#          at /dev/ttyUSB0 = /dev/kiosk-idcard;
#          QMP: screendumps (PNG) and usb-tablet touches.
#   guest: the image's own kiosk.service; hil/guest/hil-guest.sh (written into a COPY of
#          root.img with debugfs, so the shipped image is untouched) sets up dummy_hcd +
#          configfs gadgets: a USB printer (1d6b:0104) served by
#          `kioskctl printer simulate --port /dev/g_printer0`, and a HID scanner (1209:0001).
#
# Stages and what they wait for today (WAITING is reported, never faked as PASS):
#   boot          power-on to the guest's set-up unit                    works today
#   rootfs        / mounted read-only, /var writable, /etc/kiosk bound from /var  works today
#   config        `kioskctl config check` of the test config in the guest works today
#   gadgets       printer + HID scanner gadgets, udev access             works today
#   idcard-ftdi   /dev/kiosk-idcard -> ttyUSB0 via ftdi_sio              works today
#   printer-sim   emulator on /dev/g_printer0           WAITS: simulate --port needs non-tty char devices
#   hall          `hall serve` on the host loopback, kiosk + operator registered   works today
#   kiosk-ready   kiosk.service active (READY=1 after its first frame)    works today
#   first-frame   power-on -> `first frame drawn` (guest journal, monotonic)       works today
#   heartbeat     the hall's GET /api/v1/fleet lists the kiosk online    works today
#   flow          card on the FTDI reader sim, QMP touches (fallback: `kioskctl session press`
#                 over the guest's console channel), submit, application counted at the hall
#   receipt       the printed receipt from the printer gadget      WAITS: printer-sim
#   screenshots   home.png, receipt.png via QMP screendump (1080x1920, portrait as in kiosk.toml)
#
# Exit status: 0 all stages PASS; 1 any FAIL; 3 no FAIL but stages WAITING.
# Host packages: qemu-system-x86 (QEMU 10 from bookworm-backports recommended), e2fsprogs
# (debugfs), python3. Needs build.sh's outputs (vmlinuz, initrd.img, root.img, var.img) and
# kioskctl built on the host (target/debug/kioskctl).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
image="$here/../out"
run="$repo/target/hil"
limit=240
keep=0
printer=sim
while [ $# -gt 0 ]; do
    case "$1" in
        --image) image=$2; shift 2 ;;
        --run) run=$2; shift 2 ;;
        --timeout) limit=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        --printer-gadget) printer=1d6b:0104; shift ;;
        -h|--help) sed -n '2,43p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "hil/run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done

# The guest's screen: QEMU's VGA offers this mode as preferred (EDID), so bochs-drm sets it
# and the kiosk draws portrait 1080x1920 as the example kiosk.toml says.
screen_w=1080
screen_h=1920
# Touch targets (pixels on that screen), from the home screen's layout at 1080x1920 (zh-CN
# portrait: header 128 px, the card prompt, then a 2-column grid of tiles filling the rest)
# and checked against the run's own screendump shots/home.png.
declare -A targets=(
    [apply]="280 700"      # 首页, top-left tile "办 办事" (HomeAdapter.start-service)
)
kiosk_id=hil-01

declare -A result=()
order=()
stage() { # NAME PASS|FAIL|WAITING DETAIL
    result[$1]="$2"
    order+=("$1")
    printf '%-12s %-8s %s\n' "$1" "$2" "${3:-}" | tee -a "$run/summary.txt"
}

for tool in qemu-system-x86_64 debugfs python3; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "hil/run.sh: '$tool' is missing. Install: apt-get install -t bookworm-backports qemu-system-x86 qemu-utils; apt-get install e2fsprogs python3" >&2
        exit 1
    }
done
for f in vmlinuz initrd.img root.img var.img cmdline; do
    [ -s "$image/$f" ] || { echo "hil/run.sh: $image/$f is missing: run image-build/build.sh first" >&2; exit 1; }
done
kioskctl="$repo/target/debug/kioskctl"
[ -x "$kioskctl" ] || { echo "hil/run.sh: $kioskctl is missing: cargo build -p kiosk --features linuxkms --bins" >&2; exit 1; }

rm -rf "$run"
mkdir -p "$run/share/etc-kiosk" "$run/share/cmd" "$run/shots"
: > "$run/summary.txt"
echo 900 > "$run/share/cmd/limit"   # the guest's test unit waits this long for share/cmd/done
pids=()
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    [ "$keep" -eq 1 ] || rm -f "$run/root.img" "$run/var.img"
}
trap cleanup EXIT

# --- Host side: the hall backend, with the kiosk and an operator registered ---
hall_bin="$repo/target/debug/hall"
hall_url=""
operator=""
if [ ! -x "$hall_bin" ]; then
    stage hall FAIL "$hall_bin is missing: cargo build -p hall --bins"
elif ! (umask 077 && "$hall_bin" kiosk add "$kiosk_id" --db "$run/hall.sqlite" \
        > "$run/share/etc-kiosk/credential" 2> "$run/hall-add.log"); then
    stage hall FAIL "hall kiosk add $kiosk_id failed: $(cat "$run/hall-add.log")"
elif ! operator=$("$hall_bin" operator add hil-operator --db "$run/hall.sqlite" 2>> "$run/hall-add.log"); then
    stage hall FAIL "hall operator add failed: $(cat "$run/hall-add.log")"
else
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "$hall_bin" serve --listen "127.0.0.1:$port" --db "$run/hall.sqlite" > "$run/hall.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do
        python3 -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
            "http://127.0.0.1:$port/healthz" 2>/dev/null && { hall_url="http://127.0.0.1:$port"; break; }
        sleep 0.2
    done
    if [ -n "$hall_url" ]; then
        echo "$port" > "$run/share/hall-port"
        stage hall PASS "hall serve on $hall_url, kiosk $kiosk_id and an operator registered (log: $run/hall.log)"
    else
        stage hall FAIL "hall serve did not answer /healthz within 20 s (see $run/hall.log)"
    fi
fi

# --- The guest's configuration: the example, pointed at the emulated devices ---
sed -e 's|^base_url = .*|base_url = "http://127.0.0.1:8080/"|' \
    -e "s|^kiosk_id = .*|kiosk_id = \"$kiosk_id\"|" \
    -e 's|^heartbeat_secs = .*|heartbeat_secs = 5|' \
    -e 's|^ca_file = |# ca_file = |' \
    -e "/^\[devices.printer\]/,/^\[/ s|^device = .*|device = \"$printer\"|" \
    -e '/^\[devices.printer\]/,/^\[/ s|^# sim_out_dir = |sim_out_dir = |' \
    -e '/^\[devices.scanner\]/,/^\[/ s|^device = .*|device = "1209:0001"|' \
    "$repo/config/examples/kiosk.toml" > "$run/share/etc-kiosk/kiosk.toml"
# The kiosk's credential (from `hall kiosk add` above) is in share/etc-kiosk/credential: the
# guest's set-up copies it to /etc/kiosk/credential, where kiosk.toml's credential_file says.
# The configuration is checked inside the guest (its paths exist only there): stage config.

# --- A copy of the image with the test units (debugfs: no mount, no root needed) ---
cp --sparse=always "$image/root.img" "$run/root.img"
cp --sparse=always "$image/var.img" "$run/var.img"
debugfs -w -f - "$run/root.img" > "$run/debugfs.log" 2>&1 <<EOF
mkdir /usr/local/lib/kiosk-hil
write $here/guest/hil-guest.sh /usr/local/lib/kiosk-hil/hil-guest.sh
write $here/guest/kiosk-hil-setup.service /etc/systemd/system/kiosk-hil-setup.service
write $here/guest/kiosk-hil.service /etc/systemd/system/kiosk-hil.service
EOF
grep -qi "error\|not found" "$run/debugfs.log" && { cat "$run/debugfs.log" >&2; stage image FAIL "debugfs could not add the test units"; exit 1; }

# --- Boot ---
cmdline="$(cat "$image/cmdline") panic=-1 systemd.wants=kiosk-hil-setup.service systemd.wants=kiosk-hil.service"
cmdline=${cmdline//console=tty1 /}
console="$run/console.log"
t0=$(date +%s.%N)
qemu-system-x86_64 -accel tcg,thread=multi -m 1536 -smp 2 -no-reboot \
    -display none -serial "file:$console" -qmp "unix:$run/qmp.sock,server=on,wait=off" \
    -kernel "$image/vmlinuz" -initrd "$image/initrd.img" -append "$cmdline" \
    -drive "file=$run/root.img,format=raw,if=virtio" -drive "file=$run/var.img,format=raw,if=virtio" \
    -netdev user,id=net0 -device virtio-net-pci,netdev=net0 \
    -virtfs "local,path=$run/share,mount_tag=host0,security_model=none,id=host0" \
    -vga none -device "VGA,xres=$screen_w,yres=$screen_h" \
    -device qemu-xhci,id=xhci \
    -chardev pty,id=ftdi -device usb-serial,bus=xhci.0,chardev=ftdi \
    -device usb-kbd,bus=xhci.0 -device usb-tablet,bus=xhci.0 \
    > "$run/qemu.log" 2>&1 &
qemu=$!
pids+=("$qemu")
qmp() { python3 "$here/qmp.py" "$run/qmp.sock" "$@"; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[1]) - float(sys.argv[2]):.1f}')" "$(date +%s.%N)" "$t0"; }
# Waits for a console marker; prints its line. Polls every 0.1 s up to the run's time limit.
wait_marker() {
    local deadline=$(( $(date +%s) + ${2:-$limit} ))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        if grep -a -m1 "HIL $1" "$console" 2>/dev/null; then return 0; fi
        kill -0 "$qemu" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# --- The ID-card reader simulator on the FTDI pty ---
pty=""
for _ in $(seq 50); do
    pty=$(qmp chardev-pty ftdi 2>/dev/null || true)
    [ -n "$pty" ] && break
    sleep 0.2
done
if [ -n "$pty" ]; then
    mkfifo "$run/idcard.in"
    "$kioskctl" idcard simulate --port "$pty" --card resident-zhang-san < "$run/idcard.in" > "$run/idcard-sim.log" 2>&1 &
    pids+=($!)
    exec 7> "$run/idcard.in"   # the simulator's stdin: `place`, `remove`, `quit`
    echo remove >&7            # no card on the reader until the flow places one
else
    stage idcard-ftdi FAIL "QEMU reported no pty for the usb-serial chardev (see $run/qemu.log)"
fi

if line=$(wait_marker "SETUP START"); then
    stage boot PASS "power-on to set-up unit: $(elapsed) s wall ($line)"
else
    stage boot FAIL "no HIL SETUP START on the console within ${limit}s (see $console)"
fi
if line=$(wait_marker "READY-GADGETS" 60); then stage gadgets PASS "$line"
else stage gadgets FAIL "$(grep -a 'HIL FAIL gadgets' "$console" || echo 'no READY-GADGETS marker')"; fi
if line=$(wait_marker "READY-PRINTER" 30); then stage printer-sim PASS "$line"
else stage printer-sim WAITING "$(grep -a 'HIL WAITING printer-sim' "$console" || echo 'no READY-PRINTER marker')"; fi
if line=$(wait_marker "READY-IDCARD" 120); then stage idcard-ftdi PASS "$line"
elif [ -n "$pty" ]; then stage idcard-ftdi FAIL "$(grep -a 'HIL FAIL idcard' "$console" || echo 'no READY-IDCARD marker')"; fi
if line=$(wait_marker "ROOTFS-RO" 30); then stage rootfs PASS "$line"
else stage rootfs FAIL "$(grep -a 'HIL FAIL rootfs' "$console" || echo 'no ROOTFS-RO marker')"; fi
if line=$(wait_marker "CONFIG-OK" 30); then stage config PASS "$line"
else stage config FAIL "$(grep -a 'HIL FAIL config' "$console" || echo 'no CONFIG-OK marker')"; fi

# --- The kiosk service and its first frame ---
# The service sends READY=1 only after the UI's first frame, and logs `first frame drawn`;
# the guest reports that line's monotonic time (seconds since the kernel started, which is
# power-on under direct kernel boot, in the guest's clock: TCG-slowed, not a real kiosk's).
if line=$(wait_marker "KIOSK-READY" 10); then
    stage kiosk-ready PASS "$line"
    if ff=$(wait_marker "FIRST-FRAME" 10); then
        mono=$(sed -n 's/.*monotonic=\([0-9.]*\).*/\1/p' <<< "$ff")
        kms=$(sed -n 's/.*kiosk_ms=\([0-9]*\).*/\1/p' <<< "$ff")
        stage first-frame PASS "power-on to first frame: ${mono} s guest time (kiosk start to first frame ${kms} ms); host wall at READY marker $(elapsed) s"
    else
        stage first-frame FAIL "$(grep -a -m1 'HIL WAITING first-frame' "$console" || echo 'no FIRST-FRAME marker')"
    fi
else
    stage kiosk-ready FAIL "$(grep -a -m1 'HIL WAITING kiosk-service' "$console" || echo 'no KIOSK-READY marker')"
    stage first-frame FAIL "kiosk.service never reached READY=1"
fi

# The technician's console in the guest: one shell command line, its output on stdout,
# its exit status returned. Runs through the 9p share (share/cmd/sh-N.cmd, see hil-guest.sh).
# The request number lives in a file: guest() mostly runs inside $(…), a subshell, where a
# shell variable's increment would be lost and two requests would share one name.
req_file="$run/share/cmd/.last-request"
guest() { # SECONDS COMMAND-LINE
    local req
    req=$(( $(cat "$req_file" 2>/dev/null || echo 0) + 1 ))
    echo "$req" > "$req_file"
    local base="$run/share/cmd/sh-$req" deadline=$(( $(date +%s) + $1 ))
    printf '%s\n' "$2" > "$base.cmd.part" && mv "$base.cmd.part" "$base.cmd"
    while [ ! -e "$base.rc" ]; do
        [ "$(date +%s)" -lt "$deadline" ] || { echo "guest: no answer to '$2' within $1 s"; return 124; }
        sleep 0.2
    done
    cat "$base.out"
    return "$(cat "$base.rc")"
}
# The screen the kiosk shows now (`kioskctl session show --json`).
screen_now() {
    guest 30 "kioskctl session show --json" 2>/dev/null \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["screen"])' 2>/dev/null || echo "?"
}
# Waits up to N seconds for the screen to be one of SCREENS (space separated).
wait_screen() { # SECONDS SCREENS
    local deadline=$(( $(date +%s) + $1 )) now
    while :; do
        now=$(screen_now)
        case " $2 " in *" $now "*) echo "$now"; return 0 ;; esac
        [ "$(date +%s)" -lt "$deadline" ] || { echo "$now"; return 1; }
        sleep 1
    done
}
shot() { # NAME: QMP screendump to shots/NAME.png
    qmp screendump "$run/shots/$1.png" && echo "$run/shots/$1.png"
}
steps=()   # how each step of the flow was done: touch or press (and why)

if [ "${result[kiosk-ready]}" = PASS ] && [ -n "$hall_url" ]; then
    # The operator's view: the kiosk is online (its heartbeat reached the hall).
    fleet_deadline=$(( $(date +%s) + 90 ))
    online=""
    while [ "$(date +%s)" -lt "$fleet_deadline" ]; do
        online=$(python3 - "$hall_url" "$operator" "$kiosk_id" <<'PY' 2>/dev/null || true
import json, sys, urllib.request
url, token, kid = sys.argv[1:]
req = urllib.request.Request(url + "/api/v1/fleet", headers={"Authorization": "Bearer " + token})
body = json.load(urllib.request.urlopen(req, timeout=5))
for k in body.get("kiosks", []):
    if k.get("kioskId") == kid and k.get("online") is True:
        devs = ", ".join(f"{d.get('kind', d.get('class', '?'))}={d.get('state', d.get('status', '?'))}" for d in k.get("devices", []))
        print(f"online, devices: {devs}")
PY
)
        [ -n "$online" ] && break
        sleep 2
    done
    if [ -n "$online" ]; then
        stage heartbeat PASS "GET /api/v1/fleet: $kiosk_id $online"
    else
        stage heartbeat FAIL "the hall's fleet view did not list $kiosk_id online within 90 s"
    fi

    home_now=$(wait_screen 60 "home" || true)
    shot home > /dev/null || true
    flow_ok=1
    flow_note=""
    # Touch (QMP usb-tablet) at a target; falls back to the console press when the screen
    # does not move on within 20 s, and says so.
    touch_or_press() { # TARGET WORDS EXPECTED-SCREENS
        local x y now
        read -r x y <<< "${targets[$1]}"
        qmp tap "$x" "$y" "$screen_w" "$screen_h" || true
        if now=$(wait_screen 20 "$3"); then
            steps+=("$1:touch"); return 0
        fi
        steps+=("$1:press(touch at $x,$y not taken: screen stayed $now)")
        guest 30 "kioskctl session press $2" > /dev/null || true
        wait_screen 20 "$3" > /dev/null
    }
    press() { # WORDS EXPECTED-SCREENS
        local out
        out=$(guest 30 "kioskctl session press $1") || { flow_note="press '$1': $out"; return 1; }
        steps+=("$(cut -d' ' -f1 <<< "$1"):press")
        [ -z "$2" ] || wait_screen 30 "$2" > /dev/null || { flow_note="after '$1' the screen is $(screen_now), not $2"; return 1; }
    }
    if [ "$home_now" != home ]; then
        flow_ok=0; flow_note="the kiosk is on screen '$home_now', not home"
    elif ! touch_or_press apply apply "identify"; then
        flow_ok=0; flow_note="apply: the screen is $(screen_now), not identify"
    else
        echo place >&7   # the sample card on the host's reader simulator, read through ftdi_sio
        if ! now=$(wait_screen 60 "choose browse"); then
            flow_ok=0; flow_note="card placed on the FTDI reader sim; the screen stayed $now"
        fi
    fi
    if [ "$flow_ok" -eq 1 ]; then
        for p in "item QR-000172-001|guide" "start-form|form" "field phone 13812345678|" \
                 "field reason expired|" "field declaration true|" "next|materials" \
                 "next|delivery" "mail no|" "next|review" "submit|receipt"; do
            press "${p%%|*}" "${p#*|}" || { flow_ok=0; break; }
        done
    fi
    if [ "$flow_ok" -eq 1 ]; then
        sleep 2
        shot receipt > /dev/null || true
        summary=$(guest 30 "kioskctl session show" | tr '\n' ';')
        count=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from applications where kiosk_id=?", (sys.argv[2],)).fetchone()[0])' \
            "$run/hall.sqlite" "$kiosk_id" 2>&1 || true)
        if [ "$count" = 1 ]; then
            stage flow PASS "submitted; hall has 1 application from $kiosk_id; steps: ${steps[*]}; kiosk: $summary"
        else
            stage flow FAIL "the receipt screen shows, but the hall has '$count' applications from $kiosk_id; kiosk: $summary"
        fi
    else
        shot flow-stuck > /dev/null || true
        stage flow FAIL "$flow_note; steps done: ${steps[*]}; screen: $run/shots/flow-stuck.png"
    fi
    if [ "$printer" = sim ]; then
        sim_receipts=$(guest 30 "ls /var/lib/kiosk/receipts" | tr '\n' ' ')
        stage receipt WAITING "the kiosk printed to its built-in simulator (${sim_receipts:-no receipt}), not the USB gadget: run with --printer-gadget once the emulator serves /dev/g_printer0"
    elif [ "${result[printer-sim]}" = PASS ]; then
        if ls "$run/share/receipts/"*.png > /dev/null 2>&1; then
            stage receipt PASS "printed: $(ls "$run/share/receipts/")"
        else
            stage receipt FAIL "the printer emulator ran but wrote no receipt to share/receipts/"
        fi
    else
        stage receipt WAITING "no printer emulator on /dev/g_printer0 (printer-sim WAITING), so no printed receipt"
    fi
else
    stage heartbeat FAIL "needs kiosk.service ready and the hall"
    stage flow FAIL "needs kiosk.service ready and the hall"
    stage receipt WAITING "needs the flow and the printer emulator"
fi
shots=$(cd "$run/shots" && echo *.png)
if [ -s "$run/shots/home.png" ]; then
    stage screenshots PASS "$run/shots/: $shots"
else
    shot home > /dev/null || true
    stage screenshots FAIL "no home screen screendump (QMP); have: $shots"
fi

# --- Power off and collect ---
touch "$run/share/cmd/done"
if wait_marker "END" 60 > /dev/null; then :; else qmp quit 2>/dev/null || true; fi
for _ in $(seq 50); do kill -0 "$qemu" 2>/dev/null || break; sleep 0.1; done
kill "$qemu" 2>/dev/null || true
echo "console: $console   screenshots: $run/shots/   kiosk journal: $run/share/journal-kiosk.txt"
echo "total wall time: $(elapsed) s"

status=0
for name in "${order[@]}"; do
    case "${result[$name]}" in
        FAIL) status=1 ;;
        WAITING) [ "$status" -eq 1 ] || status=3 ;;
    esac
done
exit "$status"
