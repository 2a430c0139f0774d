#!/usr/bin/env bash
# hil/update.sh: the A/B update proof of issue 22 under QEMU (TCG, OVMF + systemd-boot), with
# a real hall on the host. Not part of the default test command: tens of minutes of CPU.
#
#   image-build/hil/update.sh [--image DIR] [--run DIR] [--cache DIR] [--keep]
#
# Needs build.sh's outputs in --image (default image-build/out/): kiosk-disk.raw, root.img,
# var.img (any version: the test writes its own versions into copies); `hall` built on the
# host (target/debug/hall); host packages qemu-system-x86, ovmf, e2fsprogs (debugfs), rauc,
# squashfs-tools, openssl, python3.
#
# What it makes (in --cache, default target/hil-update-cache/, reused while the image and the
# guest files are unchanged): copies of root.img with the test's guest unit
# (guest/upd-guest.sh: the 9p share, the forward to the hall, console requests) written in
# with debugfs, as versions
#   1.0.0  booted from slot A of a copy of kiosk-disk.raw;
#   2.0.0  the same root with /usr/share/kiosk/image-version 2.0.0: bundle kiosk-2.0.0.raucb;
#   3.0.0  BROKEN: /usr/bin/kiosk replaced (debugfs) by a shell script that exits 1 at start,
#          as a kiosk binary that dies at once would: bundle kiosk-3.0.0.raucb;
# bundles signed with the development key (rauc/dev/; squashfs with zstd level 3 to keep the
# test's bundle step short), and rogue-2.0.0.raucb: the 2.0.0 bundle re-signed (`rauc
# resign`) by a key the image does not trust (made here with openssl).
#
# Stages (each prints PASS or FAIL and its wall time; the summary is in RUN/summary.txt):
#   hall          `hall kiosk add`, `hall operator add`, `hall serve` on the host loopback
#   unknown-key   `hall update add` refuses the rogue bundle; version 2.0.0 is added
#   boot-v1       power-on (OVMF) to `UPD BOOT slot=A version=1.0.0`; the hall's fleet view
#                 shows the kiosk online, image 1.0.0, slot A (the kiosk asked `rauc status`
#                 over D-Bus from its sandbox)
#   rauc-refuses  in the guest, `rauc install` of the rogue bundle is refused (signature)
#   install-v2    `hall update rollout 2.0.0`: the kiosk learns it from the heartbeat's
#                 answer, downloads it, `rauc install`s it into slot B from its systemd
#                 sandbox (fleet view: update state installed)
#   reboot-v2     the kiosk asks for the reboot (quiet window = now, no citizen): the trial
#                 boot of slot B (systemd-boot's entry with a try counter)
#   commit-v2     kiosk-commit.service: the kiosk's health check passes, `rauc status
#                 mark-good`; slot B is booted, primary and good, its entry has no counter;
#                 the hall sees image 2.0.0 on slot B and the rollout's kiosk succeeded
#   install-v3    `hall update add` + `rollout 3.0.0`: downloaded and installed into slot A
#   trial-v3      the trial boot of slot A with the broken kiosk
#   fallback-v3   the health check fails, the machine reboots by itself into slot B (2.0.0)
#   report-v3     the kiosk reports failedVersion 3.0.0, detail healthCheck; the hall halts
#                 the rollout
#
# Files in RUN (default target/hil-update/): console.log (every boot's serial console),
# summary.txt, hall.log, fleet-*.json (the hall's view at each step), guest-*.txt (rauc
# status, boot entries, journals from the guest).
# Exit status: 0 every stage PASS; 1 otherwise.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
image="$here/../out"
run="$repo/target/hil-update"
cache="$repo/target/hil-update-cache"
keep=0
while [ $# -gt 0 ]; do
    case "$1" in
        --image) image=$2; shift 2 ;;
        --run) run=$2; shift 2 ;;
        --cache) cache=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,48p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "hil/update.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done

for tool in qemu-system-x86_64 debugfs rauc mksquashfs openssl python3 sfdisk fallocate; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "hil/update.sh: '$tool' is missing (apt-get install qemu-system-x86 ovmf e2fsprogs rauc squashfs-tools openssl python3 fdisk util-linux)" >&2
        exit 1
    }
