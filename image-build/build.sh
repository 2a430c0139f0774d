#!/usr/bin/env bash
# build.sh: builds the kiosk's Debian 12 disk image from Debian's packages. Run as root.
#
#   image-build/build.sh [--out DIR] [--deb FILE] [--profile release|dev] [--quick] [--debug] [--base-only]
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
#      units), set up the read-only root (fstab, /etc/kiosk on /var, masked getty): 3 s.
#   4. Filesystem images without loop mounts: `mkfs.ext4 -d` for root and var, `mkfs.vfat -C`
#      + `mcopy` for the ESP with systemd-boot: 3 s.
#   5. GPT disk assembled with `sfdisk` + `dd` (ESP 128 MiB, root 2 GiB, var 1 GiB): 44 s
#      (dd reads the sparse images whole).
#   With the cache warm and the .deb given: 50 s in all. Root uses 839 MB of its 2 GiB.
#
# Outputs in --out (default image-build/out/):
#   kiosk-disk.raw   raw GPT disk, UEFI-bootable (systemd-boot): write it to the kiosk's disk
#   vmlinuz, initrd.img, root.img, var.img   for direct kernel boot in tests (hil/run.sh)
#   build.log-times  the measured time of each step
#
# --quick     test images: the release profile without LTO and with 16 codegen units
#             (CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16): much
#             faster to build on 2 cores, a somewhat slower binary. Ship images without it.
# --base-only only makes (or finds) the cached base tarball: warms the cache in CI.
# --debug leaves root without a password on the serial console (test images only, never ship).
# Host packages: mmdebstrap e2fsprogs dosfstools mtools fdisk (and cargo-deb, a cargo tool).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
out="$here/out"
deb=""
profile=release
debug=0
base_only=0
suite=bookworm
mirror=${KIOSK_MIRROR:-http://deb.debian.org/debian}
cache=${KIOSK_IMAGE_CACHE:-$here/cache}

usage() {
    sed -n '2,34p' "$0" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
    case "$1" in
        --out) out=$2; shift 2 ;;
        --deb) deb=$2; shift 2 ;;
        --profile) profile=$2; shift 2 ;;
        --debug) debug=1; shift ;;
        --quick) export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16; shift ;;
        --base-only) base_only=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "build.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done

# The packages of the image. Changing this list changes the cache key.
packages=(
    systemd systemd-sysv systemd-resolved systemd-timesyncd udev dbus kmod
    linux-image-amd64 initramfs-tools systemd-boot-efi
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
# The root filesystem is read-only; everything that changes lives on /var.
LABEL=root  /           ext4   ro,noatime                  0 1
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
mark "3. install kiosk .deb, configure"

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
cmdline="root=LABEL=root ro quiet loglevel=3 systemd.show_status=0 vt.global_cursor_default=0 consoleblank=0 console=tty1 console=ttyS0,115200"
echo "$cmdline" > "$out/cmdline"
rm -f "$out/root.img" "$out/var.img"
mkfs.ext4 -q -F -L root -d "$root" "$out/root.img" 2G
mkfs.ext4 -q -F -L var -d "$work/var" "$out/var.img" 1G

esp="$work/esp"
mkdir -p "$esp/EFI/BOOT" "$esp/loader/entries"
cp "$root/usr/lib/systemd/boot/efi/systemd-bootx64.efi" "$esp/EFI/BOOT/BOOTX64.EFI"
cp "$out/vmlinuz" "$out/initrd.img" "$esp/"
printf 'default kiosk.conf\ntimeout 0\neditor no\n' > "$esp/loader/loader.conf"
printf 'title Kiosk\nlinux /vmlinuz\ninitrd /initrd.img\noptions %s\n' "$cmdline" \
    > "$esp/loader/entries/kiosk.conf"
rm -f "$work/esp.img"
mkfs.vfat -n ESP -C "$work/esp.img" $((128 * 1024)) >/dev/null
mcopy -s -i "$work/esp.img" "$esp"/* ::/
mark "4. root, var and ESP filesystems"

# --- 5. GPT disk ---
disk="$out/kiosk-disk.raw"
rm -f "$disk"
truncate -s $((1 + 128 + 2048 + 1024 + 1))M "$disk"
sfdisk -q "$disk" <<'EOF'
label: gpt
start=1MiB, size=128MiB, type=U, name=ESP
start=129MiB, size=2048MiB, type=4f68bce3-e8cd-4db1-96e7-fbcaf984b709, name=root
start=2177MiB, size=1024MiB, type=4d21b016-b534-45c2-a9fb-5c16e091fd2d, name=var
EOF
dd if="$work/esp.img" of="$disk" bs=1M seek=1 conv=notrunc,sparse status=none
dd if="$out/root.img" of="$disk" bs=1M seek=129 conv=notrunc,sparse status=none
dd if="$out/var.img" of="$disk" bs=1M seek=2177 conv=notrunc,sparse status=none
rm -rf "$work"
mark "5. GPT disk"
printf '%-40s %4d s\n' "total" "$(($(date +%s) - t_start))" | tee -a "$times"
ls -lsh "$out"
