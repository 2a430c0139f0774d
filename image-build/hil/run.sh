#!/usr/bin/env bash
# hil/run.sh: the hardware-in-the-loop test. Boots the kiosk image built by build.sh under
# QEMU (TCG: no KVM on the build machines) with emulated hardware, and reports each stage as
# PASS, FAIL or WAITING. Minutes of CPU; not part of the default test command.
#
#   image-build/hil/run.sh [--image DIR] [--run DIR] [--timeout SECONDS] [--keep] [--icount]
#                          [--soak N]
#
# --icount: the guest's clock counts executed instructions (1 ns each: a 1 GHz, one
# instruction per cycle machine) instead of following the host's clock, so the boot figures
# do not depend on what else the shared build machine runs (single-threaded TCG: slower).
#
# What runs where:
#   host:  the hall backend (`hall serve --listen 127.0.0.1:PORT --db PATH`), reached by the
#          guest through QEMU user networking (10.0.2.2, forwarded to the guest's 127.0.0.1:8080);
#          the ID-card reader simulator (`kioskctl idcard simulate --port PTY`) on QEMU's
#          usb-serial (FTDI 0403:6001) pty chardev: the guest's kiosk reads it through ftdi_sio
#          at /dev/ttyUSB0 = /dev/kiosk-idcard;
#          QMP: screendumps (PNG) and usb-tablet touches (hil/flow.py).
#   guest: the image's own kiosk.service; hil/guest/hil-guest.sh (written into a COPY of
#          root.img with debugfs, so the shipped image is untouched) sets up dummy_hcd +
#          configfs gadgets: a USB printer (1d6b:0104, the kiosk's printer: its rusb driver
#          through the kernel's USB stack) served by
#          `kioskctl printer simulate --port /dev/g_printer0`, and a HID keyboard scanner
#          (1209:0001) that types what the host puts in share/cmd/scan; ALSA's loopback
#          card (snd-aloop, at boot) as the loudspeaker; vivid as the document camera
#          (loaded by the camera stage).
#
# --soak N: after the other stages, N citizens in a row (hil/soak.py) and the kiosk's memory
# (stage memory); `--soak 200` is issue 22's figure: PSS at the home screen after 200 citizens.
#
# Stages:
#   hall          `hall serve` on the host loopback; kiosk, operator and staff registered
#   boot          power-on to the guest's set-up unit
#   gadgets       printer + HID scanner gadgets, udev access
#   printer-sim   the printer emulator serving /dev/g_printer0
#   idcard-ftdi   /dev/kiosk-idcard -> ttyUSB0 via ftdi_sio
#   rootfs        / mounted read-only, /var writable, /etc/kiosk bound from /var
#   config        `kioskctl config check` of the test config in the guest
#   kiosk-ready   kiosk.service active (READY=1 after its first frame)
#   first-frame   power-on -> `first frame drawn` (guest journal, monotonic)
#   heartbeat     the hall's GET /api/v1/fleet lists the kiosk online, every device class its
#                 kiosk.toml fits online (the camera: reported, it is plugged in later) and
#                 every other class `noDevice` (hil/fleet.py reads the test kiosk.toml)
#   flow          tests/flows/citizen-by-touch.txt walked by hil/flow.py: every touch a QMP
#                 tap where the guest's `kioskctl session targets` says the label is; card on
#                 the FTDI reader sim; submit; rate; the receipt's QR code typed by the HID
#                 scanner gadget shows its progress. Then the hall must hold one application
#                 from the kiosk with the phone number typed by touch, rated 5.
#   receipt       the receipt printed through the USB printer gadget: 办件编号, masked ID
#                 number, QR code; the full ID number nowhere in what reached the printer
#   hotplug       the scanner gadget unplugged and plugged back: offline, then online again,
#                 woken by the kiosk's udev monitor (its journal says so)
#   voice         elder mode's voice through ALSA's loopback card (snd-aloop): the kiosk plays
#                 on hw:Loopback,0,0, arecord records hw:Loopback,1,0; elder mode off: a screen
#                 change stays silent; on: the next screen's prompt is captured whole (its
#                 length within 5 % of espeak-ng's rendering of the words; hil/voice.py)
#   camera        the document camera over V4L2: vivid plugged in (modprobe), `kioskctl camera
#                 list` shows it with its sizes, `kioskctl camera capture --raw` writes a JPEG
#                 to the share, checked on the host (the still size listed, not blank); then
#                 the fleet view shows every fitted device online, the camera too (hil/camera.py)
#   memory        (--soak N) N citizens in a row at the guest's kiosk (hil/soak.py: the card on
#                 the FTDI reader, `kioskctl session press` in the guest through
#                 hil/guest/soak-citizen.sh); VmRSS and PSS of kiosk.service read as they go,
#                 PSS by mapping at the start and at the end (RUN/soak.log). PASS when every
#                 citizen got a receipt and the PSS at the home screen after the last is at most
#                 40 MiB
#   screenshots   QMP screendumps of the flow's `shot` steps: home, receipt, progress
#
# Exit status: 0 all stages PASS; 1 any FAIL; 3 no FAIL but stages WAITING.
# Host packages: qemu-system-x86 (QEMU 10 from bookworm-backports recommended), e2fsprogs
# (debugfs), python3, python3-pil (the camera stage decodes the JPEG). Needs build.sh's
# outputs (vmlinuz, initrd.img, root.img, var.img) and kioskctl and hall built on the host
# (target/debug/).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
image="$here/../out"
run="$repo/target/hil"
limit=240
keep=0
soak=0
# shellcheck disable=SC2054 # commas belong to QEMU options
accel=(-accel tcg,thread=multi)
while [ $# -gt 0 ]; do
    case "$1" in
        --image) image=$2; shift 2 ;;
        --run) run=$2; shift 2 ;;
        --timeout) limit=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        --icount) accel=(-accel "tcg,thread=single" -icount "shift=0,sleep=on"); shift ;;
        --soak) soak=$2; shift 2 ;;
        -h|--help) sed -n '2,74p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "hil/run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done

