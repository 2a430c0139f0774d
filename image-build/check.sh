#!/usr/bin/env bash
# check.sh: the fast checks of image-build/ (seconds, no root, no VM, no network):
#   1. `systemd-analyze verify` on every unit, and `systemd-analyze security` of kiosk.service
#      (exposure at most 2.5) (Debian package: systemd);
#   2. `shellcheck` on every shell script here (Debian package: shellcheck), the Python
#      helpers compile (python3), and the touch flows (tests/flows/) parse with hil/flow.py;
#   3. the udev rules: `udevadm verify` where it exists (systemd >= 253), otherwise a syntax
#      check of our own (bookworm's udevadm 252 has no `verify`); plus: every vendor id of
#      drivers/src/usb_ids.rs has a rule;
#   4. the cargo-deb asset list names files that exist;
#   5. updates (A/B): RAUC's system.conf parses (rauc loads it to read a bundle), the keyring
#      holds a valid certificate, a bundle signed with the development key verifies against
#      it and one signed by another key does not, and the custom boot loader backend runs
#      an install, a commit and a fall-back on a stand-in EFI partition (Debian packages:
#      rauc squashfs-tools e2fsprogs openssl).
# Exits non-zero on the first failing group, after printing every problem of that group.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
failed=0
fail() {
    echo "FAIL: $*" >&2
    failed=1
}
need() {
    if ! command -v "$1" >/dev/null 2>&1; then
        echo "check.sh: '$1' is missing; install the Debian package '$2' (apt-get install --no-install-recommends $2)" >&2
        exit 1
    fi
}
need systemd-analyze systemd
need shellcheck shellcheck
need python3 python3

