#!/usr/bin/env bash
# Proves, without Docker, that the runtime stage of deploy/Dockerfile is enough to run khabar:
# debootstraps a Debian bookworm minbase root with exactly the packages that stage installs, copies a
# built khabar directory into /app as the image does, and in a chroot, as the image's uid 10001:
#   1. no shared library of /app/khabar is missing (ldd);
#   2. `khabar --help` and the help of run, replay, produce and `lexicon build` exit 0;
#   3. unless --quick: `khabar run` (embedded cluster, no brokers) answers the Dockerfile's own
#      HEALTHCHECK command, /readyz and /metrics, then exits 0 on SIGTERM within its drain time.
#
# Usage (root; needs debootstrap and network access to a Debian mirror; optional, takes minutes):
#   swift build -c release --static-swift-stdlib --product khabar
#   mkdir -p /tmp/khabar-app && cp .build/release/khabar /tmp/khabar-app/ \
#       && cp -R .build/release/*.resources /tmp/khabar-app/
#   deploy/check-runtime-image.sh [--quick] /tmp/khabar-app
# Environment: DEBIAN_MIRROR (default: the first URIs of this machine's apt sources),
# KHABAR_RUNTIME_ROOT (default ${TMPDIR:-/tmp}/khabar-runtime-root; reused while the package list is
# unchanged), CHECK_PORT (default 18080).
set -euo pipefail

quick=0
if [ "${1:-}" = --quick ]; then
    quick=1
    shift
