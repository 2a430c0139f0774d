#!/bin/sh
# check-bootloader.sh: runs kiosk-rauc-bootloader (the RAUC custom backend) for real on a
# folder standing in for the EFI partition, through the calls RAUC and systemd-boot make
# in an update: install into B, B's trial boot (systemd-boot counts its try down), then
# either the commit (`rauc status mark-good`) or a failed check and the fall-back to A.
# Part of image-build/check.sh (no root, no VM).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
backend="$here/kiosk-rauc-bootloader"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
fail() {
    echo "FAIL: kiosk-rauc-bootloader: $*" >&2
    failed=1
}
expect() { # WANT COMMAND...: the command's output must be WANT
    want=$1
    shift
    got=$("$backend" "$@" 2>&1) || got="exit $?: $got"
    [ "$got" = "$want" ] || fail "'$*' said '$got', not '$want'"
}
entries() { (cd "$KIOSK_ESP/loader/entries" && echo *); }

export KIOSK_ESP="$tmp/esp" KIOSK_CMDLINE_FILE="$tmp/cmdline"
export KIOSK_SLOT_ROOT_A="$tmp/slot-a" KIOSK_SLOT_ROOT_B="$tmp/slot-b"
for s in a b; do
    mkdir -p "$tmp/slot-$s/boot" "$tmp/slot-$s/usr/share/kiosk"
    echo "kernel of $s" > "$tmp/slot-$s/boot/vmlinuz-6.1.0-test"
    echo "initrd of $s" > "$tmp/slot-$s/boot/initrd.img-6.1.0-test"
    echo "ro quiet" > "$tmp/slot-$s/usr/share/kiosk/cmdline"
done
echo "1.0.0" > "$tmp/slot-a/usr/share/kiosk/image-version"
echo "2.0.0" > "$tmp/slot-b/usr/share/kiosk/image-version"

# As build.sh leaves a new disk: slot A committed and primary, no entry for B.
mkdir -p "$KIOSK_ESP/loader/entries"
echo "title Kiosk" > "$KIOSK_ESP/loader/entries/kiosk-2-a.conf"
echo "root=PARTLABEL=root-a ro rauc.slot=A quiet" > "$KIOSK_CMDLINE_FILE"
expect A get-primary
expect A get-current
expect good get-state A
expect bad get-state B

# rauc install: B barred while it is written, then made primary on trial.
"$backend" set-state B bad || fail "set-state B bad without an entry"
"$backend" set-primary B || fail "set-primary B"
[ "$(entries)" = "kiosk-1-a.conf kiosk-2-b+1.conf" ] || fail "after install the entries are: $(entries)"
grep -q "options root=PARTLABEL=root-b rauc.slot=B ro quiet" "$KIOSK_ESP/loader/entries/kiosk-2-b+1.conf" \
    || fail "B's entry: $(cat "$KIOSK_ESP/loader/entries/kiosk-2-b+1.conf")"
grep -q "version 2.0.0" "$KIOSK_ESP/loader/entries/kiosk-2-b+1.conf" || fail "B's entry lacks its version"
[ "$(cat "$KIOSK_ESP/kiosk-b/vmlinuz")" = "kernel of b" ] || fail "B's kernel was not copied"
expect B get-primary
expect good get-state B
cp -a "$KIOSK_ESP" "$tmp/esp-installed"

# The trial boot: systemd-boot counts B's try down before starting it.
mv "$KIOSK_ESP/loader/entries/kiosk-2-b+1.conf" "$KIOSK_ESP/loader/entries/kiosk-2-b+0-1.conf"
echo "root=PARTLABEL=root-b ro rauc.slot=B quiet" > "$KIOSK_CMDLINE_FILE"
expect B get-current
# a) The kiosk's check passed: kiosk-commit.service runs `rauc status mark-good`.
"$backend" set-state B good || fail "set-state B good"
[ "$(entries)" = "kiosk-1-a.conf kiosk-2-b.conf" ] || fail "after the commit the entries are: $(entries)"
expect B get-primary
expect good get-state B

# b) The check failed (or B never came up): the machine reboots with B out of tries, and
#    the next boot is A's, by the boot loader alone.
rm -rf "$KIOSK_ESP" && cp -a "$tmp/esp-installed" "$KIOSK_ESP"
mv "$KIOSK_ESP/loader/entries/kiosk-2-b+1.conf" "$KIOSK_ESP/loader/entries/kiosk-2-b+0-1.conf"
expect A get-primary
expect bad get-state B
expect good get-state A

