#!/usr/bin/env bash
# Exactly-once proof on a real Kafka broker (needs Docker with Compose v2; run from anywhere).
#
#   1. starts Kafka (KRaft) and EOS_WORKERS workers with --guarantee exactly-once (compose profile
#      eos-check, separate project "khabar-eos", own topics eos.* and group khabar-eos);
#   2. produces EOS_ARTICLES generated articles with unique ids ("eos-000001", ...) in EOS_BATCHES
#      batches, and SIGKILLs one worker after EOS_KILL_AFTER batches, while the stream is running;
#   3. waits until the group has no lag, then reads eos.enriched and eos.dlq with a read_committed
#      consumer (kafka-console-consumer of the apache/kafka image) and checks that every input id
#      appears exactly once: no duplicate, no gap, nothing foreign, nothing dead-lettered.
# A read_uncommitted count is printed too: more records there than ids means the kill did abort a
# transaction, i.e. the run exercised what it proves.
#
# Environment: EOS_ARTICLES (default 6000), EOS_BATCHES (10), EOS_KILL_AFTER (4), EOS_WORKERS (3),
# EOS_TIMEOUT seconds to wait for the group to catch up (300), EOS_KEEP=1 leaves the stack running,
# KAFKA_HOST_PORT host port of this project's broker (29093, so it may run beside the main stack).
# Exit status 0 only if the check passed.
set -euo pipefail
cd "$(dirname "$0")/.."

articles=${EOS_ARTICLES:-6000}
batches=${EOS_BATCHES:-10}
kill_after=${EOS_KILL_AFTER:-4}
workers=${EOS_WORKERS:-3}
timeout=${EOS_TIMEOUT:-300}
export KAFKA_HOST_PORT=${KAFKA_HOST_PORT:-29093}
group=khabar-eos

dc() { docker compose -p khabar-eos -f docker-compose.yml --profile eos-check "$@"; }
log() { printf '%s eos-check: %s\n' "$(date -u +%H:%M:%S)" "$*"; }
kafka_tool() { dc exec -T kafka "/opt/kafka/bin/$1" --bootstrap-server localhost:9092 "${@:2}"; }