# The guest's screen: QEMU's VGA offers this mode as preferred (EDID), so bochs-drm sets it
# and the kiosk draws portrait 1080x1920 as the example kiosk.toml says.
screen_w=1080
screen_h=1920
kiosk_id=hil-01

declare -A result=()
order=()
# Seconds (wall) since the time $1 (date +%s.%N).
since() { python3 -c "import sys; print(f'{float(sys.argv[1]) - float(sys.argv[2]):.1f}')" "$(date +%s.%N)" "$1"; }
t_run=$(date +%s.%N)
stage() { # NAME PASS|FAIL|WAITING DETAIL; the line starts with the wall time since the run began
    result[$1]="$2"
    order+=("$1")
    printf '%6s s  %-12s %-8s %s\n' "$(since "$t_run")" "$1" "$2" "${3:-}" | tee -a "$run/summary.txt"
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
# The guest's test unit waits this long for share/cmd/done (a soaked citizen takes seconds).
echo $((1500 + 30 * soak)) > "$run/share/cmd/limit"
cp "$here/guest/soak-citizen.sh" "$run/share/soak-citizen.sh"
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
staff=""
if [ ! -x "$hall_bin" ]; then
    stage hall FAIL "$hall_bin is missing: cargo build -p hall --bins"
elif ! (umask 077 && "$hall_bin" kiosk add "$kiosk_id" --db "$run/hall.sqlite" \
        > "$run/share/etc-kiosk/credential" 2> "$run/hall-add.log"); then
    stage hall FAIL "hall kiosk add $kiosk_id failed: $(cat "$run/hall-add.log")"
elif ! operator=$("$hall_bin" operator add hil-operator --db "$run/hall.sqlite" 2>> "$run/hall-add.log"); then
    stage hall FAIL "hall operator add failed: $(cat "$run/hall-add.log")"
elif ! staff=$("$hall_bin" staff add hil-clerk --db "$run/hall.sqlite" 2>> "$run/hall-add.log"); then
    stage hall FAIL "hall staff add failed: $(cat "$run/hall-add.log")"
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
        stage hall PASS "hall serve on $hall_url, kiosk $kiosk_id, an operator and a clerk registered (log: $run/hall.log)"
    else
        stage hall FAIL "hall serve did not answer /healthz within 20 s (see $run/hall.log)"
    fi
fi

# --- The guest's configuration: the example, pointed at the emulated devices ---
sed -e 's|^base_url = .*|base_url = "http://127.0.0.1:8080/"|' \
    -e "s|^kiosk_id = .*|kiosk_id = \"$kiosk_id\"|" \
    -e 's|^heartbeat_secs = .*|heartbeat_secs = 5|' \
    -e 's|^ca_file = |# ca_file = |' \
    -e '/^\[devices.printer\]/,/^\[/ s|^device = .*|device = "1d6b:0104"|' \
    -e '/^\[devices.scanner\]/,/^\[/ s|^device = .*|device = "1209:0001"|' \
    -e '/^\[devices.audio\]/,/^\[/ s|^pcm = .*|pcm = "hw:Loopback,0,0"|' \
    -e '/^\[devices.camera\]/,/^\[/ s|^enabled = .*|enabled = true|' \
    "$repo/config/examples/kiosk.toml" > "$run/share/etc-kiosk/kiosk.toml"
# The kiosk's credential (from `hall kiosk add` above) is in share/etc-kiosk/credential. Both
# files go into the copy of var.img (/var/lib/kiosk-etc = /etc/kiosk) before the boot, as a
# technician leaves them: nothing of the harness stands between power-on and the first frame.
# The configuration is checked inside the guest (its paths exist only there): stage config.

# --- A copy of the image with the test units (debugfs: no mount, no root needed) ---
cp --sparse=always "$image/root.img" "$run/root.img"
cp --sparse=always "$image/var.img" "$run/var.img"
debugfs -w -f - "$run/root.img" > "$run/debugfs.log" 2>&1 <<EOF
mkdir /usr/local/lib/kiosk-hil
write $here/guest/hil-guest.sh /usr/local/lib/kiosk-hil/hil-guest.sh
write $here/guest/kiosk-hil-setup.service /etc/systemd/system/kiosk-hil-setup.service
write $here/guest/kiosk-hil.service /etc/systemd/system/kiosk-hil.service
write $here/guest/kiosk-hil-devices.service /etc/systemd/system/kiosk-hil-devices.service
write $here/guest/kiosk-hil-modules.conf /etc/modules-load.d/kiosk-hil.conf
write $here/guest/kiosk-hil-modprobe.conf /etc/modprobe.d/kiosk-hil.conf
EOF
grep -qi "error\|not found" "$run/debugfs.log" && { cat "$run/debugfs.log" >&2; stage image FAIL "debugfs could not add the test units"; exit 1; }
kiosk_ids=$(debugfs -R "cat /etc/passwd" "$run/root.img" 2>/dev/null | awk -F: '$1 == "kiosk" { print $3, $4 }')
read -r kiosk_uid kiosk_gid <<< "$kiosk_ids"
[ -n "$kiosk_gid" ] || { stage image FAIL "no kiosk user in the image's /etc/passwd"; exit 1; }
{
    for f in kiosk.toml credential; do
        [ -f "$run/share/etc-kiosk/$f" ] || continue
        echo "rm /lib/kiosk-etc/$f"
        echo "write $run/share/etc-kiosk/$f /lib/kiosk-etc/$f"
    done
    echo "sif /lib/kiosk-etc/kiosk.toml mode 0100644"
    echo "sif /lib/kiosk-etc/kiosk.toml uid 0"
    echo "sif /lib/kiosk-etc/kiosk.toml gid $kiosk_gid"
    if [ -f "$run/share/etc-kiosk/credential" ]; then
        echo "sif /lib/kiosk-etc/credential mode 0100600"
        echo "sif /lib/kiosk-etc/credential uid $kiosk_uid"
        echo "sif /lib/kiosk-etc/credential gid $kiosk_gid"
    fi
} | debugfs -w -f - "$run/var.img" > "$run/debugfs-var.log" 2>&1
# (`rm` of a file the image does not have yet says "not found": expected.)
grep -v '^rm: ' "$run/debugfs-var.log" | grep -qi "error\|not found\|denied" && { cat "$run/debugfs-var.log" >&2; stage image FAIL "debugfs could not write the test configuration into var.img"; exit 1; }

# --- Boot ---
cmdline="$(cat "$image/cmdline") panic=-1 systemd.wants=kiosk-hil-setup.service systemd.wants=kiosk-hil-devices.service systemd.wants=kiosk-hil.service"
cmdline=${cmdline//console=tty1 /}
console="$run/console.log"
t0=$(date +%s.%N)
qemu-system-x86_64 "${accel[@]}" -m 1536 -smp 2 -no-reboot \
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
elapsed() { since "$t0"; }
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
else stage printer-sim FAIL "$(grep -a 'HIL FAIL printer-sim' "$console" || echo 'no READY-PRINTER marker')"; fi
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
        # systemd's split of the boot and the kiosk's critical chain (share/boot-analyze.txt).
        if ba=$(wait_marker "BOOT-ANALYZE" 20); then
            echo "boot: ${ba#*BOOT-ANALYZE } (details: $run/share/boot-analyze.txt)" | tee -a "$run/summary.txt"
        fi
    else
        stage first-frame FAIL "$(grep -a -m1 'HIL WAITING first-frame' "$console" || echo 'no FIRST-FRAME marker')"
    fi
else
    stage kiosk-ready FAIL "$(grep -a -m1 'HIL WAITING kiosk-service' "$console" || echo 'no KIOSK-READY marker')"
    stage first-frame FAIL "kiosk.service never reached READY=1"
fi

if [ "${result[kiosk-ready]}" = PASS ] && [ -n "$hall_url" ]; then
    # The operator's view: the kiosk is online (its heartbeat reached the hall) with every
    # device its kiosk.toml fits online and every other class reported `noDevice` (hil/fleet.py
    # reads the test kiosk.toml); the camera is fitted but plugged in by the camera stage,
    # so here it only has to be reported. The first heartbeat may come before USB
    # enumeration ends: up to 90 s.
    fleet_deadline=$(( $(date +%s) + 90 ))
    online=""
    fleet_rc=1
    while [ "$(date +%s)" -lt "$fleet_deadline" ]; do
        fleet_rc=0
        online=$(python3 "$here/fleet.py" "$hall_url" "$operator" "$kiosk_id" "$run/share/etc-kiosk/kiosk.toml" --later camera) || fleet_rc=$?
        [ "$fleet_rc" -eq 0 ] && break
        sleep 2
    done
    if [ "$fleet_rc" -eq 0 ]; then
        stage heartbeat PASS "GET /api/v1/fleet: $kiosk_id $online"
    elif [ "$fleet_rc" -eq 3 ]; then
        stage heartbeat FAIL "GET /api/v1/fleet: $kiosk_id $online: not as kiosk.toml configures within 90 s"
    else
        stage heartbeat FAIL "the hall's fleet view did not list $kiosk_id online within 90 s ($online)"
    fi

    # The citizen's visit by touch alone (tests/flows/citizen-by-touch.txt, the flow the
    # e2e test walks on an offscreen kiosk): QMP taps at the centres the guest's kiosk
    # reports (`kioskctl session targets`), the card on the FTDI reader simulator, the
    # receipt's QR code typed by the HID scanner gadget.
    flow_file="$repo/tests/flows/citizen-by-touch.txt"
    if python3 "$here/flow.py" "$flow_file" --qmp "$run/qmp.sock" --share "$run/share" \
            --idcard "$run/idcard.in" --shots "$run/shots" --width "$screen_w" --height "$screen_h" \
            > "$run/flow.log" 2>&1; then
        flow_line=$(tail -n1 "$run/flow.log")
        # What the hall received: one application from this kiosk, with what was typed on
        # the on-screen keyboard, and its 非常满意 rating.
        if hall_check=$(python3 - "$hall_url" "$staff" "$run/hall.sqlite" "$kiosk_id" <<'PY' 2>&1
import json, sqlite3, sys, urllib.request
url, token, db, kid = sys.argv[1:]
con = sqlite3.connect(db)
apps = con.execute("select id, tracking_code from applications where kiosk_id = ?", (kid,)).fetchall()
if len(apps) != 1:
    sys.exit(f"the hall has {len(apps)} applications from {kid}, not 1")
app_id, code = apps[0]
req = urllib.request.Request(f"{url}/api/v1/applications/{app_id}/details", headers={"Authorization": "Bearer " + token})
fields = json.load(urllib.request.urlopen(req, timeout=5)).get("fields", {})
if fields.get("phone") != "13812345678":
    sys.exit(f"the application's phone is {fields.get('phone')!r}, not the 13812345678 typed by touch")
levels = [r[0] for r in con.execute("select level from ratings where application_id = ?", (app_id,))]
if levels != [5]:
    sys.exit(f"the application's ratings are {levels}, not [5]")
print(f"hall: 1 application ({code}) from {kid}, phone as typed, rated 5")
PY
        ); then
            stage flow PASS "$flow_line; $hall_check (steps: $run/flow.log)"
        else
            stage flow FAIL "the touches went through, but: $hall_check (steps: $run/flow.log)"
        fi
    else
        stage flow FAIL "$(tail -n1 "$run/flow.log") (steps: $run/flow.log; screen: $run/shots/flow-stuck.png)"
    fi
    if [ "${result[printer-sim]}" = PASS ]; then
        # What the printer emulator received through the gadget (its log.jsonl: the
        # rendered text lines and the QR code's data of each receipt): the application the
        # hall holds, its QR code, the ID number masked, and the full number nowhere.
        id_number=$(sed -n 's/^id_number = "\(.*\)".*/\1/p' "$repo/drivers/samples/idcard/resident-zhang-san.toml")
        if receipt_check=$(python3 - "$run/share/receipts" "$run/hall.sqlite" "$kiosk_id" "$id_number" <<'PY' 2>&1
import json, os, sqlite3, sys
folder, db, kid, id_number = sys.argv[1:]
codes = [r[0] for r in sqlite3.connect(db).execute("select tracking_code from applications where kiosk_id = ?", (kid,))]
if len(codes) != 1:
    sys.exit(f"the hall has {len(codes)} applications from {kid}")
code = codes[0]
log = os.path.join(folder, "log.jsonl")
raw = open(log, encoding="utf-8").read()
if id_number in raw:
    sys.exit(f"the full ID number reached the printer ({log})")
receipts, qrs = [], []
# The emulator keeps logging the kiosk's status polls: the last line may be half written
# (through 9p) while this reads, so only lines ended by a newline count.
for line in raw.split("\n")[:-1]:
    e = json.loads(line)
    if e.get("cmd") == "qr_store":
        qrs.append(e.get("data", ""))
    if e.get("event") == "receipt":
        receipts.append((e.get("png"), [r.get("text", "") for r in e.get("rendered", []) if r.get("event") == "text"]))
if not receipts:
    sys.exit("no receipt in the printer emulator's log")
png, text = receipts[-1]
masked = id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:]
for want in (f"办件编号：{code}", masked, f"自助终端 {kid}"):
    if not any(want in t for t in text):
        sys.exit(f"the receipt lacks '{want}': {text}")
if not any(f"c={code}" in q for q in qrs):
    sys.exit(f"no QR code with c={code}: {qrs}")
print(f"{os.path.basename(png)}: 办件编号 {code}, ID number masked {masked}, QR code for {code}; {len(text)} lines")
PY
        ); then
            stage receipt PASS "printed through the USB printer gadget: $receipt_check ($run/share/receipts/)"
        else
            stage receipt FAIL "$receipt_check ($run/share/receipts/)"
        fi
    else
        stage receipt FAIL "no printer emulator on /dev/g_printer0 (stage printer-sim), so no printed receipt"
    fi
else
    stage heartbeat FAIL "needs kiosk.service ready and the hall"
    stage flow FAIL "needs kiosk.service ready and the hall"
    stage receipt FAIL "needs the flow and the printer emulator"
fi
# --- Hot-plug: the scanner gadget unplugged and plugged back in the guest. The kiosk's
# udev monitor (a real udevd here, unlike the build containers) must wake its scanner
# runner on the "add" event: its journal says "hot-plug: … concerns the scanner". ---
guest() { # SECONDS COMMAND-LINE: the guest's console (hil/guest.py)
    python3 "$here/guest.py" "$run/share" --timeout "$1" "$2"
}
scanner_state() {
    guest 30 "kioskctl status --json" 2>/dev/null | python3 -c '
import json, sys
devices = json.load(sys.stdin).get("devices", [])
print(next((d.get("state", "?") for d in devices if d.get("class") == "scanner"), "absent"))' 2>/dev/null || echo "?"
}
wait_scanner() { # SECONDS WANT(online|not-online): prints the last state; 0 when reached
    local deadline=$(( $(date +%s) + $1 )) now
    while :; do
        now=$(scanner_state)
        if [ "$2" = online ] && [ "$now" = online ]; then echo "$now"; return 0; fi
        if [ "$2" = not-online ] && [ "$now" != online ] && [ "$now" != "?" ]; then echo "$now"; return 0; fi
        [ "$(date +%s)" -lt "$deadline" ] || { echo "$now"; return 1; }
        sleep 0.5
    done
}
if [ "${result[kiosk-ready]:-}" = PASS ]; then
    udc=/sys/kernel/config/usb_gadget/scanner/UDC
    if ! state=$(wait_scanner 30 online); then
        stage hotplug FAIL "the scanner is '$state' before the test, not online"
    elif ! guest 30 "echo '' > $udc" > /dev/null || ! gone=$(wait_scanner 30 not-online); then
        stage hotplug FAIL "unplugging the scanner gadget: the kiosk still reports it '$(scanner_state)' after 30 s"
    else
        t_plug=$(date +%s.%N)
        guest 30 "echo dummy_udc.1 > $udc" > /dev/null || true
        if back=$(wait_scanner 30 online); then
            took=$(python3 -c "import sys; print(f'{float(sys.argv[1]) - float(sys.argv[2]):.1f}')" "$(date +%s.%N)" "$t_plug")
            # The kiosk's journal (guest monotonic time): the udev "add" it acted on, and the
            # scanner's availability after it.
            woke=$(guest 30 "journalctl -b -u kiosk -o short-monotonic --no-pager | grep -E 'hot-plug: Add .*concerns the scanner|device=.scanner. available=true'" \
                | python3 -c '
import re, sys
add = None
for line in sys.stdin:
    t = float(re.match(r"\[\s*([0-9.]+)\]", line).group(1))
    if "hot-plug: Add" in line and add is None:
        add = (t, line.split("hot-plug: ", 1)[1].split(" concerns")[0])
    elif add is not None and "available=true" in line:
        print(f"udev {add[1]} -> scanner available {1000 * (t - add[0]):.0f} ms later (guest time)")
        break' 2>/dev/null || true)
            if [ -n "$woke" ]; then
                stage hotplug PASS "scanner gadget unplugged: kiosk reported it $gone; plugged back: online again in $took s (host wall, incl. console polling); $woke"
            else
                stage hotplug FAIL "the scanner came back online in $took s, but the kiosk's journal has no udev 'hot-plug: … concerns the scanner' line (found again by backoff polling only)"
            fi
        else
            stage hotplug FAIL "the scanner gadget plugged back in, but the kiosk reports it '$back' after 30 s"
        fi
    fi
else
    stage hotplug FAIL "needs kiosk.service ready"
fi

# --- The loudspeaker: elder mode's voice through ALSA's loopback card (snd-aloop, loaded at
# boot by /etc/modules-load.d/kiosk-hil.conf). The kiosk plays on hw:Loopback,0,0; arecord
# records the other side. Silence with elder mode off; with it on, a screen change's prompt
# whole (hil/voice.py). ---
if [ "${result[kiosk-ready]:-}" = PASS ]; then
    t_voice=$(date +%s.%N)
    if python3 "$here/voice.py" "$run/share" > "$run/voice.log" 2>&1; then
        stage voice PASS "$(tail -n1 "$run/voice.log" | sed 's/^VOICE PASS: //'); $(since "$t_voice") s wall (captures: $run/share/audio/)"
    else
        stage voice FAIL "$(tail -n1 "$run/voice.log" | sed 's/^VOICE FAIL: //') (steps: $run/voice.log; captures: $run/share/audio/)"
    fi
else
    stage voice FAIL "needs kiosk.service ready"
fi

# --- The document camera: vivid plugged in (modprobe) in the guest, listed and captured by
# the image's kioskctl over V4L2, the JPEG checked here (hil/camera.py); then the kiosk's
# own camera runner must have found it: the hall's fleet view shows every device kiosk.toml
# fits online, the camera too. ---
if [ "${result[kiosk-ready]:-}" = PASS ]; then
    t_cam=$(date +%s.%N)
    pil_python=""
    for py in python3 /usr/bin/python3; do
        if "$py" -c 'import PIL' 2>/dev/null; then pil_python=$py; break; fi
    done
    if [ -z "$pil_python" ]; then
        stage camera FAIL "no python3 with PIL on the host to check the JPEG: apt-get install python3-pil"
    elif ! "$pil_python" "$here/camera.py" "$run/share" > "$run/camera.log" 2>&1; then
        stage camera FAIL "$(tail -n1 "$run/camera.log" | sed 's/^CAMERA FAIL: //') (steps: $run/camera.log)"
    else
        cam_line=$(tail -n1 "$run/camera.log" | sed 's/^CAMERA PASS: //')
        cam_deadline=$(( $(date +%s) + 60 ))
        fleet_rc=1
        while [ "$(date +%s)" -lt "$cam_deadline" ]; do
            fleet_rc=0
            online=$(python3 "$here/fleet.py" "$hall_url" "$operator" "$kiosk_id" "$run/share/etc-kiosk/kiosk.toml") || fleet_rc=$?
            [ "$fleet_rc" -eq 0 ] && break
            sleep 2
        done
        if [ "$fleet_rc" -eq 0 ]; then
            stage camera PASS "$cam_line; then the hall's fleet view: $online; $(since "$t_cam") s wall (files: $run/share/camera/)"
        else
            stage camera FAIL "$cam_line; but the hall's fleet view within 60 s: $online"
        fi
    fi
else
    stage camera FAIL "needs kiosk.service ready"
fi

# --- The soak (--soak N): N citizens in a row, the kiosk's memory read as they go ---
if [ "$soak" -gt 0 ]; then
    if [ "${result[kiosk-ready]:-}" = PASS ] && [ -n "$hall_url" ]; then
        t_soak=$(date +%s.%N)
        python3 "$here/soak.py" "$run/share" --idcard "$run/idcard.in" --citizens "$soak" \
            > "$run/soak.log" 2>&1 || true
        soak_line=$(tail -n1 "$run/soak.log")
        pss_end=$(sed -n 's/.*pss_end_kib=\([0-9]*\).*/\1/p' <<< "$soak_line")
        if [[ "$soak_line" != "SOAK PASS"* ]] || [ -z "$pss_end" ]; then
            stage memory FAIL "${soak_line:-soak.py printed nothing} (steps: $run/soak.log)"
        elif [ "$pss_end" -gt $((40 * 1024)) ]; then
            stage memory FAIL "PSS at the home screen after $soak citizens: $pss_end KiB, over 40 MiB ($soak_line; breakdown: $run/soak.log)"
        else
            stage memory PASS "PSS at the home screen after $soak citizens: $pss_end KiB (<= 40 MiB); ${soak_line#SOAK PASS }; $(since "$t_soak") s wall (breakdown: $run/soak.log)"
        fi
    else
        stage memory FAIL "needs kiosk.service ready and the hall"
    fi
fi

shots=$(cd "$run/shots" && echo *.png)
missing=""
for name in home receipt progress; do
    [ -s "$run/shots/$name.png" ] || missing="$missing $name.png"
done
if [ -z "$missing" ]; then
    stage screenshots PASS "$run/shots/: $shots"
else
    qmp screendump "$run/shots/at-end.png" 2>/dev/null || true
    stage screenshots FAIL "missing QMP screendumps:$missing (the flow stopped before them; the screen at the end: $run/shots/at-end.png)"
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