done
ovmf_code=/usr/share/OVMF/OVMF_CODE_4M.fd
ovmf_vars=/usr/share/OVMF/OVMF_VARS_4M.fd
[ -s "$ovmf_code" ] || { echo "hil/update.sh: install ovmf ($ovmf_code)" >&2; exit 1; }
for f in kiosk-disk.raw root.img var.img; do
    [ -s "$image/$f" ] || { echo "hil/update.sh: $image/$f is missing: run image-build/build.sh first" >&2; exit 1; }
done
hall_bin="$repo/target/debug/hall"
[ -x "$hall_bin" ] || { echo "hil/update.sh: $hall_bin is missing: cargo build --workspace --bins" >&2; exit 1; }
devkeys="$here/../rauc/dev"
keyring="$devkeys/keyring.pem"
kiosk_id=upd-01

rm -rf "$run"
mkdir -p "$run/share/cmd" "$run/etc-kiosk" "$cache"
: > "$run/summary.txt"
declare -A result=()
order=()
since() { python3 -c "import sys; print(f'{float(sys.argv[1]) - float(sys.argv[2]):.1f}')" "$(date +%s.%N)" "$1"; }
t_run=$(date +%s.%N)
t_stage=$t_run
stage() { # NAME PASS|FAIL DETAIL: the stage's own wall time, then the run's
    result[$1]="$2"
    order+=("$1")
    printf '%6s s  %-13s %-5s (%s s) %s\n' "$(since "$t_run")" "$1" "$2" "$(since "$t_stage")" "${3:-}" | tee -a "$run/summary.txt"
    t_stage=$(date +%s.%N)
}
note() { echo "          $*" | tee -a "$run/summary.txt"; }
finish() {
    local status=0 name
    for name in "${order[@]}"; do [ "${result[$name]}" = PASS ] || status=1; done
    echo "total wall time: $(since "$t_run") s; console: $run/console.log; summary: $run/summary.txt"
    exit "$status"
}

pids=()
qemu=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    local pid
    [ -z "$qemu" ] || python3 "$here/qmp.py" "$run/qmp.sock" quit 2>/dev/null || true
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    [ "$keep" -eq 1 ] || rm -f "$run/disk.raw" "$run/var.img"
}
trap cleanup EXIT

# --- The test's images, bundles and keys (cached) ---
key=$( { stat -c '%s %Y' "$image/root.img" "$image/kiosk-disk.raw"
         cat "$here/guest/upd-guest.sh" "$here/guest/kiosk-upd-guest.service"
         echo "recipe 1: zstd-3 bundles, broken kiosk = exit 1 script"; } | sha256sum | cut -c1-16)
prep="$cache/$key"
make_bundle() { # VERSION ROOT-IMAGE OUT: a verity bundle of ROOT-IMAGE, development key
    local content="$prep/bundle-content"
    rm -rf "$content"
    mkdir -p "$content"
    ln "$2" "$content/root.img"
    printf '[update]\ncompatible=%s\nversion=%s\n\n[bundle]\nformat=verity\n\n[image.rootfs]\nfilename=root.img\n' \
        "$(sed -n 's/^compatible=//p' "$here/../rauc/system.conf")" "$1" > "$content/manifest.raucm"
    rauc bundle --cert="$devkeys/DEVELOPMENT-ONLY-signing.cert.pem" --key="$devkeys/DEVELOPMENT-ONLY-signing.key.pem" \
        --mksquashfs-args="-comp zstd -Xcompression-level 3" "$content" "$3" > "$prep/bundle-$1.log" 2>&1
    rm -rf "$content"
}
set_version() { # ROOT-IMAGE VERSION
    printf '%s\n' "$2" > "$prep/version.txt"
    printf 'rm /usr/share/kiosk/image-version\nwrite %s /usr/share/kiosk/image-version\nsif /usr/share/kiosk/image-version mode 0100644\n' \
        "$prep/version.txt" | debugfs -w -f - "$1" > "$prep/debugfs-version.log" 2>&1
    debugfs -R "cat /usr/share/kiosk/image-version" "$1" 2>/dev/null | grep -qx "$2"
}
if [ ! -s "$prep/done" ]; then
    rm -rf "$cache" && mkdir -p "$prep"
    t_prep=$(date +%s.%N)
    root1="$prep/root-1.img"
    cp --sparse=always "$image/root.img" "$root1"
    debugfs -w -f - "$root1" > "$prep/debugfs.log" 2>&1 <<EOF
