#!/usr/bin/env bash
# build.sh: builds the kiosk's Debian 12 disk image from Debian's packages. Run as root.
#
#   image-build/build.sh [--out DIR] [--deb FILE] [--profile release|dev] [--quick] [--debug] [--base-only]
#                        [--version V] [--bundle] [--keyring PEM] [--signing-cert PEM --signing-key PEM]
#
# Steps and timings, measured 2026-11-26 on the shared 2-core build machine under load
# (load average 8-14 from other builds; `nice -n 19`):
#   1. kiosk .deb with cargo-deb (`cargo deb -p kiosk -- --features linuxkms`: the screen on
#      DRM/KMS with libinput touch): binaries, units, udev rules, example config. 8.7 s with --no-build after `cargo build` (dev build of the kiosk crate from
#      clean: 29 min under that load); skipped with --deb FILE. --profile dev works but
#      cargo-deb 3.8 warns it will refuse dev profiles in the future.
#   2. Base root filesystem with mmdebstrap (minbase + kernel, systemd, udev, Slint runtime
#      libraries, fonts-noto-cjk, systemd-boot): 655 s at nice 19 under that load (about
#      3 min on an idle machine); 751 MB tar. Cached as $CACHE/rootfs-<hash of the package
#      list>.tar and reused while the list is unchanged (0 s).
#   3. Unpack the tarball, install the .deb in a chroot (creates the kiosk user, enables the
#      units), set up the read-only root (fstab, /etc/kiosk on /var, masked getty): 3 s; the
#      CJK font subset (fonts/subset.py: 113 s with the initrd when its cache is cold, 2026-12-05).
#   4. Filesystem images without loop mounts: `mkfs.ext4 -d` for root and var, `mkfs.vfat -C`
#      + `mcopy` for the ESP with systemd-boot and slot A's boot entry: 3 s.
#   5. GPT disk assembled with `sfdisk` + `dd` (ESP 128 MiB, root-a and root-b 2 GiB each,
#      var 1 GiB; root-b stays empty until the first update): 44 s (dd reads the sparse
#      images whole).
#   6. (--bundle) the signed RAUC bundle of root.img: out/kiosk-VERSION.raucb.
#   With the cache warm and the .deb given: 50 s in all. Root uses 839 MB of its 2 GiB.
#
# Outputs in --out (default image-build/out/):
#   kiosk-disk.raw   raw GPT disk, UEFI-bootable (systemd-boot): write it to the kiosk's disk
#   vmlinuz, initrd.img, root.img, var.img   for direct kernel boot in tests (hil/run.sh)
#   build.log-times  the measured time of each step
#   kiosk-VERSION.raucb  (--bundle) the update bundle of this image, signed, verity format
#
# --quick     test images: the release profile without LTO and with 16 codegen units
#             (CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16): much
#             faster to build on 2 cores, a somewhat slower binary. Ship images without it.
# --base-only only makes (or finds) the cached base tarball: warms the cache in CI.
# --debug leaves root without a password on the serial console (test images only, never ship).
# --version V     the image's version (/usr/share/kiosk/image-version, the bundle's
#                 manifest, the boot entry's title); default: the kiosk .deb's version.
# --bundle        also make the signed update bundle (host packages squashfs-tools, rauc).
# --keyring PEM   the certificates the image accepts bundles from (/etc/rauc/keyring.pem);
#                 default: the DEVELOPMENT keyring in rauc/dev/ (a warning says so).
# --signing-cert PEM --signing-key PEM   what --bundle signs with (or $KIOSK_SIGNING_CERT,
#                 $KIOSK_SIGNING_KEY; a PKCS#11 URI works too); default: the development key.
# Host packages: mmdebstrap e2fsprogs dosfstools mtools fdisk, python3-fonttools unicode-data
# (the CJK font subset, step 3) and cargo-deb (a cargo tool).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
out="$here/out"
deb=""
profile=release
debug=0
base_only=0
version=""
bundle=0
devkeys="$here/rauc/dev"
keyring="$devkeys/keyring.pem"
signing_cert=${KIOSK_SIGNING_CERT:-$devkeys/DEVELOPMENT-ONLY-signing.cert.pem}
signing_key=${KIOSK_SIGNING_KEY:-$devkeys/DEVELOPMENT-ONLY-signing.key.pem}
suite=bookworm
mirror=${KIOSK_MIRROR:-http://deb.debian.org/debian}
cache=${KIOSK_IMAGE_CACHE:-$here/cache}

usage() {
    sed -n '2,47p' "$0" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
    case "$1" in
        --out) out=$2; shift 2 ;;
        --deb) deb=$2; shift 2 ;;
        --profile) profile=$2; shift 2 ;;
        --debug) debug=1; shift ;;
        --quick) export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16; shift ;;
        --base-only) base_only=1; shift ;;
        --version) version=$2; shift 2 ;;
        --bundle) bundle=1; shift ;;
        --keyring) keyring=$2; shift 2 ;;
        --signing-cert) signing_cert=$2; shift 2 ;;
        --signing-key) signing_key=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "build.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done