fi
if [ $# -ne 1 ] || [ ! -x "$1/khabar" ]; then
    echo "usage: $0 [--quick] DIR   (DIR holds the khabar binary and its *.resources bundles)" >&2
    exit 2
fi
app=$(cd "$1" && pwd)
repo=$(cd "$(dirname "$0")/.." && pwd)
dockerfile="$repo/deploy/Dockerfile"
port=${CHECK_PORT:-18080}
root=${KHABAR_RUNTIME_ROOT:-${TMPDIR:-/tmp}/khabar-runtime-root}

step() { printf '\n==> %s\n' "$*"; }
fail() {
    printf 'FAIL: %s\n' "$*" >&2
    exit 1
}

[ "$(id -u)" -eq 0 ] || fail "run as root (debootstrap and chroot)"
command -v debootstrap >/dev/null || fail "debootstrap is missing: apt-get install -y debootstrap"
compgen -G "$app/*.resources" >/dev/null || fail "no *.resources bundle next to $app/khabar"

# The runtime stage's package list, read from the Dockerfile so that this check cannot drift from it.
packages=$(
    sed -n '/^FROM debian:bookworm-slim/,$p' "$dockerfile" | sed -e ':a' -e '/\\$/N; s/\\\n//; ta' \
        | grep -o 'apt-get install[^&]*' | tr ' ' '\n' \
        | grep -v -e '^-' -e '^apt-get$' -e '^install$' -e '^$' | sort -u | paste -sd, -
)
[ -n "$packages" ] || fail "could not read the runtime packages from $dockerfile"
# The exact HEALTHCHECK command of the Dockerfile (its exec-form JSON array), one word per line.
mapfile -t healthcheck < <(
    python3 - "$dockerfile" <<'EOF'
import json, re, sys
text = open(sys.argv[1]).read().replace("\\\n", " ")
match = re.search(r"^HEALTHCHECK .*?CMD (\[.*\])\s*$", text, re.M)
print("\n".join(json.loads(match.group(1))))
EOF
)
[ "${#healthcheck[@]}" -gt 0 ] || fail "could not read HEALTHCHECK from $dockerfile"

mirror=${DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
    mirror=$(awk '$1 == "URIs:" { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
fi
if [ -z "$mirror" ]; then
    mirror=$(awk '$1 == "deb" && $3 ~ /^bookworm$/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
fi
[ -n "$mirror" ] || fail "no Debian mirror found in the apt sources: set DEBIAN_MIRROR"

step "root: bookworm minbase + $packages"
if [ "$(cat "$root/.khabar-packages" 2>/dev/null)" != "$packages" ]; then
    rm -rf "$root"
    debootstrap --variant=minbase --include="$packages" bookworm "$root" "$mirror" >"$root.log" 2>&1 \
        || { tail -n 20 "$root.log"; fail "debootstrap failed (log: $root.log)"; }
    printf '%s' "$packages" >"$root/.khabar-packages"
else
    printf 'reusing %s\n' "$root"
fi

rm -rf "$root/app" "$root/var/lib/khabar"
cp -R "$app" "$root/app"
mkdir -p "$root/var/lib/khabar"
chown -R 10001:10001 "$root/var/lib/khabar"

mounted=()
cleanup() {
    local index
    if [ -n "${server:-}" ]; then
        kill -KILL "$server" 2>/dev/null || true
    fi
    for ((index = ${#mounted[@]} - 1; index >= 0; index--)); do
        umount "${mounted[index]}" 2>/dev/null || umount -l "${mounted[index]}" || true
    done
}
trap cleanup EXIT
# Swift reads its arguments from /proc/self/cmdline: without /proc, the binary sees none.
mount -t proc proc "$root/proc" && mounted+=("$root/proc")
mount --bind /dev "$root/dev" && mounted+=("$root/dev")

# The prefix that runs a command in the root as the image's user, with the image's environment.
root_command=(
    chroot --userspec=10001:10001 "$root" /usr/bin/env -i PATH=/app:/usr/local/bin:/usr/bin:/bin
    HOME=/var/lib/khabar KHABAR_HTTP_PORT="$port" KHABAR_STATE_DB=/var/lib/khabar/state.sqlite
)
in_root() { "${root_command[@]}" "$@"; }

step "shared libraries of /app/khabar"
libraries=$(chroot "$root" ldd /app/khabar) || fail "ldd failed"
printf '%s\n' "$libraries" | sed 's/^/    /'
if grep -q 'not found' <<<"$libraries"; then
    fail "missing libraries: $(grep 'not found' <<<"$libraries" | tr -s ' \t' ' ')"
fi

step "help of every command"
for command in "" run replay produce "lexicon build"; do
    # shellcheck disable=SC2086  # "lexicon build" is two words on purpose
    in_root /app/khabar $command --help >/dev/null || fail "khabar $command --help exited non-zero"
    printf 'ok   khabar %s--help\n' "${command:+$command }"
done

if [ "$quick" -eq 1 ]; then
    printf '\nruntime image check passed (quick)\n'
    exit 0
fi

# get PATH: the HTTP status line of GET PATH on the worker's port (no curl in the image either).
get() {
    # shellcheck disable=SC2016  # expanded by the inner bash, from its arguments
    in_root timeout 5 bash -c \
        'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf "GET %s HTTP/1.0\r\n\r\n" "$2" >&3 && cat <&3' \
        get "$port" "$1" 2>/dev/null || true
}

step "khabar run (embedded cluster) behind the Dockerfile's HEALTHCHECK"
# exec: chroot and env exec in turn, so $! is khabar's own pid and SIGTERM reaches khabar itself.
(exec "${root_command[@]}" /app/khabar run --http-port "$port" --drain-timeout 5) >"$root.run.log" 2>&1 &
server=$!
deadline=$((SECONDS + 60))
until in_root timeout 3 "${healthcheck[@]}"; do
    kill -0 "$server" 2>/dev/null || { tail -n 20 "$root.run.log"; fail "khabar run exited early"; }
    [ "$SECONDS" -lt "$deadline" ] || fail "HEALTHCHECK did not pass within 60 s (log: $root.run.log)"
    sleep 1
done
printf 'ok   HEALTHCHECK command of the Dockerfile passes\n'
deadline=$((SECONDS + 90))
until get /readyz | head -n 1 | grep -q ' 200 '; do
    [ "$SECONDS" -lt "$deadline" ] || fail "/readyz did not answer 200 within 90 s (log: $root.run.log)"
    sleep 1
done
printf 'ok   /readyz 200\n'
get /metrics | head -n 1 | grep -q ' 200 ' || fail "/metrics did not answer 200"
printf 'ok   /metrics 200\n'

kill -TERM "$server"
started=$SECONDS
status=0
wait "$server" || status=$?
server=""
[ "$status" -eq 0 ] || fail "khabar run exited $status after SIGTERM (log: $root.run.log)"
[ $((SECONDS - started)) -le 15 ] || fail "SIGTERM took $((SECONDS - started)) s, more than the drain time + 10 s"
printf 'ok   SIGTERM: exit 0 after %d s\n' $((SECONDS - started))
printf '\nruntime image check passed\n'