mkdir /usr/local/lib/kiosk-hil
write $here/guest/upd-guest.sh /usr/local/lib/kiosk-hil/upd-guest.sh
sif /usr/local/lib/kiosk-hil/upd-guest.sh mode 0100755
write $here/guest/kiosk-upd-guest.service /etc/systemd/system/kiosk-upd-guest.service
sif /etc/systemd/system/kiosk-upd-guest.service mode 0100644
symlink /etc/systemd/system/multi-user.target.wants/kiosk-upd-guest.service /etc/systemd/system/kiosk-upd-guest.service
EOF
    if grep -qi "error\|not found" "$prep/debugfs.log"; then cat "$prep/debugfs.log" >&2; echo "hil/update.sh: debugfs could not add the test unit" >&2; exit 1; fi
    set_version "$root1" 1.0.0 || { echo "hil/update.sh: cannot set the version of root-1.img" >&2; exit 1; }
    cp --sparse=always "$root1" "$prep/root-2.img"
    set_version "$prep/root-2.img" 2.0.0 || { echo "hil/update.sh: cannot set the version of root-2.img" >&2; exit 1; }
    cp --sparse=always "$root1" "$prep/root-3.img"
    set_version "$prep/root-3.img" 3.0.0 || { echo "hil/update.sh: cannot set the version of root-3.img" >&2; exit 1; }
    printf '#!/bin/sh\n# hil/update.sh: a BROKEN kiosk for the update test (version 3.0.0): it exits at start.\necho "kiosk 3.0.0 (broken test build): exiting at start" >&2\nexit 1\n' > "$prep/broken-kiosk"
    printf 'rm /usr/bin/kiosk\nwrite %s /usr/bin/kiosk\nsif /usr/bin/kiosk mode 0100755\n' "$prep/broken-kiosk" \
        | debugfs -w -f - "$prep/root-3.img" > "$prep/debugfs-broken.log" 2>&1
    debugfs -R "cat /usr/bin/kiosk" "$prep/root-3.img" 2>/dev/null | grep -q "BROKEN kiosk" \
        || { echo "hil/update.sh: cannot replace /usr/bin/kiosk in root-3.img" >&2; exit 1; }
    # The disk of version 1: build.sh's disk with root-1.img in slot A (root-a's old blocks
    # punched out first, so the sparse copy leaves no stale data).
    cp --sparse=always "$image/kiosk-disk.raw" "$prep/disk-1.raw"
    read -r a_start a_size <<< "$(sfdisk -J "$prep/disk-1.raw" | python3 -c '
import json, sys
t = json.load(sys.stdin)["partitiontable"]
p = next(p for p in t["partitions"] if p.get("name") == "root-a")
print(p["start"] * 512, p["size"] * 512)')"
    fallocate -p -o "$a_start" -l "$a_size" "$prep/disk-1.raw"
    dd if="$root1" of="$prep/disk-1.raw" bs=1M seek=$((a_start / 1048576)) conv=notrunc,sparse status=none
    t_b=$(date +%s.%N)
    make_bundle 2.0.0 "$prep/root-2.img" "$prep/kiosk-2.0.0.raucb" || { cat "$prep/bundle-2.0.0.log" >&2; exit 1; }
    echo "bundle kiosk-2.0.0.raucb: $(since "$t_b") s" > "$prep/times.txt"
    make_bundle 3.0.0 "$prep/root-3.img" "$prep/kiosk-3.0.0.raucb" || { cat "$prep/bundle-3.0.0.log" >&2; exit 1; }
    rm -f "$prep/root-2.img" "$prep/root-3.img"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/O=Unknown/CN=not a kiosk key" \
        -keyout "$prep/rogue.key.pem" -out "$prep/rogue.cert.pem" > /dev/null 2>&1
    rauc resign --keyring="$keyring" --signing-keyring="$prep/rogue.cert.pem" --cert="$prep/rogue.cert.pem" --key="$prep/rogue.key.pem" \
        "$prep/kiosk-2.0.0.raucb" "$prep/rogue-2.0.0.raucb" > "$prep/resign.log" 2>&1 \
        || { cat "$prep/resign.log" >&2; exit 1; }
    echo "prepared in $(since "$t_prep") s" >> "$prep/times.txt"
    echo ok > "$prep/done"