# The packages of the image. Changing this list changes the cache key.
packages=(
    systemd systemd-sysv systemd-resolved systemd-timesyncd udev dbus kmod
    linux-image-amd64 initramfs-tools systemd-boot-efi
    systemd-boot rauc rauc-service                              # bootctl; A/B updates (rauc CLI + its D-Bus service)
    libinput10 libxkbcommon0 libfontconfig1 fonts-noto-cjk     # Slint runtime + Chinese glyphs
    libusb-1.0-0 libudev1 usbutils                              # rusb, device listing
    libasound2 espeak-ng alsa-utils                             # the loudspeaker: ALSA, voice prompts, aplay -L
    ca-certificates iproute2 procps less
)

if [ "$(id -u)" -ne 0 ]; then
    echo "build.sh must run as root (mmdebstrap, chroot, file ownership in the image)." >&2
    exit 1
fi
missing=()
for tool in mmdebstrap mkfs.ext4 mkfs.vfat mcopy sfdisk; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "build.sh: missing tools: ${missing[*]}" >&2
    echo "Install them: apt-get install --no-install-recommends mmdebstrap e2fsprogs dosfstools mtools fdisk" >&2
    exit 1
fi

if [ "$bundle" -eq 1 ]; then
    for tool in mksquashfs rauc; do
        command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "build.sh --bundle: missing tools: ${missing[*]} (apt-get install --no-install-recommends squashfs-tools rauc)" >&2
        exit 1
    fi
fi
[ -s "$keyring" ] || { echo "build.sh: keyring '$keyring' is missing (--keyring PEM)" >&2; exit 1; }
if [ "$keyring" = "$devkeys/keyring.pem" ]; then
    echo "build.sh: WARNING: this image trusts the DEVELOPMENT bundle key (rauc/dev/): test images only; a county builds with --keyring (see README.md, Updates)" >&2
fi
mkdir -p "$out" "$cache"
times="$out/build.log-times"
: > "$times"
t_start=$(date +%s)
t_step=$t_start
mark() {
    local now
    now=$(date +%s)
    printf '%-40s %4d s\n' "$1" "$((now - t_step))" | tee -a "$times"
    t_step=$now
}

# --- 1. The kiosk .deb ---
if [ "$base_only" -eq 1 ]; then
    mark "1. kiosk .deb (skipped: --base-only)"
elif [ -z "$deb" ]; then
    if ! cargo deb --version >/dev/null 2>&1; then
        echo "build.sh: cargo-deb is missing. Install it with: cargo install --locked cargo-deb" >&2
        exit 1
    fi
    # cargo-deb prints the path of the package it wrote as its last line.
    # The image draws on DRM/KMS: the kiosk binary needs Slint's linuxkms backend, which
    # only the crate feature `linuxkms` links (without it the kiosk draws offscreen).
    deb=$(cd "$repo" && cargo deb -p kiosk --profile "$profile" --features linuxkms --output "$out/" | tail -n1)
    [ -f "$deb" ] || { echo "build.sh: no .deb at '$deb'" >&2; exit 1; }
    mark "1. kiosk .deb ($(basename "$deb"))"
else
    [ -f "$deb" ] || { echo "build.sh: no .deb at '$deb'" >&2; exit 1; }
    mark "1. kiosk .deb (given: $(basename "$deb"))"
fi

# --- 2. Base root filesystem, cached ---
key=$(printf '%s\n' "$suite" "$mirror" "${packages[@]}" | sha256sum | cut -c1-16)
tarball="$cache/rootfs-$key.tar"
if [ ! -s "$tarball" ]; then
    include=$(IFS=,; echo "${packages[*]}")
    mmdebstrap --variant=minbase --format=tar --include="$include" \
        --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
        --dpkgopt='path-include=/usr/share/doc/*/copyright' \
        "$suite" "$tarball.part" "$mirror"
    mv "$tarball.part" "$tarball"
    mark "2. mmdebstrap (new cache $key)"
