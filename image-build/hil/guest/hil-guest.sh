#!/bin/sh
# hil-guest.sh setup|devices|test: the guest half of the hardware-in-the-loop test (hil/run.sh is the
# host half). Talks to the host only through markers on the serial console ("HIL <WORD> ...",
# read by run.sh) and files on the 9p share (host0, mounted at /run/kiosk-hil/share).
#
# setup (kiosk-hil-setup.service, beside kiosk.service: run.sh wrote the test kiosk.toml and
# credential into the copy of var.img before the boot):
#   - mounts the share;
#   - udev rules for the test gadgets' ids (in /run: the shipped rules stay untouched);
# devices (kiosk-hil-devices.service, beside the kiosk's start, not before it: a kiosk finds
# its devices by hot-plug, and the harness must not delay the first frame it measures):
#   - forwards 127.0.0.1:8080 in the guest to the hall on the host (10.0.2.2:$HALL_PORT),
#     so the kiosk's config can use the loopback address its validation allows over http;
#   - dummy_hcd + configfs: a USB printer-class gadget (1d6b:0104, /dev/g_printer0) on
#     dummy_udc.0 and a HID keyboard scanner gadget (1209:0001, /dev/hidg0) on dummy_udc.1;
#   - the printer emulator `kioskctl printer simulate --port /dev/g_printer0` (one opener only:
#     it reads jobs and writes status on the same fd), receipts to share/receipts/.
# test (kiosk-hil.service, after kiosk.service):
#   - reports kiosk.service's state and the device nodes the kiosk sees;
#   - types a QR code on the HID scanner when the host creates share/cmd/scan;
#   - runs the host's console requests (share/cmd/sh-N.cmd: `kioskctl session …` and the like);
#   - waits for share/cmd/done (or its time limit), prints HIL RC=n, powers off.
set -u

share=/run/kiosk-hil/share
say() { echo "HIL $*" > /dev/console 2>/dev/null || echo "HIL $*"; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }

setup_share() {
    modprobe 9pnet_virtio 2>/dev/null || true
    mkdir -p "$share"
    if ! mountpoint -q "$share"; then
        mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 host0 "$share" || {
            say "FAIL share: cannot mount the host share host0 (is -virtfs given?)"
            return 1
        }
    fi
}

setup_udev() {
    mkdir -p /run/udev/rules.d
    cat > /run/udev/rules.d/59-kiosk-hil.rules <<'EOF'
# HIL test gadgets: the printer (1d6b:0104) and the HID scanner (1209:0001) to the kiosk user.
SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_device", ATTR{idVendor}=="1d6b", ATTR{idProduct}=="0104", MODE="0660", GROUP="plugdev"
SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_device", ATTR{idVendor}=="1209", ATTR{idProduct}=="0001", MODE="0660", GROUP="plugdev"
SUBSYSTEM=="usbmisc", KERNEL=="lp[0-9]*", SUBSYSTEMS=="usb", ATTRS{idVendor}=="1d6b", MODE="0660", GROUP="plugdev"
SUBSYSTEM=="hidraw", SUBSYSTEMS=="usb", ATTRS{idVendor}=="1209", ATTRS{idProduct}=="0001", MODE="0660", GROUP="plugdev"
EOF
    udevadm control --reload-rules 2>/dev/null || true
}

setup_hall_forward() {
    port=$(cat "$share/hall-port" 2>/dev/null || true)
    if [ -z "$port" ]; then
        say "WAITING hall: the host started no hall backend; no forward to it"
        return 0
    fi
    # systemd-socket-proxyd needs socket activation: a transient socket + service pair.
    if systemd-run --unit=kiosk-hil-hall-proxy --quiet \
        --socket-property=ListenStream=127.0.0.1:8080 \
        /usr/lib/systemd/systemd-socket-proxyd "10.0.2.2:$port"; then
        say "HALL-FORWARD 127.0.0.1:8080 -> 10.0.2.2:$port"
    else
        say "FAIL hall-forward: systemd-socket-proxyd did not start"
    fi
}