fi
note "images and bundles: $prep ($(tr '\n' ';' < "$prep/times.txt")); kiosk-2.0.0.raucb $(stat -c %s "$prep/kiosk-2.0.0.raucb") bytes"
t_stage=$(date +%s.%N)   # the first stage's own time leaves the preparation out

# --- The hall on the host, the kiosk registered ---
if ! (umask 077 && "$hall_bin" kiosk add "$kiosk_id" --db "$run/hall.sqlite" > "$run/etc-kiosk/credential" 2> "$run/hall-add.log") \
   || ! operator=$("$hall_bin" operator add upd-operator --db "$run/hall.sqlite" 2>> "$run/hall-add.log"); then
    stage hall FAIL "$(cat "$run/hall-add.log")"
    finish
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$hall_bin" serve --listen "127.0.0.1:$port" --db "$run/hall.sqlite" > "$run/hall.log" 2>&1 &
pids+=($!)
hall_url=""
for _ in $(seq 100); do
    python3 -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "http://127.0.0.1:$port/healthz" 2>/dev/null \
        && { hall_url="http://127.0.0.1:$port"; break; }
    sleep 0.2
done
[ -n "$hall_url" ] || { stage hall FAIL "hall serve did not answer /healthz (see $run/hall.log)"; finish; }
echo "$port" > "$run/share/hall-port"
stage hall PASS "hall serve on $hall_url, kiosk $kiosk_id and an operator registered"

hall() { "$hall_bin" "$@" --db "$run/hall.sqlite"; }
if hall update add "$prep/rogue-2.0.0.raucb" --keyring "$keyring" > "$run/rogue-add.log" 2>&1; then
    stage unknown-key FAIL "hall update add took the bundle signed by an unknown key: $(cat "$run/rogue-add.log")"
elif ! hall update add "$prep/kiosk-2.0.0.raucb" --keyring "$keyring" > "$run/add-2.log" 2>&1; then
    stage unknown-key FAIL "the rogue bundle was refused, but so was 2.0.0: $(tail -n1 "$run/add-2.log")"
else
    stage unknown-key PASS "hall update add refused the re-signed bundle: $(grep -v ' INFO \| WARN ' "$run/rogue-add.log" | tail -n1); $(grep '^added' "$run/add-2.log")"
fi

# --- The kiosk's configuration: no devices (so the commit check waits on none), the hall
# through the guest's forward, heartbeats every 5 s, and a quiet window around now
# (China Standard Time, the kiosk's clock for it) so the reboot is allowed at once. ---
window=$(python3 -c '
import datetime
now = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=8)
a, b = now - datetime.timedelta(minutes=10), now + datetime.timedelta(hours=4)
print(f"{a:%H:%M}-{b:%H:%M}")')
sed -e 's|^base_url = .*|base_url = "http://127.0.0.1:8080/"|' \
    -e "s|^kiosk_id = .*|kiosk_id = \"$kiosk_id\"|" \
    -e 's|^heartbeat_secs = .*|heartbeat_secs = 5|' \
    -e 's|^ca_file = |# ca_file = |' \
    -e '/^\[devices\.\(idcard\|printer\|scanner\)\]/,/^device = / s|^device = .*|device = "none"|' \
    -e '/^\[devices.audio\]/,/^\[/ s|^pcm = .*|pcm = "none"|' \
    -e '/^\[devices.camera\]/,/^\[/ s|^enabled = .*|enabled = false|' \
    -e "/^\\[fleet\\]/,/^\\[/ s|^quiet_hours = .*|quiet_hours = \"$window\"|" \
    "$repo/config/examples/kiosk.toml" > "$run/etc-kiosk/kiosk.toml"