else
    mark "2. mmdebstrap (cached $key)"
fi
if [ "$base_only" -eq 1 ]; then
    echo "base root filesystem: $tarball"
    exit 0
fi

# --- 3. Unpack, install the kiosk, configure the read-only root ---
work="$out/work"
rm -rf "$work"
mkdir -p "$work/rootfs"
root="$work/rootfs"
tar -C "$root" -xf "$tarball"
cp "$deb" "$root/tmp/kiosk.deb"
chroot "$root" dpkg -i /tmp/kiosk.deb
rm -f "$root/tmp/kiosk.deb"

echo kiosk > "$root/etc/hostname"
cat > "$root/etc/fstab" <<'EOF'
# The root filesystem (slot A or B, chosen by the boot loader) is read-only and mounted from
# the kernel command line (root=PARTLABEL=root-a|b ro); everything that changes lives on /var.
LABEL=var   /var        ext4   rw,noatime,nosuid,nodev     0 2
LABEL=ESP   /boot/efi   vfat   ro,noauto,nofail,umask=0077 0 2
tmpfs       /tmp        tmpfs  rw,nosuid,nodev,mode=1777,size=64M 0 0
# /etc/kiosk (what a technician edits) is kept on /var and shown at its usual place.
/var/lib/kiosk-etc /etc/kiosk none bind,x-systemd.requires-mounts-for=/var 0 0
EOF
mkdir -p "$root/boot/efi"
# The configuration moves to /var/lib/kiosk-etc; /etc/kiosk stays as the mount point.
mkdir -p "$root/var/lib/kiosk-etc"
cp -a "$root/etc/kiosk/." "$root/var/lib/kiosk-etc/"
find "$root/etc/kiosk" -mindepth 1 -delete
# No login on the screen; the kiosk owns tty1's display.
ln -sf /dev/null "$root/etc/systemd/system/getty@tty1.service"
ln -sf /dev/null "$root/etc/systemd/system/autovt@.service"
# Networking: networkd (DHCP, see 80-kiosk-wired.network) and resolved.
chroot "$root" systemctl enable systemd-networkd.service systemd-resolved.service systemd-timesyncd.service
ln -sf /run/systemd/resolve/stub-resolv.conf "$root/etc/resolv.conf"
# No periodic jobs writing to the disk at random times.
rm -f "$root"/etc/systemd/system/timers.target.wants/apt-daily*.timer
# Boot time: e2scrub (online ext4 checks of LVM volumes: the image has none) off.
rm -f "$root"/etc/systemd/system/timers.target.wants/e2scrub_all.timer \
    "$root"/etc/systemd/system/default.target.wants/e2scrub_reap.service \
    "$root"/etc/systemd/system/multi-user.target.wants/e2scrub_reap.service
# Updates: RAUC with two root slots, systemd-boot entries with boot counting driven by the
# custom backend, the keyring, the health-gated commit and the reboot request.
[ -n "$version" ] || version=$(dpkg-deb -f "$deb" Version)
mkdir -p "$root/etc/rauc" "$root/usr/lib/kiosk" "$root/usr/share/kiosk" "$root/var/lib/rauc"
install -m 0644 "$here/rauc/system.conf" "$root/etc/rauc/system.conf"
install -m 0644 "$keyring" "$root/etc/rauc/keyring.pem"
install -m 0755 "$here/rauc/kiosk-rauc-bootloader" "$root/usr/lib/kiosk/kiosk-rauc-bootloader"
for unit in kiosk-commit.service kiosk-reboot.path kiosk-reboot.service; do
    install -m 0644 "$here/systemd/$unit" "$root/usr/lib/systemd/system/$unit"
