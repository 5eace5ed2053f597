#!/usr/bin/env bash
# Builds scripts/repro/idempotent-loss.c against the system librdkafka (Debian's 2.0.2) and runs it
# RUNS times per variant; prints one summary line per variant (runs with a loss, acknowledged messages
# absent, messages implicitly acked, messages read at another offset than reported, failed or missing
# delivery reports, duplicates). See docs/guarantees.md ("Issue 5") for what the numbers show.
#
# Usage: scripts/repro/run.sh [variant...]     (default: the 2.0.2 variants below)
# Variants: default, no-idempotence, in-flight-1, not-leader, timed-out, not-enough-replicas,
#   lib216 (mock and client on librdkafka 2.16), mock202-client216, mock216-client202.
# The last three need LIB216=<folder holding librdkafka.so.1 of 2.16> (e.g. the folder tansu-tier.sh
# makes from confluent-kafka's bundled copy).
# Environment: RUNS (10), N (3000 messages per run), TMPDIR.
set -euo pipefail
cd "$(dirname "$0")"
runs=${RUNS:-10}
n=${N:-3000}
bin=${TMPDIR:-/tmp}/idempotent-loss.$$
trap 'rm -f "$bin"' EXIT
cc -O2 -Wall -Wextra -o "$bin" idempotent-loss.c -lrdkafka -lpthread

# Mock in one process (-S), client in another, each on its own librdkafka.
split() {
    local mock_lib=$1 client_lib=$2
    shift 2
    local bootstrap status
    coproc MOCK { LD_LIBRARY_PATH=$mock_lib exec "$bin" -S "$@"; }
    read -r bootstrap <&"${MOCK[0]}"
    LD_LIBRARY_PATH=$client_lib "$bin" -b "$bootstrap" "$@" &
    local client=$!
    sleep 0.5 # the client fetches metadata; then the mock starts its injection schedule
    echo go >&"${MOCK[1]}"
    status=0
    wait "$client" || status=$?
    eval "exec ${MOCK[1]}>&-" # EOF on the mock's stdin: it exits
    wait "$MOCK_PID" || true
    return "$status"
}

variant() {
    local name=$1
    shift
    local lost_runs=0 absent=0 implicit=0 mismatched=0 failed=0 duplicates=0 line status
    for _ in $(seq 1 "$runs"); do
        status=0
        case $name in
        mock202-client216) line=$(split "" "$LIB216" -n "$n" "$@" 2>/dev/null | head -n 1) || status=$? ;;
        mock216-client202) line=$(split "$LIB216" "" -n "$n" "$@" 2>/dev/null | head -n 1) || status=$? ;;
        lib216) line=$(LD_LIBRARY_PATH=$LIB216 "$bin" -n "$n" "$@" 2>/dev/null | head -n 1) || status=$? ;;
        *) line=$("$bin" -n "$n" "$@" 2>/dev/null | head -n 1) || status=$? ;;
        esac
        if [ "$status" -ne 0 ] && [ "$status" -ne 3 ]; then
            echo "$name: run failed (status $status): $line" >&2
            continue
        fi
        local a=${line#*absent=}
        a=${a%% *}
        local k=${line#*implicit_acks=}
        k=${k%% *}
        local o=${line#*offset_mismatches=}
        o=${o%% *}
        mismatched=$((mismatched + o))
        local f=${line#*failed=} d=${line#*duplicates=} u=${line#*no_report=}
        failed=$((failed + ${f%% *} + ${u%% *}))
        duplicates=$((duplicates + ${d%% *}))
        absent=$((absent + a))
        implicit=$((implicit + k))
        [ "$a" -gt 0 ] && lost_runs=$((lost_runs + 1))
    done
    printf '%-20s %s x %s msgs: runs with loss %s, absent %s, implicitly acked %s, offset mismatches %s, ' \
        "$name" "$runs" "$n" "$lost_runs" "$absent" "$implicit" "$mismatched"
    printf 'failed or unreported %s, duplicates %s (%s)\n' "$failed" "$duplicates" "${line%% acked=*}"
}

variants=("$@")
[ ${#variants[@]} -gt 0 ] || variants=(default no-idempotence in-flight-1 not-leader timed-out not-enough-replicas)
for name in "${variants[@]}"; do
    case $name in
    default | lib216 | mock202-client216 | mock216-client202) variant "$name" ;;
    no-idempotence) variant "$name" -I 0 ;;
    in-flight-1) variant "$name" -m 1 ;;
    not-leader) variant "$name" -e NOT_LEADER_FOR_PARTITION ;;
    timed-out) variant "$name" -e REQUEST_TIMED_OUT ;;
    not-enough-replicas) variant "$name" -e NOT_ENOUGH_REPLICAS ;;
    *) echo "unknown variant $name" >&2 && exit 2 ;;
    esac
done
