#!/usr/bin/env bash
# Property-based check of the hall's served OpenAPI document (schemathesis): starts a real
# hall on loopback with a temporary database, registers a kiosk, and lets schemathesis send
# generated valid and invalid requests to every operation with that kiosk's credential. It
# fails when an answer's status, content type or body is not what the document says, or
# when the hall answers 5xx. Installs schemathesis (pinned) into a venv once.
# Usage: scripts/schemathesis.sh [path/to/hall binary]   (default: builds target/debug/hall)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

SCHEMATHESIS_VERSION=4.32.5
venv="${XDG_CACHE_HOME:-$HOME/.cache}/kiosk/schemathesis-$SCHEMATHESIS_VERSION"
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    echo "Installing schemathesis $SCHEMATHESIS_VERSION into $venv"
    python=/usr/bin/python3
    [ -x "$python" ] || python=python3
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

hall="${1:-}"
if [ -z "$hall" ]; then
    # The whole workspace's binaries, as the test step built them: `-p hall` alone would unify
    # features differently and compile the hall a second time.
    cargo build --quiet --locked --workspace --bins
    hall=target/debug/hall
fi

work="$(mktemp -d)"
hall_pid=""
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    if [ -n "$hall_pid" ]; then
        kill "$hall_pid" 2>/dev/null || true
        wait "$hall_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

kiosk="$("$hall" kiosk add st-kiosk --label "schemathesis" --db "$work/hall.db" 2>/dev/null)"
operator="$("$hall" operator add st-ops --label "schemathesis" --db "$work/hall.db" 2>/dev/null)"
staff="$("$hall" staff add st-clerk --label "schemathesis" --db "$work/hall.db" 2>/dev/null)"
RUST_LOG=warn,hall=info NO_COLOR=1 "$hall" serve --listen 127.0.0.1:0 --db "$work/hall.db" \
    2>"$work/hall.log" &
hall_pid=$!
addr=""
for _ in $(seq 1 100); do
    addr="$(grep -o 'addr=127\.0\.0\.1:[0-9]*' "$work/hall.log" | head -n1 | cut -d= -f2 || true)"
    [ -n "$addr" ] && break
    if ! kill -0 "$hall_pid" 2>/dev/null; then
        cat "$work/hall.log" >&2
        echo "the hall did not start" >&2
        exit 1
    fi
    sleep 0.1
done
if [ -z "$addr" ]; then
    echo "the hall did not report its address" >&2
    exit 1
fi
echo "hall on $addr; schemathesis $SCHEMATHESIS_VERSION"

start=$SECONDS
status=0
# Health check filter_too_much suppressed: the progress page's form body (code, verifier,
# level, reasons) is rarely generated valid, which is the point of fuzzing it.
# One worker: with two, Python 3.11 sometimes fails inside schemathesis itself ("AST
# constructor recursion depth mismatch" while it compiles generators in threads).
# One pass per credential: the kiosk's over every operation (the others answer it 401, which
# is documented), then the operator's and the staff's over their own operations.
check() {
    local token="$1"
    shift
    # Run from the temporary directory: schemathesis keeps state in ./.schemathesis.
    (cd "$work" && "$venv/bin/schemathesis" run "http://$addr/api/v1/openapi.json" \
        --header "Authorization: Bearer $token" \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
        --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-25}" \
        --seed "${SCHEMATHESIS_SEED:-1515}" \
        --generation-database none \
        --suppress-health-check=filter_too_much \
        --workers 1 \
        --no-color \
        --report-dir "$work/report" "$@") || status=$?
}
check "$kiosk"
check "$operator" --include-path-regex '^/(metrics|dashboard|api/v1/fleet)$'
check "$staff" --include-path-regex '^/api/v1/applications/\{id\}'
echo "schemathesis took $((SECONDS - start)) s"
if [ "$status" -ne 0 ]; then
    echo "The hall's answers do not match its OpenAPI document (see above)." >&2
    tail -n 20 "$work/hall.log" >&2
fi
exit "$status"