done
chroot "$root" systemctl enable kiosk-commit.service kiosk-reboot.path
# The slot is blessed by `rauc status mark-good` after the kiosk's own check (kiosk-commit),
# not by systemd's generic blessing, which would need the EFI partition mounted.
ln -sf /dev/null "$root/etc/systemd/system/systemd-bless-boot.service"
echo "$version" > "$root/usr/share/kiosk/image-version"
# The kernel command line (the slot's own: the backend copies it into the slot's boot entry).
cmdline_common="ro quiet loglevel=3 systemd.show_status=0 vt.global_cursor_default=0 consoleblank=0 console=tty1 console=ttyS0,115200"
echo "$cmdline_common" > "$root/usr/share/kiosk/cmdline"
# Boot time (image-build/README.md, "Boot time"): a small initrd that holds only what
# mounts the root (disk controllers, ext4), not `MODULES=most`; no resume device to wait for.
sed -i -e 's/^MODULES=.*/MODULES=list/' -e 's/^COMPRESS=.*/COMPRESS=gzip/' "$root/etc/initramfs-tools/initramfs.conf"
cat > "$root/etc/initramfs-tools/modules" <<'EOF'
# The root slot's disk and filesystem: QEMU (virtio), SATA, NVMe, eMMC; ext4.
virtio_pci
virtio_blk
virtio_scsi
ahci
sd_mod
nvme
mmc_block
sdhci_pci
sdhci_acpi
ext4
crc32c_generic
EOF
echo "RESUME=none" > "$root/etc/initramfs-tools/conf.d/resume"
chroot "$root" update-initramfs -u -k all
# Memory (image-build/README.md, "Memory"): the screen's Chinese glyphs
# from Noto Sans CJK SC cut to 通用规范汉字表 + GB 2312 + the kiosk's own text, glyphs in the
# order the kiosk uses them (fonts/subset.py; ~4.5 MB each instead of two 20 MB collections
# mapped by the kiosk). The full collections stay as fallback for the rare character outside
# it, renamed at fontconfig's scan so that "Noto Sans CJK SC" is the subset. Made once per
# change of the fonts, the script or the kiosk's text, and cached.
fonts_key=$({
    cat "$here/fonts/subset.py"
    md5sum "$root"/usr/share/fonts/opentype/noto/NotoSansCJK-{Regular,Bold}.ttc | cut -d' ' -f1
    (cd "$repo" && tar -cf - --sort=name --mtime=@0 --owner=0 --group=0 \
        ui/ui kiosk/src hall/src/seed drivers/src config/examples)
} | sha256sum | cut -c1-16)
fonts_cache="$cache/fonts-$fonts_key"
if [ ! -s "$fonts_cache/NotoSansCJKsc-Bold.otf" ]; then
    if ! /usr/bin/python3 -c 'import fontTools' 2>/dev/null \
        || [ ! -s /usr/share/unicode/Unihan_OtherMappings.txt.bz2 ]; then
        echo "build.sh: the font subset needs Debian's python3-fonttools and unicode-data: apt-get install --no-install-recommends python3-fonttools unicode-data" >&2
        exit 1
    fi
    rm -rf "$fonts_cache.part" && mkdir -p "$fonts_cache.part"
    for weight in Regular Bold; do
        /usr/bin/python3 "$here/fonts/subset.py" --index 2 \
            --ttc "$root/usr/share/fonts/opentype/noto/NotoSansCJK-$weight.ttc" \
            --out "$fonts_cache.part/NotoSansCJKsc-$weight.otf" \
            --source "$repo/ui/ui" --source "$repo/kiosk/src" --source "$repo/hall/src/seed" \
            --source "$repo/drivers/src" --source "$repo/config/examples" &
    done
    wait
    mv "$fonts_cache.part" "$fonts_cache"
fi
install -d "$root/usr/share/fonts/opentype/kiosk"
install -m 0644 "$fonts_cache"/NotoSansCJKsc-{Regular,Bold}.otf "$root/usr/share/fonts/opentype/kiosk/"
install -m 0644 "$here/fonts/65-kiosk-cjk-subset.conf" "$root/etc/fonts/conf.d/65-kiosk-cjk-subset.conf"
mark "3. install kiosk .deb, initrd, CJK font subset"
# A fresh, unique machine id on each kiosk (transient while root is read-only).
: > "$root/etc/machine-id"
if [ "$debug" -eq 1 ]; then
    sed -i 's/^root:[^:]*:/root::/' "$root/etc/shadow"
    echo "build.sh: --debug: root has NO password on the serial console" >&2
else
    chroot "$root" passwd -l root >/dev/null
fi
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin
mark "3. configure (root locked, apt cleaned)"