grep -q "quiet_hours = \"$window\"" "$run/etc-kiosk/kiosk.toml" || { echo "hil/update.sh: the quiet window did not go into kiosk.toml" >&2; exit 1; }
cp --sparse=always "$image/var.img" "$run/var.img"
kiosk_ids=$(debugfs -R "cat /etc/passwd" "$prep/root-1.img" 2>/dev/null | awk -F: '$1 == "kiosk" { print $3, $4 }')
read -r kiosk_uid kiosk_gid <<< "$kiosk_ids"
{
    for f in kiosk.toml credential; do
        echo "rm /lib/kiosk-etc/$f"
        echo "write $run/etc-kiosk/$f /lib/kiosk-etc/$f"
    done
    echo "sif /lib/kiosk-etc/kiosk.toml mode 0100644"
    echo "sif /lib/kiosk-etc/kiosk.toml gid $kiosk_gid"
    echo "sif /lib/kiosk-etc/credential mode 0100600"
    echo "sif /lib/kiosk-etc/credential uid $kiosk_uid"
    echo "sif /lib/kiosk-etc/credential gid $kiosk_gid"
} | debugfs -w -f - "$run/var.img" > "$run/debugfs-var.log" 2>&1
cp --sparse=always "$prep/disk-1.raw" "$run/disk.raw"
read -r v_start v_size <<< "$(sfdisk -J "$run/disk.raw" | python3 -c '
import json, sys
t = json.load(sys.stdin)["partitiontable"]
p = next(p for p in t["partitions"] if p.get("name") == "var")
print(p["start"] * 512, p["size"] * 512)')"
fallocate -p -o "$v_start" -l "$v_size" "$run/disk.raw"
dd if="$run/var.img" of="$run/disk.raw" bs=1M seek=$((v_start / 1048576)) conv=notrunc,sparse status=none
cp "$ovmf_vars" "$run/vars.fd"
for f in kiosk-3.0.0.raucb rogue-2.0.0.raucb; do ln -f "$prep/$f" "$run/share/$f" 2>/dev/null || cp "$prep/$f" "$run/share/$f"; done
note "test kiosk.toml: quiet_hours = \"$window\" (China Standard Time), no devices fitted, heartbeat every 5 s"

# --- Power on (UEFI: OVMF, systemd-boot from the ESP); the machine reboots by itself ---
console="$run/console.log"
: > "$console"
# shellcheck disable=SC2054 # commas belong to QEMU options
qemu-system-x86_64 -accel tcg,thread=multi -m 1536 -smp 2 -display none \
    -serial "file:$console" -qmp "unix:$run/qmp.sock,server=on,wait=off" \
    -drive "if=pflash,format=raw,readonly=on,file=$ovmf_code" -drive "if=pflash,format=raw,file=$run/vars.fd" \
    -drive "file=$run/disk.raw,format=raw,if=virtio" \
    -netdev user,id=net0 -device virtio-net-pci,netdev=net0 \
    -virtfs "local,path=$run/share,mount_tag=host0,security_model=none,id=host0" \
    -vga none -device VGA,xres=1080,yres=1920 \
    > "$run/qemu.log" 2>&1 &
qemu=$!
pids+=("$qemu")

