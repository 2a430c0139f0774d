#!/bin/sh
# soak-citizen.sh: one citizen of hil/soak.py's soak, in the guest (run from the 9p share by a
# console request). The host places and removes the card on the FTDI reader simulator.
#
#   soak-citizen.sh visit I   the card is on the reader: 居民身份证换领 filled in and submitted,
#                             the receipt, then a 非常满意 rating (I even) or none (I odd);
#                             prints the receipt's submission line
#   soak-citizen.sh leave I   the card is gone: the farewell, home, the personal data wiped
# The same steps as the host's soak (tests/tests/soak.rs, TO_REVIEW in tests/src/kiosk.rs).
set -eu

press() { kioskctl session press "$@" > /dev/null; }

# until SECONDS PATTERN [NOT-PATTERN]: waits until `kioskctl session show` has a line matching
# PATTERN (and none matching NOT-PATTERN); the last summary is printed if it never does.
until_shown() {
    deadline=$(($(date +%s) + $1))
    while :; do
        shown=$(kioskctl session show 2>&1 || true)
        if printf '%s\n' "$shown" | grep -q -E "$2" &&
            { [ -z "${3:-}" ] || ! printf '%s\n' "$shown" | grep -q -E "$3"; }; then
            return 0
        fi
        if [ "$(date +%s)" -ge "$deadline" ]; then
            echo "waited $1 s for \"$2\" ${3:+without \"$3\" }; the kiosk shows:"
            printf '%s\n' "$shown"
            return 1
        fi
        sleep 0.2
    done
}

case "${1:-}" in
    visit)
        until_shown 60 '^citizen: '
        press item QR-000172-001
        press start-form
        press field phone 13800138000
        press field reason expired
        press field declaration true
        press next
        press next
        press next
        press submit
        until_shown 90 '^screen: receipt' '^submission: pending'
        kioskctl session show | grep '^submission: '
        press 'done'
        if [ $(($2 % 2)) -eq 0 ]; then
            press rate 5
            press send
        else
            press skip
        fi
        ;;
    leave)
        until_shown 60 '^screen: (farewell|home)'
        press home
        until_shown 60 '^personal data held: no' '^screen: ([^h]|h[^o])'
        ;;
    *)
        echo "usage: soak-citizen.sh visit|leave I" >&2
        exit 2
        ;;
esac
