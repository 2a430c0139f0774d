#!/bin/sh
# upd-guest.sh: the guest's half of the update test (hil/update.sh), written into the test
# copies of the root image with debugfs (never part of the shipped image), so every slot the
# test boots (versions 1, 2 and 3) has it. Started by kiosk-upd-guest.service on each boot:
#   - mounts the host's 9p share (tag host0);
#   - forwards 127.0.0.1:8080 in the guest to the hall on the host (10.0.2.2:$(share/hall-port)),
#     so the test kiosk.toml can use the loopback address its validation allows over http;
#   - says on the console which slot and image version booted (`UPD BOOT slot=… version=…`),
#     so the host sees each reboot, the trial boot and the fall-back;
#   - runs the host's console requests (share/cmd/sh-N.cmd, as hil/guest.py writes them)
#     until the machine goes down. It never powers off or reboots by itself.
share=/run/kiosk-upd/share
say() { echo "UPD $*" > /dev/console 2>/dev/null || echo "UPD $*"; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }

modprobe 9pnet_virtio 2>/dev/null || true
mkdir -p "$share"
if ! mountpoint -q "$share"; then
    mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 host0 "$share" || {
        say "FAIL share: cannot mount the host share host0"
        exit 1
    }
fi
port=$(cat "$share/hall-port" 2>/dev/null || true)
if [ -n "$port" ] && systemd-run --unit=kiosk-upd-hall-proxy --quiet \
        --socket-property=ListenStream=127.0.0.1:8080 \
        /usr/lib/systemd/systemd-socket-proxyd "10.0.2.2:$port"; then
    say "HALL-FORWARD 127.0.0.1:8080 -> 10.0.2.2:$port"
else
    say "FAIL hall-forward (port '$port')"
fi
slot=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^rauc\.slot=//p' | tail -n1)
counted=no
[ -e /sys/firmware/efi/efivars/LoaderBootCountPath-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f ] && counted=yes
say "BOOT slot=${slot:-none} version=$(cat /usr/share/kiosk/image-version 2>/dev/null || echo unknown) trial=$counted uptime=$(uptime_s)"

while :; do
    for req in "$share"/cmd/sh-*.cmd; do
        [ -e "$req" ] || continue
        base=${req%.cmd}
        mv "$req" "$base.running" || continue
        sh -c "$(cat "$base.running")" > "$base.out" 2>&1
        echo "$?" > "$base.rc.part" && mv "$base.rc.part" "$base.rc"
    done
    sleep 0.2
done