gadget_common() { # DIR VID PID PRODUCT
    mkdir -p "$1" && cd "$1" || return 1
    echo "$2" > idVendor
    echo "$3" > idProduct
    mkdir -p strings/0x409 configs/c.1/strings/0x409
    echo "Kiosk HIL" > strings/0x409/manufacturer
    echo "$4" > strings/0x409/product
    echo "HIL0001" > strings/0x409/serialnumber
    echo cfg1 > configs/c.1/strings/0x409/configuration
}

setup_gadgets() {
    if ! modprobe dummy_hcd num=2 || ! modprobe libcomposite; then
        say "FAIL gadgets: dummy_hcd/libcomposite modules missing in the guest kernel"
        return 1
    fi
    mountpoint -q /sys/kernel/config || mount -t configfs none /sys/kernel/config
    cfs=/sys/kernel/config/usb_gadget
    # Printer class (ESC/POS behind it): /dev/g_printer0 on the gadget side.
    gadget_common "$cfs/printer" 0x1d6b 0x0104 "HIL Receipt Printer" || return 1
    mkdir -p functions/printer.usb0
    echo "MFG:Kiosk;MDL:HIL-ESCPOS;CMD:ESCPOS;" > functions/printer.usb0/pnp_string
    ln -s functions/printer.usb0 configs/c.1/
    echo dummy_udc.0 > UDC
    # HID boot keyboard, as a QR scanner in keyboard mode: /dev/hidg0 on the gadget side.
    gadget_common "$cfs/scanner" 0x1209 0x0001 "HIL QR Scanner" || return 1
    mkdir -p functions/hid.usb0
    echo 1 > functions/hid.usb0/protocol
    echo 1 > functions/hid.usb0/subclass
    echo 8 > functions/hid.usb0/report_length
    printf '\005\001\011\006\241\001\005\007\031\340\051\347\025\000\045\001\165\001\225\010\201\002\225\001\165\010\201\003\225\006\165\010\025\000\045\145\005\007\031\000\051\145\201\000\300' \
        > functions/hid.usb0/report_desc
    ln -s functions/hid.usb0 configs/c.1/
    echo dummy_udc.1 > UDC
    cd / || return 1
    udevadm settle --timeout=10 || true
    n=0
    while [ ! -e /dev/g_printer0 ] && [ "$n" -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
    if [ -e /dev/g_printer0 ] && [ -e /dev/hidg0 ]; then
        say "READY-GADGETS printer=/dev/g_printer0 scanner=/dev/hidg0 uptime=$(uptime_s)"
    else
        say "FAIL gadgets: /dev/g_printer0 or /dev/hidg0 did not appear"
        return 1
    fi
}

setup_printer_sim() {
    mkdir -p "$share/receipts" /run/kiosk-hil
    # The emulator stops when its stdin closes. A fifo opened read-write (0<>) never reaches
    # end-of-file, and keeps kioskctl itself the unit's main process, so is-active is honest.
    rm -f /run/kiosk-hil/printer.in && mkfifo /run/kiosk-hil/printer.in
    systemd-run --unit=kiosk-hil-printer --quiet --property=StandardOutput=journal+console \
        sh -c "exec kioskctl printer simulate --port /dev/g_printer0 --out $share/receipts 0<>/run/kiosk-hil/printer.in"
    sleep 3
    if systemctl is-active --quiet kiosk-hil-printer; then
        say "READY-PRINTER kioskctl printer simulate on /dev/g_printer0"
    else
        say "FAIL printer-sim: kioskctl printer simulate exited on /dev/g_printer0: $(journalctl -u kiosk-hil-printer -o cat --no-pager | grep -m2 -i error | tr '\n' ' ')"
    fi
}

# HID usage ids of a US keyboard for the characters a receipt's QR code uses (a URL:
# letters, digits and - _ = : / ? . &), as modifier and usage.
hid_key() {
    case "$1" in
        [a-z]) printf '0 %d' $(( $(printf '%d' "'$1") - 97 + 4 )) ;;
        [A-Z]) printf '2 %d' $(( $(printf '%d' "'$1") - 65 + 4 )) ;;
        [1-9]) printf '0 %d' $(( $1 + 29 )) ;;
        0) printf '0 39' ;;
        -) printf '0 45' ;;
        _) printf '2 45' ;;
        =) printf '0 46' ;;
        :) printf '2 51' ;;
        /) printf '0 56' ;;
        \?) printf '2 56' ;;
        .) printf '0 55' ;;
        \&) printf '2 36' ;;
        *) printf '0 0' ;;
    esac
}