# On the kiosk the EFI partition is not mounted (fstab: noauto): every command must mount it
# itself, also the ones that only read (get-primary, get-state) and mark-good's set-state,
# and leave it unmounted again. Stand-in mount commands: the partition's files are in
# $tmp/part and appear at the mount point only while "mounted" (a symlink in its place).
mkdir -p "$tmp/bin" "$tmp/part/loader/entries" "$tmp/mnt"
echo "title Kiosk" > "$tmp/part/loader/entries/kiosk-2-a.conf"
cat > "$tmp/bin/mountpoint" <<'STUB'
#!/bin/sh
[ -L "$2" ]
STUB
cat > "$tmp/bin/mount" <<'STUB'
#!/bin/sh
# mount -o OPTIONS DIR
echo "mount $2" >> "$STUB_LOG"
case "$2" in
    remount,*) [ -L "$3" ] || { echo "mount: $3: not mounted" >&2; exit 32; } ;;
    *) [ ! -L "$3" ] || { echo "mount: $3: already mounted" >&2; exit 32; }
       rmdir "$3" && ln -s "$STUB_PART" "$3" ;;
esac
STUB
cat > "$tmp/bin/umount" <<'STUB'
#!/bin/sh
echo "umount" >> "$STUB_LOG"
[ -L "$1" ] || { echo "umount: $1: not mounted" >&2; exit 32; }
rm "$1" && mkdir "$1"
STUB
chmod +x "$tmp/bin/mountpoint" "$tmp/bin/mount" "$tmp/bin/umount"
unmounted() { # COMMAND...: runs the backend on the unmounted stand-in; its output
    KIOSK_ESP="$tmp/mnt" KIOSK_ESP_MOUNT=1 STUB_PART="$tmp/part" STUB_LOG="$tmp/mounts.log" \
        PATH="$tmp/bin:$PATH" "$backend" "$@" 2>&1 || echo "exit $?"
    [ ! -L "$tmp/mnt" ] || fail "'$*' left the EFI partition mounted"
}
echo "root=PARTLABEL=root-a ro rauc.slot=A quiet" > "$KIOSK_CMDLINE_FILE"
[ "$(unmounted get-primary)" = A ] || fail "get-primary with the EFI partition unmounted: $(unmounted get-primary)"
[ "$(unmounted get-state A)" = good ] || fail "get-state A with the EFI partition unmounted: $(unmounted get-state A)"
[ -z "$(unmounted set-state B bad)" ] || fail "set-state B bad with the EFI partition unmounted"
[ -z "$(unmounted set-primary B)" ] || fail "set-primary B with the EFI partition unmounted: $(unmounted set-primary B)"
mv "$tmp/part/loader/entries/kiosk-2-b+1.conf" "$tmp/part/loader/entries/kiosk-2-b+0-1.conf" 2>/dev/null \
    || fail "no trial entry for B on the unmounted partition: $(cd "$tmp/part/loader/entries" && echo *)"
echo "root=PARTLABEL=root-b ro rauc.slot=B quiet" > "$KIOSK_CMDLINE_FILE"
got=$(unmounted set-state B good)
[ -z "$got" ] || fail "mark-good (set-state B good) with the EFI partition unmounted: $got"
[ "$(cd "$tmp/part/loader/entries" && echo *)" = "kiosk-1-a.conf kiosk-2-b.conf" ] \
    || fail "after install and commit on the unmounted partition the entries are: $(cd "$tmp/part/loader/entries" && echo *)"
grep -q "remount,rw" "$tmp/mounts.log" || fail "the partition was never made writable: $(cat "$tmp/mounts.log")"

# Wrong arguments are refused with a reason.
expect "exit 1: kiosk-rauc-bootloader: unknown slot 'C' (A or B)" get-state C
expect "exit 1: kiosk-rauc-bootloader: set-state needs good or bad, not 'maybe'" set-state A maybe

[ "$failed" -eq 0 ] || exit 1
echo "ok   kiosk-rauc-bootloader: install, trial boot, commit and fall-back on a stand-in EFI partition, mounted by the backend itself as on the kiosk"