# --- 4. Filesystem images (no loop mounts: the build machines' kernel has no vfat) ---
kernels=("$root"/boot/vmlinuz-*)
initrds=("$root"/boot/initrd.img-*)
if [ ${#kernels[@]} -ne 1 ] || [ ${#initrds[@]} -ne 1 ]; then
    echo "build.sh: expected one kernel and one initrd in /boot, found: ${kernels[*]} ${initrds[*]}" >&2
    exit 1
fi
cp "${kernels[0]}" "$out/vmlinuz"
cp "${initrds[0]}" "$out/initrd.img"
mv "$root/var" "$work/var"
mkdir "$root/var"
# Direct kernel boot (tests) has no boot loader and one root: no slot.
echo "root=LABEL=root $cmdline_common" > "$out/cmdline"
rm -f "$out/root.img" "$out/var.img"
mkfs.ext4 -q -F -L root -d "$root" "$out/root.img" 2G
mkfs.ext4 -q -F -L var -d "$work/var" "$out/var.img" 1G

# The EFI partition: systemd-boot, slot A's kernel and its committed entry (no counter).
# `default kiosk-*`: of the matching entries systemd-boot starts the good one that sorts last
# (kiosk-2-... is the primary slot), see rauc/kiosk-rauc-bootloader.
esp="$work/esp"
mkdir -p "$esp/EFI/BOOT" "$esp/loader/entries" "$esp/kiosk-a"
cp "$root/usr/lib/systemd/boot/efi/systemd-bootx64.efi" "$esp/EFI/BOOT/BOOTX64.EFI"
cp "$out/vmlinuz" "$out/initrd.img" "$esp/kiosk-a/"
printf 'default kiosk-*\ntimeout 0\neditor no\n' > "$esp/loader/loader.conf"
printf 'title Kiosk %s (slot A)\nversion %s\nlinux /kiosk-a/vmlinuz\ninitrd /kiosk-a/initrd.img\noptions root=PARTLABEL=root-a rauc.slot=A %s\n' \
    "$version" "$version" "$cmdline_common" > "$esp/loader/entries/kiosk-2-a.conf"
rm -f "$work/esp.img"
mkfs.vfat -n ESP -C "$work/esp.img" $((128 * 1024)) >/dev/null
mcopy -s -i "$work/esp.img" "$esp"/* ::/
mark "4. root, var and ESP filesystems"

# --- 5. GPT disk ---
disk="$out/kiosk-disk.raw"
rm -f "$disk"
truncate -s $((1 + 128 + 2048 + 2048 + 1024 + 1))M "$disk"
sfdisk -q "$disk" <<'EOF'
label: gpt
start=1MiB, size=128MiB, type=U, name=ESP
start=129MiB, size=2048MiB, type=4f68bce3-e8cd-4db1-96e7-fbcaf984b709, name=root-a
start=2177MiB, size=2048MiB, type=4f68bce3-e8cd-4db1-96e7-fbcaf984b709, name=root-b
start=4225MiB, size=1024MiB, type=4d21b016-b534-45c2-a9fb-5c16e091fd2d, name=var
EOF
dd if="$work/esp.img" of="$disk" bs=1M seek=1 conv=notrunc,sparse status=none
dd if="$out/root.img" of="$disk" bs=1M seek=129 conv=notrunc,sparse status=none
dd if="$out/var.img" of="$disk" bs=1M seek=4225 conv=notrunc,sparse status=none
rm -rf "$work"
mark "5. GPT disk"

# --- 6. The signed update bundle (verity format: RAUC checks each block as it installs) ---
if [ "$bundle" -eq 1 ]; then
    if [ "$signing_key" = "$devkeys/DEVELOPMENT-ONLY-signing.key.pem" ]; then
        echo "build.sh: WARNING: the bundle is signed with the DEVELOPMENT key: test kiosks only" >&2
    fi
    compatible=$(sed -n 's/^compatible=//p' "$here/rauc/system.conf")
    content="$out/bundle-content"
    rm -rf "$content" "$out/kiosk-$version.raucb"
    mkdir -p "$content"
    ln "$out/root.img" "$content/root.img" 2>/dev/null || cp --sparse=always "$out/root.img" "$content/root.img"
    printf '[update]\ncompatible=%s\nversion=%s\n\n[bundle]\nformat=verity\n\n[image.rootfs]\nfilename=root.img\n' \
        "$compatible" "$version" > "$content/manifest.raucm"
    rauc bundle --cert="$signing_cert" --key="$signing_key" "$content" "$out/kiosk-$version.raucb"
    rm -rf "$content"
    rauc info --keyring="$keyring" "$out/kiosk-$version.raucb" > /dev/null \
        || { echo "build.sh: the new bundle does not verify against the image's keyring $keyring" >&2; exit 1; }
    mark "6. bundle kiosk-$version.raucb"
fi
printf '%-40s %4d s\n' "total" "$(($(date +%s) - t_start))" | tee -a "$times"
ls -lsh "$out"