# Waits up to $2 s for a console line matching the regex $1 written after byte $3; prints it.
wait_console() {
    local deadline=$(( $(date +%s) + $2 )) line
    while [ "$(date +%s)" -lt "$deadline" ]; do
        line=$(tail -c +"$(( $3 + 1 ))" "$console" 2>/dev/null | tr -d '\r' | grep -a -m1 -E "$1" || true)
        if [ -n "$line" ]; then echo "$line"; return 0; fi
        kill -0 "$qemu" 2>/dev/null || return 1
        sleep 0.5
    done
    return 1
}
mark() { stat -c %s "$console"; }
guest() { # SECONDS COMMAND-LINE
    python3 "$here/guest.py" "$run/share" --timeout "$1" "$2"
}
# The hall's fleet view of the kiosk: prints `online image slot state target failed detail`.
fleet() {
    python3 - "$hall_url" "$operator" "$kiosk_id" "$run/fleet-last.json" <<'PY'
import json, sys, urllib.request
url, token, kid, dump = sys.argv[1:]
req = urllib.request.Request(url + "/api/v1/fleet", headers={"Authorization": "Bearer " + token})
try:
    body = json.load(urllib.request.urlopen(req, timeout=5))
except OSError as e:
    print("no-answer - - - - - -")
    sys.exit(0)
k = next((k for k in body.get("kiosks", []) if k.get("kioskId") == kid), {})
json.dump(k, open(dump, "w"), ensure_ascii=False, indent=1)
u = k.get("update") or {}
v = k.get("versions") or {}
print(" ".join(str(x if x not in (None, "") else "-") for x in (
    "online" if k.get("online") else "offline", v.get("image"), u.get("slot"), u.get("state"),
    u.get("target"), u.get("failedVersion"), u.get("detail"))))
PY
}
# Polls the fleet view up to $1 s until the python condition $2 on (online, image, slot,
# state, target, failed, detail) holds; prints the last view; saves it as fleet-$3.json.
wait_fleet() {
    local deadline=$(( $(date +%s) + $1 )) view
    while :; do
        view=$(fleet)
        if python3 -c "
import sys
online, image, slot, state, target, failed, detail = sys.argv[1].split()
sys.exit(0 if ($2) else 1)" "$view"; then
            cp "$run/fleet-last.json" "$run/fleet-$3.json" 2>/dev/null || true
            echo "$view"; return 0
        fi
        [ "$(date +%s)" -lt "$deadline" ] || { cp "$run/fleet-last.json" "$run/fleet-$3.json" 2>/dev/null || true; echo "$view"; return 1; }
        sleep 2
    done
}
# Waits up to 1800 s until the hall's view shows version $1 installed (or running), or the
# console a boot of slot $2 after byte $3 (the kiosk may reboot before a heartbeat says
# `installed`); prints the view; saves it as fleet-$4.json.
wait_installed() {
    local deadline=$(( $(date +%s) + 1800 )) view
    while :; do
        view=$(fleet)
        cp "$run/fleet-last.json" "$run/fleet-$4.json" 2>/dev/null || true
        if python3 -c "
import sys
online, image, slot, state, target, failed, detail = sys.argv[1].split()
sys.exit(0 if target == sys.argv[2] and state == 'installed' or image == sys.argv[2] else 1)" "$view" "$1"; then
            echo "$view"; return 0
        fi
        if tail -c +"$(( $3 + 1 ))" "$console" | grep -a -q "UPD BOOT slot=$2"; then
            echo "$view, and already rebooting into slot $2"; return 0
        fi
        [ "$(date +%s)" -lt "$deadline" ] || { echo "$view"; return 1; }
        sleep 2
    done
}
state_of() { # the guest's view of the slots and boot entries, to a file
    guest 60 "rauc status --detailed 2>&1; echo '## boot entries'; mount -o ro /boot/efi 2>/dev/null; ls /boot/efi/loader/entries; umount /boot/efi 2>/dev/null; echo '## kiosk-commit'; systemctl show -p ActiveState,Result kiosk-commit.service; journalctl -m -u kiosk-commit --no-pager | tail -n 30" > "$run/guest-$1.txt" 2>&1 || true
}

t0=$(date +%s.%N)
if line=$(wait_console 'UPD BOOT ' 600 0); then
    boot_wall=$(since "$t0")
    # The slot comes from `rauc status` (over D-Bus, from the kiosk's sandbox), asked off the
    # kiosk's start path: it may come a few heartbeats after the first.
    if view=$(wait_fleet 240 'online == "online" and image == "1.0.0" and slot == "A"' v1); then
        stage boot-v1 PASS "power-on to '$line' in $boot_wall s wall; fleet view: $view (online image slot state target failed detail)"
    else
        stage boot-v1 FAIL "booted ('$line', $boot_wall s), but the hall's fleet view: $view"
    fi
else
    stage boot-v1 FAIL "no 'UPD BOOT' on the console within 600 s (see $console)"
    finish
fi
state_of v1