scan_code() { # types CODE then Enter on /dev/hidg0
    code=$1
    i=0
    while [ "$i" -lt "${#code}" ]; do
        ch=$(printf '%s' "$code" | cut -c $((i + 1)))
        # shellcheck disable=SC2046 # two numbers: modifier and usage
        set -- $(hid_key "$ch")
        # One 8-byte boot-keyboard report: modifier, reserved, key, five unused keys.
        report="\\$(printf '%03o' "$1")\\000\\$(printf '%03o' "$2")\\000\\000\\000\\000\\000"
        # shellcheck disable=SC2059 # the report is built from octal escapes on purpose
        printf "$report" > /dev/hidg0
        printf '\000\000\000\000\000\000\000\000' > /dev/hidg0
        i=$((i + 1))
    done
    printf '\000\000\050\000\000\000\000\000' > /dev/hidg0
    printf '\000\000\000\000\000\000\000\000' > /dev/hidg0
}

# The host's requests, as the technician's console would type them: share/cmd/sh-N.cmd holds
# one shell command line (run as root, e.g. `kioskctl session press apply`); its output goes
# to sh-N.out and its exit status to sh-N.rc, written last so the host can wait for it.
run_requests() {
    for req in "$share"/cmd/sh-*.cmd; do
        [ -e "$req" ] || continue
        base=${req%.cmd}
        mv "$req" "$base.running" || continue
        sh -c "$(cat "$base.running")" > "$base.out" 2>&1
        echo "$?" > "$base.rc.part" && mv "$base.rc.part" "$base.rc"
    done
}

