# shellcheck shell=bash
# Shared helpers for scripts/test.sh and scripts/demo.sh. Sourced, not run.

# Prints a step heading, so a newcomer sees what is happening.
step() {
    printf '\n\033[1m==> %s\033[0m\n' "$*"
}

# Installs Debian packages that are not installed yet (idempotent: installs nothing, and
# does not even refresh the package lists, when everything is there).
ensure_packages() {
    local missing=()
    local pkg
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$pkg")
        fi
    done
    if [ ${#missing[@]} -eq 0 ]; then
        echo "Debian packages: all ${#} present."
        return 0
    fi
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo="sudo"
        else
            echo "These Debian packages are missing and you are not root (and there is no sudo):" >&2
            echo "  ${missing[*]}" >&2
            echo "Install them as root: apt-get install ${missing[*]}" >&2
            exit 1
        fi
    fi
    echo "Installing Debian packages: ${missing[*]}"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Checks that a Rust toolchain new enough for the workspace is on PATH.
ensure_rust() {
    if ! command -v cargo >/dev/null 2>&1; then
        if [ -x "$HOME/.cargo/bin/cargo" ]; then
            export PATH="$HOME/.cargo/bin:$PATH"
        else
            echo "cargo is not installed. Install Rust 1.85 or newer with rustup (https://rustup.rs)," >&2
            echo "then run this command again. (Debian 12's own cargo package is too old.)" >&2
            exit 1
        fi
    fi
    echo "Rust: $(rustc --version)"
}

# axe-core (the npm package) for the hall's accessibility checks in Chromium
# (hall/tests/workbench/axe.rs). Pinned; installed once into the user's cache.
AXE_CORE_VERSION=4.14.1
AXE_CORE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/kiosk/axe-core"

# Installs axe-core $AXE_CORE_VERSION into $AXE_CORE_DIR unless it is there already (quick
# when present), and exports AXE_CORE_JS, the path of axe.min.js, for the tests. Installs
# Debian's nodejs and npm only when npm is not on PATH (an existing Node.js is kept).
ensure_axe_core() {
    local js="$AXE_CORE_DIR/node_modules/axe-core/axe.min.js"
    local manifest="$AXE_CORE_DIR/node_modules/axe-core/package.json"
    if [ -f "$js" ] && grep -q "\"version\": \"$AXE_CORE_VERSION\"" "$manifest" 2>/dev/null; then
        echo "axe-core $AXE_CORE_VERSION: present in $AXE_CORE_DIR."
    else
        if ! command -v npm >/dev/null 2>&1; then
            ensure_packages nodejs npm
        fi
        echo "Installing axe-core $AXE_CORE_VERSION into $AXE_CORE_DIR"
        rm -rf "$AXE_CORE_DIR"
        mkdir -p "$AXE_CORE_DIR"
        npm install --prefix "$AXE_CORE_DIR" --no-audit --no-fund --loglevel=error \
            "axe-core@$AXE_CORE_VERSION"
    fi
    export AXE_CORE_JS="$js"
}

# The Debian packages the workspace needs to build and test.
# shellcheck disable=SC2034  # used by the scripts that source this file
BUILD_PACKAGES=(
    build-essential pkg-config
    libudev-dev libusb-1.0-0-dev        # serialport (port listing), rusb
    libasound2-dev                      # the loudspeaker (ALSA) for voice prompts
    libclang-dev                        # the document camera: v4l2-sys-mit generates its V4L2 bindings (bindgen)
    espeak-ng                           # voice prompts: Mandarin and English speech
    libxkbcommon-dev libinput-dev libfontconfig-dev   # Slint
    fonts-noto-cjk                      # Chinese text on screen and on receipts
    prometheus                          # promtool: checks /metrics output and the alert rules
    chromium                            # headless browser test of the hall dashboard
    chromium-driver                     # WebDriver for the staff workbench browser tests
    systemd shellcheck python3          # image-build/check.sh: unit verification, script lint
    python3-venv                        # scripts/schemathesis.sh: schemathesis in its own venv
    python3-aiosmtpd                    # hall: a real SMTP server for the notifier test
    postgresql                          # hall: a private test cluster (initdb, pg_ctl) per test binary
    cups-ipp-utils dbus-daemon          # A4 printer tests: ippeveprinter on loopback (with a private D-Bus)
    rauc squashfs-tools                 # hall: `hall update add` checks bundles with `rauc info`; tests make bundles with `rauc bundle`
    e2fsprogs openssl                   # image-build/check.sh: a test bundle's ext4 image, the keyring's certificate
    poppler-utils                       # pdftotext, pdffonts, pdftoppm, pdfinfo: the A4 and camera PDFs read back
)