# Stage 4 on the kiosk: rauc itself refuses a bundle signed by an unknown key.
guest 120 "rauc install /run/kiosk-upd/share/rogue-2.0.0.raucb" > "$run/guest-rogue.txt" 2>&1 && rogue_rc=0 || rogue_rc=$?
if [ "$rogue_rc" -ne 0 ] && grep -qi "signature\|verif" "$run/guest-rogue.txt"; then
    stage rauc-refuses PASS "rauc install in the guest refused it (exit $rogue_rc): $(grep -i 'signature\|verif' "$run/guest-rogue.txt" | tail -n1)"
else
    stage rauc-refuses FAIL "rauc install of the rogue bundle: exit $rogue_rc: $(tail -n3 "$run/guest-rogue.txt" | tr '\n' ' ')"
fi

# --- Version 2: offered, installed, rebooted into in the quiet window, committed ---
t_rollout2=$(date +%s.%N)
hall update rollout 2.0.0 --to all --waves 100 > "$run/rollout-2.log" 2>&1 \
    || { stage install-v2 FAIL "hall update rollout 2.0.0: $(cat "$run/rollout-2.log")"; finish; }
m=$(mark)
if view=$(wait_installed 2.0.0 B "$m" v2-installed); then
    stage install-v2 PASS "offered, downloaded and installed into the other slot: $view"
else
    stage install-v2 FAIL "fleet view after 1800 s: $view"
    guest 60 "journalctl -b -u kiosk --no-pager | grep -i -E 'update|rauc|install' | tail -n 20" > "$run/guest-install-v2.txt" 2>&1 || true
    finish
fi
if line=$(wait_console 'UPD BOOT slot=B' 900 "$m"); then
    if [[ "$line" == *"version=2.0.0 trial=yes"* ]]; then
        stage reboot-v2 PASS "the kiosk rebooted by itself into the trial of slot B: '$line'"
    else
        stage reboot-v2 FAIL "booted slot B, but: '$line' (want version=2.0.0 trial=yes)"
    fi
else
    stage reboot-v2 FAIL "no boot of slot B within 900 s after the install (see $console)"
    finish
fi
commit_ok=1
deadline=$(( $(date +%s) + 600 ))
commit=""
while [ "$(date +%s)" -lt "$deadline" ]; do
    commit=$(guest 30 "systemctl show -p ActiveState -p Result kiosk-commit.service | tr '\n' ' '" 2>/dev/null || true)
    case "$commit" in
        *ActiveState=active*Result=success*|*Result=success*ActiveState=active*) commit_ok=0; break ;;
        *ActiveState=failed*) break ;;
    esac
    sleep 5
done
state_of v2
if [ "$commit_ok" -eq 0 ] && view=$(wait_fleet 240 'online == "online" and image == "2.0.0" and slot == "B"' v2); then
    entries=$(sed -n '/## boot entries/,/## kiosk-commit/p' "$run/guest-v2.txt" | grep '^kiosk-' | tr '\n' ' ')
    rollout=$(hall update status 2>/dev/null | tr '\n\t' '  ' | tr -s ' ')
    if [[ "$entries" == *"kiosk-2-b.conf"* ]] && [[ "$rollout" == *succeeded* ]]; then
        stage commit-v2 PASS "kiosk-commit.service: $commit; boot entries: $entries; fleet view: $view; hall update status: $rollout"
    else
        stage commit-v2 FAIL "committed ($commit) but boot entries '$entries', hall update status: $rollout"
    fi
else
    stage commit-v2 FAIL "kiosk-commit.service: ${commit:-no answer}; fleet view: $(fleet) (see $run/guest-v2.txt)"
    finish
fi