work=$(mktemp -d)
# shellcheck disable=SC2317,SC2329  # called by the EXIT trap
cleanup() {
    rm -rf "$work"
    if [ "${EOS_KEEP:-0}" != 1 ]; then
        dc down --volumes --remove-orphans >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT

if [ "$kill_after" -ge "$batches" ]; then
    echo "EOS_KILL_AFTER ($kill_after) must be below EOS_BATCHES ($batches): the kill must be mid-stream" >&2
    exit 2
fi

# Valid articles with unique ids and texts unlike each other (pseudo-words seeded by the id), so that
# no near-duplicate detection can take one for another; the worker keys each output record by its id.
syllables=(ka ri mo ta en sa lu ve du ni ha ro bi ze fu la qi so ma te)
generate() {
    local first=$1 last=$2 n k id words
    for ((n = first; n <= last; n++)); do
        printf -v id 'eos-%06d' "$n"
        RANDOM=$n
        words=""
        for ((k = 0; k < 24; k++)); do
            words+="${syllables[RANDOM % 20]}${syllables[RANDOM % 20]}${syllables[RANDOM % 20]} "
        done
        printf '{"id": "%s", "lang": "en", "source": "eos-check", "published_at": "2026-01-01T00:00:00Z", ' "$id"
        printf '"title": "Ministers meet for talks in %s", ' "${words%% *}"
        printf '"body": "Foreign ministers met for talks on border security and trade. Delegates %s' "$words"
        printf 'signed the agreement, and parliament will vote on it next week, the spokesman said."}\n'
    done
}

log "building the image and starting Kafka and $workers exactly-once workers"
dc build eos-worker
dc up --detach --wait kafka
dc up --detach --scale "eos-worker=$workers" eos-worker
mapfile -t containers < <(dc ps --quiet eos-worker)
if [ "${#containers[@]}" -ne "$workers" ]; then
    echo "expected $workers eos-worker containers, found ${#containers[@]}" >&2
    exit 1
fi

log "waiting for the group $group to be stable with $workers members"
deadline=$((SECONDS + 120))
until kafka_tool kafka-consumer-groups.sh --describe --group "$group" --members 2>/dev/null \
    | awk 'NR > 1 && $1 != "" && $NF ~ /^[0-9]+$/ && $NF > 0 { n++ } END { exit !(n == '"$workers"') }'; do
    if [ "$SECONDS" -gt "$deadline" ]; then
        echo "the group did not reach $workers members with partitions in 120 s" >&2
        kafka_tool kafka-consumer-groups.sh --describe --group "$group" --members >&2 || true
        exit 1
    fi
    sleep 2
done

per_batch=$(((articles + batches - 1) / batches))
victim=${containers[0]}
for ((batch = 1; batch <= batches; batch++)); do
    first=$(((batch - 1) * per_batch + 1))
    last=$((batch * per_batch < articles ? batch * per_batch : articles))
    [ "$first" -le "$last" ] || break
    generate "$first" "$last" >"$work/batch.jsonl"
    dc run --rm -T eos-producer <"$work/batch.jsonl"
    log "batch $batch/$batches produced (ids $first..$last)"
    if [ "$batch" -eq "$kill_after" ]; then
        log "SIGKILL worker container ${victim:0:12} mid-stream"
        docker kill --signal KILL "$victim" >/dev/null
    fi
done

log "waiting (at most $timeout s) for the surviving workers to consume everything"
deadline=$((SECONDS + timeout))
while :; do
    # Columns: GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG ...
    if kafka_tool kafka-consumer-groups.sh --describe --group "$group" >"$work/lag.txt" 2>/dev/null \
        && awk '$2 == "eos.raw" { rows++; if ($6 != "0") behind++ } END { exit !(rows == 6 && behind == 0) }' \
            "$work/lag.txt"; then
        break
    fi
    if [ "$SECONDS" -gt "$deadline" ]; then
        echo "the group still lags after $timeout s:" >&2
        cat "$work/lag.txt" >&2
        exit 1
    fi
    sleep 3
done

log "reading eos.enriched and eos.dlq with isolation.level=read_committed"
# The reader prints "key<TAB>value" lines and stops after 15 s without records.
read_topic() {
    dc run --rm -T eos-reader "$@" 2>"$work/reader.err" | cut -f1 || true
}
read_topic eos.enriched >"$work/committed.keys"
read_topic eos.dlq >"$work/dlq.keys"
dc run --rm -T --entrypoint /opt/kafka/bin/kafka-console-consumer.sh eos-reader \
    --bootstrap-server kafka:9092 --from-beginning --timeout-ms 15000 --property print.key=true \
    --consumer-property isolation.level=read_uncommitted --topic eos.enriched 2>/dev/null \
    | cut -f1 >"$work/uncommitted.keys" || true

generate 1 "$articles" | sed 's/^{"id": "\([^"]*\)".*/\1/' | sort >"$work/expected.ids"
sort "$work/committed.keys" >"$work/committed.sorted"
uniq -d "$work/committed.sorted" >"$work/duplicates"
sort -u "$work/committed.sorted" >"$work/seen.ids"
comm -23 "$work/expected.ids" "$work/seen.ids" >"$work/gaps"
comm -13 "$work/expected.ids" "$work/seen.ids" >"$work/foreign"

expected=$(wc -l <"$work/expected.ids")
committed=$(wc -l <"$work/committed.keys")
uncommitted=$(wc -l <"$work/uncommitted.keys")
dead=$(wc -l <"$work/dlq.keys")
duplicates=$(wc -l <"$work/duplicates")
gaps=$(wc -l <"$work/gaps")
foreign=$(wc -l <"$work/foreign")
printf '\ninput ids                      %d\n' "$expected"
printf 'read_committed output records  %d\n' "$committed"
printf 'read_uncommitted output        %d (records of aborted transactions included)\n' "$uncommitted"
printf 'ids output more than once      %d\n' "$duplicates"
printf 'ids missing (gaps)             %d\n' "$gaps"
printf 'keys not among the inputs      %d\n' "$foreign"
printf 'dead-lettered                  %d\n\n' "$dead"
if [ "$uncommitted" -le "$committed" ]; then
    log "note: no aborted records seen; the kill may have hit between transactions (rerun to vary it)"
fi
if [ "$duplicates" -eq 0 ] && [ "$gaps" -eq 0 ] && [ "$foreign" -eq 0 ] && [ "$dead" -eq 0 ] \
    && [ "$committed" -eq "$expected" ]; then
    log "PASSED: every input id exactly once in eos.enriched under read_committed, after a SIGKILL"
    exit 0
fi
log "FAILED"
cat "$work/reader.err" >&2 || true
head -n 5 "$work/duplicates" "$work/gaps" "$work/foreign" 2>/dev/null || true
exit 1