# --- 1. Units ---
# `systemd-analyze verify` checks that ExecStart= binaries exist and are executable, and
# resolves User=/Group= names. The units name the real installed paths (/usr/bin/kiosk,
# /usr/libexec/kiosk/kiosk-provision), which a build machine does not have. So the check
# runs against a throw-away root (--root) holding the units and a stub at each ExecStart
# path: only the unit files are under test here, not the binaries. The kiosk user is resolved
# from the host's passwd, so it is checked as a plain name (the image creates it).
echo "==> systemd-analyze verify"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/usr/lib/systemd" "$tmp/usr/bin" "$tmp/usr/libexec/kiosk" "$tmp/etc"
# The host's own units (targets, udev, getty) so that dependencies resolve, then ours.
cp -a /usr/lib/systemd/system "$tmp/usr/lib/systemd/"
units=("$here"/systemd/*.service "$here"/systemd/*.path "$here"/hil/guest/*.service)
cp "${units[@]}" "$tmp/usr/lib/systemd/system/"
mapfile -t stubs < <(sed -nE 's/^Exec[A-Za-z]+=[-@+!:]*(\/[^ ]+).*/\1/p' "${units[@]}" | sort -u)
for stub in "${stubs[@]}"; do
    mkdir -p "$tmp$(dirname "$stub")"
    printf '#!/bin/sh\nexit 0\n' > "$tmp$stub"
    chmod 755 "$tmp$stub"
done
log="$tmp/verify.log"
for unit in "${units[@]}"; do
    name=$(basename "$unit")
    # Every message that names one of our units is a failure (unknown keys and bad values are
    # only warnings to systemd, which then ignores the line: a silently weaker sandbox).
    # Messages about the host's own units are not ours to fix.
    rc=0
    SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no --root="$tmp" \
        "$tmp/usr/lib/systemd/system/$name" > "$log" 2>&1 || rc=$?
    if grep -q "kiosk" "$log" || { [ "$rc" -ne 0 ] && [ ! -s "$log" ]; }; then
        cat "$log" >&2
        fail "systemd-analyze verify $name (exit $rc)"
    else
        echo "ok   $name"
    fi
done
# The sandbox must not silently weaken: systemd's own exposure score of kiosk.service (0 =
# locked down, 10 = wide open) stays at or below 2.5; it is 1.6 today.
if sec=$(systemd-analyze security --offline=true --no-pager --threshold=25 \
    "$here/systemd/kiosk.service" 2>&1); then
    echo "ok   kiosk.service $(echo "$sec" | tail -n1 | sed 's/^→ //')"
else
    echo "$sec" | grep -E '✗|Overall' >&2
    fail "systemd-analyze security: kiosk.service is exposed above 2.5"
fi
# The drop-ins are parsed by daemons, not by `verify`; check their sections at least.
for f in "$here"/systemd/journald.conf.d/*.conf "$here"/systemd/logind.conf.d/*.conf "$here"/systemd/network/*.network; do
    if ! grep -q '^\[\(Journal\|Login\|Match\)\]' "$f"; then
        fail "$f: missing its [Journal]/[Login]/[Match] section"
    fi
done

# --- 2. Shell scripts ---
echo "==> shellcheck"
mapfile -t scripts < <(grep -rlE '^#!(/usr)?/bin/(env )?(ba)?sh' "$here" --exclude-dir=out --exclude-dir=cache)
if shellcheck -x "${scripts[@]}"; then
    printf 'ok   %s\n' "${scripts[@]#"$repo"/}"
else
    fail "shellcheck"
fi

# Python helpers: they must at least compile (python3 is needed anyway for the rules check).
for py in "$here"/udev/*.py "$here"/hil/*.py "$here"/fonts/*.py; do
    if python3 -m py_compile "$py" 2>"$tmp/py.log"; then
        echo "ok   ${py#"$repo"/}"
    else
        cat "$tmp/py.log" >&2
        fail "python3 cannot compile $py"
    fi
done
# The touch flows the HIL test walks parse with its driver (the e2e test parses them in Rust).
for flow in "$repo"/tests/flows/*.txt; do
    if out=$(python3 "$here/hil/flow.py" "$flow" --check 2>&1); then
        echo "ok   ${out#"$repo"/}"
    else
        echo "$out" >&2
        fail "hil/flow.py cannot read ${flow#"$repo"/}"
    fi
done
find "$here" -name __pycache__ -type d -prune -exec rm -rf {} +

# The provisioning script, run for real on a temporary folder as the current user: it makes a
# 32-byte key with mode 0600, keeps it on the next run, and repairs a loose mode.
prov="$tmp/prov"
mkdir -p "$prov"
me=$(id -un)
if KIOSK_USER=$me "$here/systemd/kiosk-provision" "$prov/outbox.key" > /dev/null \
    && [ "$(wc -c < "$prov/outbox.key")" -eq 32 ] && [ "$(stat -c %a "$prov/outbox.key")" = 600 ]; then
    first=$(sha256sum < "$prov/outbox.key")
    chmod 644 "$prov/outbox.key"
    KIOSK_USER=$me "$here/systemd/kiosk-provision" "$prov/outbox.key" > /dev/null
    if [ "$(sha256sum < "$prov/outbox.key")" = "$first" ] && [ "$(stat -c %a "$prov/outbox.key")" = 600 ]; then
        echo "ok   kiosk-provision makes, keeps and repairs the key"
    else
        fail "kiosk-provision replaced the key or left mode $(stat -c %a "$prov/outbox.key")"
    fi
else
    fail "kiosk-provision did not make a 32-byte 0600 key"
fi
if KIOSK_USER=no-such-user-kiosk-check "$here/systemd/kiosk-provision" "$prov/other.key" 2>/dev/null \
    || [ -e "$prov/other.key" ]; then
    fail "kiosk-provision accepted an unknown user"
fi

# --- 3. udev rules ---
echo "==> udev rules"
rules=("$here"/udev/*.rules)
if udevadm verify --help >/dev/null 2>&1; then
    udevadm verify --resolve-names=never "${rules[@]}" || fail "udevadm verify"
else
    # Bookworm's udevadm 252 lacks `verify`. Check each rule line the way udev tokenises it:
    # comma-separated KEY[{attr}]OP"value" pairs, known keys, quoted values, GOTO targets that
    # exist as LABELs.
    python3 "$here/udev/check_rules.py" "${rules[@]}" || fail "udev rules syntax"
fi
# Every vendor of the known-device table has a rule giving the kiosk its device.
mapfile -t vids < <(python3 -c '
import re, sys
src = open(sys.argv[1]).read()
print("\n".join(sorted({m.lower() for m in re.findall(r"dev\(\s*0x([0-9A-Fa-f]{4})", src)})))
' "$repo/drivers/src/usb_ids.rs")
[ "${#vids[@]}" -gt 0 ] || fail "no vendor ids found in drivers/src/usb_ids.rs (has its format changed?)"
for vid in "${vids[@]}"; do
    grep -q "$vid" "${rules[@]}" || fail "vendor $vid of drivers/src/usb_ids.rs has no udev rule"
done
echo "ok   ${#vids[@]} vendor ids of drivers/src/usb_ids.rs covered"

# --- 4. The .deb's assets exist ---
echo "==> cargo-deb assets"
while IFS= read -r src; do
    case "$src" in
        target/*) continue ;; # built by cargo
    esac
    [ -e "$repo/kiosk/$src" ] || fail "kiosk/Cargo.toml [package.metadata.deb] asset '$src' does not exist"
done < <(sed -n '/^\[package.metadata.deb\]/,/^\[/p' "$repo/kiosk/Cargo.toml" | grep -oE '^\s*\["[^"]+"' | sed -E 's/^\s*\["//; s/"$//')
[ -d "$repo/kiosk/../image-build/deb" ] || fail "maintainer scripts folder image-build/deb missing"
echo "ok   assets"

# --- 5. Updates (A/B) ---
echo "==> updates: RAUC system.conf, keyring, bundle signature, boot loader backend"
need rauc rauc
need mksquashfs squashfs-tools
need mkfs.ext4 e2fsprogs
need openssl openssl
rauc_dir="$here/rauc"
keyring="$rauc_dir/dev/keyring.pem"
if openssl x509 -in "$keyring" -noout -checkend 2592000 > /dev/null; then
    echo "ok   development keyring: $(openssl x509 -in "$keyring" -noout -subject | sed 's/^subject=//') (valid until $(openssl x509 -in "$keyring" -noout -enddate | sed 's/^notAfter=//'): 30 days or more)"
else
    fail "$keyring is not a certificate valid for 30 more days (make a new one: README.md, Updates)"
fi
# A tiny bundle (a 4 MiB ext4 image) with the compatible string of system.conf.
bdir="$tmp/bundle"
mkdir -p "$bdir/root" "$bdir/content"
head -c 65536 /dev/urandom > "$bdir/root/noise" # squashfs wants more than 4 KiB
mkfs.ext4 -q -F -L root -d "$bdir/root" "$bdir/content/root.img" 4M > /dev/null 2>&1
compatible=$(sed -n 's/^compatible=//p' "$rauc_dir/system.conf")
printf '[update]
compatible=%s
version=0.0.0-check

[bundle]
format=verity

[image.rootfs]
filename=root.img
'     "$compatible" > "$bdir/content/manifest.raucm"
rauc bundle --cert="$rauc_dir/dev/DEVELOPMENT-ONLY-signing.cert.pem"     --key="$rauc_dir/dev/DEVELOPMENT-ONLY-signing.key.pem" "$bdir/content" "$bdir/dev.raucb" > "$bdir/log" 2>&1     || { cat "$bdir/log" >&2; fail "rauc bundle with the development key"; }
# `rauc --conf` loads and checks system.conf (unknown keys, bad slots) before anything else.
if rauc --conf="$rauc_dir/system.conf" --keyring="$keyring" info "$bdir/dev.raucb" > "$bdir/info" 2>&1     && grep -q "Compatible:.*'$compatible'" "$bdir/info"; then
    echo "ok   system.conf parses; a development-signed bundle verifies against the keyring"
else
    cat "$bdir/info" >&2
    fail "rauc with image-build/rauc/system.conf and the development keyring"
fi
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=stranger"     -keyout "$bdir/other.key" -out "$bdir/other.cert" > /dev/null 2>&1
rauc bundle --cert="$bdir/other.cert" --key="$bdir/other.key" "$bdir/content" "$bdir/other.raucb" > /dev/null 2>&1
if rauc --conf="$rauc_dir/system.conf" --keyring="$keyring" info "$bdir/other.raucb" > "$bdir/other.log" 2>&1; then
    fail "a bundle signed by an unknown key verified against the keyring"
else
    echo "ok   a bundle signed by an unknown key is refused: $(tail -n1 "$bdir/other.log")"
fi
sh "$rauc_dir/check-bootloader.sh" || fail "the RAUC boot loader backend"

if [ "$failed" -ne 0 ]; then
    echo "image-build checks FAILED" >&2
    exit 1
fi
echo "image-build checks passed"
