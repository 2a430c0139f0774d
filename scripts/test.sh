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

step "Formatting (cargo fmt --check)"
cargo fmt --all -- --check

step "Lints (cargo clippy, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "Tests (cargo test --workspace)"
cargo test --workspace --locked

step "All checks passed"