# The kiosk's own figure for its first frame, from its journal: the monotonic time since
# the kernel started (power-on under direct kernel boot) and the kiosk's `ms` since its start.
first_frame() {
    line=$(journalctl -b -u kiosk -o short-monotonic --no-pager | grep -m1 'first frame drawn')
    if [ -n "$line" ]; then
        mono=$(printf '%s' "$line" | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p')
        ms=$(printf '%s' "$line" | sed -n 's/.*first frame drawn.*ms=\([0-9]*\).*/\1/p')
        say "FIRST-FRAME monotonic=$mono kiosk_ms=$ms"
    else
        say "WAITING first-frame: no 'first frame drawn' in the kiosk's journal"
    fi
}

# Where the boot's time went: systemd's split (kernel, initrd, userspace), the chain the
# kiosk waited on, and the slowest units, to share/boot-analyze.txt; one line on the console.
boot_analyze() {
    out="$share/boot-analyze.txt"
    timeout 90 systemctl is-system-running --wait > /dev/null 2>&1 || true
    {
        echo "## kernel: end of its own start (dmesg), then the initrd until systemd"
        dmesg | grep -m1 -E 'Run /init as init process|Freeing unused kernel image' || true
        echo "## systemd-analyze"
        systemd-analyze time 2>&1
        echo "## systemd-analyze critical-chain kiosk.service"
        systemd-analyze critical-chain --no-pager kiosk.service 2>&1
        echo "## systemd-analyze blame (top 25)"
        systemd-analyze blame --no-pager 2>&1 | head -n 25
        echo "## kernel command line"
        cat /proc/cmdline
        echo "## initrd size"
        ls -l /boot/initrd.img-* 2>&1
    } > "$out" 2>&1
    say "BOOT-ANALYZE $(systemd-analyze time 2>&1 | head -n1)"
}

run_test() {
    rc=0
    say "TEST START uptime=$(uptime_s)"
    state=$(systemctl show -p ActiveState --value kiosk.service)
    sub=$(systemctl show -p SubState --value kiosk.service)
    restarts=$(systemctl show -p NRestarts --value kiosk.service)
    say "KIOSK-UNIT state=$state/$sub restarts=$restarts"
    root_opts=$(findmnt -no OPTIONS /)
    var_opts=$(findmnt -no OPTIONS /var)
    etc_src=$(findmnt -no SOURCE /etc/kiosk)
    case "$root_opts" in
        ro,*) say "ROOTFS-RO / $root_opts; /var $var_opts; /etc/kiosk from $etc_src" ;;
        *) say "FAIL rootfs: / is mounted $root_opts, not read-only"; rc=1 ;;
    esac
    for node in /dev/kiosk-idcard /dev/kiosk-printer /dev/kiosk-scanner /dev/dri/card0 /dev/g_printer0 /dev/hidg0; do
        if [ -e "$node" ]; then
            say "DEV $node $(stat -L -c '%U:%G %a' "$node")$( [ -L "$node" ] && echo " -> $(readlink "$node")")"
        else
            say "DEV $node absent"
        fi
    done
    if [ -L /dev/kiosk-idcard ]; then
        say "READY-IDCARD /dev/kiosk-idcard -> $(readlink /dev/kiosk-idcard) (ftdi_sio)"
    else
        say "FAIL idcard: no /dev/kiosk-idcard (FTDI usb-serial missing or udev rule broken)"
        rc=1
    fi
    if kioskctl config check /etc/kiosk/kiosk.toml > /run/kiosk-hil/config-check.txt 2>&1; then
        say "CONFIG-OK kioskctl config check /etc/kiosk/kiosk.toml"
    else
        say "FAIL config: $(grep -m3 -i error /run/kiosk-hil/config-check.txt | tr '\n' ' ')"
        rc=1
    fi
    if [ "$state" = active ]; then
        say "KIOSK-READY uptime=$(uptime_s)"
        first_frame
        boot_analyze
    else
        say "WAITING kiosk-service: kiosk.service is $state/$sub: $(journalctl -u kiosk -o cat --no-pager | grep -v -E '^(Stopped|Starting|Started|Failed to start|kiosk.service: (Consumed|Scheduled|Main process))' | tail -n 2 | tr '\n' ' ')"
    fi
    mkdir -p "$share/cmd"
    limit=$(cat "$share/cmd/limit" 2>/dev/null || echo 60)
    n=0
    while [ ! -e "$share/cmd/done" ] && [ "$n" -lt $((limit * 10)) ]; do
        run_requests
        if [ -e "$share/cmd/scan" ]; then
            code=$(cat "$share/cmd/scan")
            rm -f "$share/cmd/scan"
            scan_code "$code" && say "SCANNED ${#code} chars on /dev/hidg0"
        fi
        sleep 0.1
        n=$((n + 1))
    done
    journalctl -b -u kiosk -u kiosk-provision -o short-monotonic --no-pager > "$share/journal-kiosk.txt" 2>&1
    say "RC=$rc"
    say "END"
    return "$rc"
}

case "${1:-}" in
    setup)
        say "SETUP START uptime=$(uptime_s)"
        setup_share || exit 0
        setup_udev
        say "SETUP END uptime=$(uptime_s)"
        ;;
    devices)
        setup_hall_forward
        setup_gadgets
        setup_printer_sim
        ;;
    test) run_test ;;
    *) echo "usage: hil-guest.sh setup|devices|test" >&2; exit 2 ;;
esac