# The install's figures from the guest's journal (rauc's own lines, guest clock).
rauc_times() { # `rauc install` of the last bundle: the seconds from reading it to success
    guest 60 "journalctl -m -u rauc -o short-iso-precise --no-pager | grep -E 'Reading bundle: /var/lib/kiosk|installing .* succeeded'" 2>/dev/null \
        | python3 -c '
import datetime, sys
start = end = None
for line in sys.stdin:
    t = datetime.datetime.fromisoformat(line.split()[0])
    if "Reading bundle" in line:
        start, end = t, None
    elif start is not None:
        end = t
if start and end:
    print(f"rauc install {(end - start).total_seconds():.0f} s (guest clock {start:%H:%M:%S}-{end:%H:%M:%S})")
else:
    print("rauc install: no start and end in the journal")' || true
}
# The download's figures from the hall's log (its ranged GETs, host clock).
download_times() { # VERSION
    python3 - "$run/hall.log" "$1" <<'PY' || true
import datetime, re, sys
log, version = sys.argv[1:]
times, size = [], 0
for line in open(log, encoding="utf-8", errors="replace"):
    if "bundle download" in line and f"version={version} " in line:
        times.append(datetime.datetime.fromisoformat(line.split()[0].replace("Z", "+00:00")))
        m = re.search(r" len=(\d+)", line)
        size += int(m.group(1)) if m else 0
if times:
    secs = (times[-1] - times[0]).total_seconds()
    print(f"download {len(times)} ranged GETs, {size / 1e6:.0f} MB in {secs:.0f} s ({times[0]:%H:%M:%S}-{times[-1]:%H:%M:%S})")
else:
    print("download: no bundle GET in the hall's log")
PY
}
note "install-v2 figures: rollout started $(date -u -d "@${t_rollout2%.*}" +%H:%M:%S) (host clock); $(download_times 2.0.0); $(rauc_times)"

# --- Version 3, broken: installed, the trial fails, the machine falls back to 2.0.0 ---
if ! hall update add "$prep/kiosk-3.0.0.raucb" --keyring "$keyring" > "$run/add-3.log" 2>&1 \
   || ! hall update rollout 3.0.0 --to all --waves 100 > "$run/rollout-3.log" 2>&1; then
    stage install-v3 FAIL "hall update add/rollout 3.0.0: $(cat "$run/add-3.log" "$run/rollout-3.log" 2>/dev/null | tail -n2)"
    finish
fi
m=$(mark)
if view=$(wait_installed 3.0.0 A "$m" v3-installed); then
    stage install-v3 PASS "offered, downloaded and installed into slot A: $view"
else
    stage install-v3 FAIL "fleet view after 1800 s: $view"
    finish
fi
if line=$(wait_console 'UPD BOOT slot=A' 900 "$m"); then
    note "install-v3 figures: $(download_times 3.0.0); $(rauc_times)"
    if [[ "$line" == *"version=3.0.0 trial=yes"* ]]; then
        stage trial-v3 PASS "the trial boot of slot A: '$line'"
    else
        stage trial-v3 FAIL "booted slot A, but: '$line' (want version=3.0.0 trial=yes)"
    fi
else
    stage trial-v3 FAIL "no boot of slot A within 900 s after the install"
    finish
fi
m=$(mark)
# The check waits up to 240 s for the kiosk (kiosk-commit.service), then the machine reboots.
guest 60 "systemctl show -p NRestarts -p ActiveState kiosk.service | tr '\n' ' '; journalctl -b -u kiosk --no-pager | tail -n 5" > "$run/guest-v3-trial.txt" 2>&1 || true
if line=$(wait_console 'UPD BOOT slot=' 900 "$m"); then
    if [[ "$line" == *"slot=B version=2.0.0 trial=no"* ]]; then
        stage fallback-v3 PASS "the machine rebooted by itself into the old slot: '$line' (trial's kiosk: $(head -n1 "$run/guest-v3-trial.txt"))"
    else
        stage fallback-v3 FAIL "the next boot: '$line' (want slot=B version=2.0.0 trial=no)"
    fi
else
    stage fallback-v3 FAIL "no further boot within 900 s after the trial boot of 3.0.0"
    finish
fi
state_of v3
if view=$(wait_fleet 240 'online == "online" and image == "2.0.0" and failed == "3.0.0" and detail == "healthCheck"' v3); then
    rollout=""
    for _ in $(seq 30); do
        rollout=$(hall update status 2>/dev/null | tr '\n\t' '  ' | tr -s ' ')
        [[ "$rollout" == *halted* ]] && break
        sleep 2
    done
    if [[ "$rollout" == *halted* ]]; then
        stage report-v3 PASS "fleet view: $view; hall update status: $rollout"
    else
        stage report-v3 FAIL "the kiosk reported the failure ($view), but the rollout is not halted: $rollout"
    fi
else
    stage report-v3 FAIL "fleet view: $view (want image 2.0.0, failedVersion 3.0.0, detail healthCheck)"
fi
finish
