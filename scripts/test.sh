#!/usr/bin/env bash
# The whole test suite, from nothing: installs what it needs, then checks formatting,
# lints, and runs every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

step "Checking the Rust toolchain"
ensure_rust

step "Installing the Debian packages the build and the tests need (skipped when present)"
ensure_packages "${BUILD_PACKAGES[@]}"

step "axe-core for the hall's accessibility checks (npm, pinned; skipped when present)"
ensure_axe_core

step "Shell scripts (shellcheck)"
shellcheck -x scripts/*.sh .ci/run

step "Formatting (cargo fmt --check)"
cargo fmt --all -- --check

step "Lints (cargo clippy, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "Tests (cargo test --workspace)"
mkdir -p target
cargo test --workspace --locked 2>&1 | tee target/test-output.log

step "The hall's OpenAPI document against the running hall (schemathesis, property-based)"
bash scripts/schemathesis.sh

step "Image build fast checks (systemd units, udev rules, scripts, packaging)"
bash image-build/check.sh

step "All checks passed"
# One closing line for the whole run, summed over every test binary.
awk '/^test result:/ { passed += $4; failed += $6; ignored += $8 }
     END { printf "tests: %d passed, %d failed, %d skipped\n", passed, failed, ignored }' \
    target/test-output.log
