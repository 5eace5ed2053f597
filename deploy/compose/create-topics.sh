#!/usr/bin/env bash
# Creates khabar's topics on the compose Kafka (run by the one-shot init services of
# docker-compose.yml inside the apache/kafka image). Idempotent: existing topics are left as they are.
# Topic names and the input partition count come from the environment so that the eos-check profile
# can create its own, separate set.
set -euo pipefail

bootstrap=${BOOTSTRAP:-kafka:9092}
partitions=${INPUT_PARTITIONS:-6}
output_policy=${OUTPUT_CLEANUP_POLICY:-compact}
topics=/opt/kafka/bin/kafka-topics.sh

create() {
    local topic=$1 count=$2
    shift 2
    "$topics" --bootstrap-server "$bootstrap" --create --if-not-exists \
        --topic "$topic" --partitions "$count" --replication-factor 1 "$@"
}

# The input's partition count bounds the number of busy workers (and KEDA's maxReplicaCount).
create "${INPUT_TOPIC:-articles.raw}" "$partitions"
# Keyed by article id: compaction keeps the latest enrichment of each article (replays overwrite).
create "${OUTPUT_TOPIC:-articles.enriched}" "$partitions" --config "cleanup.policy=$output_policy"
create "${DLQ_TOPIC:-articles.dlq}" 3 --config retention.ms=1209600000
# Shared near-duplicate state: one record per fingerprint key, so compaction is what keeps it bounded.
create "${FINGERPRINT_TOPIC:-articles.fingerprints}" "$partitions" --config cleanup.policy=compact

all="${INPUT_TOPIC:-articles.raw}|${OUTPUT_TOPIC:-articles.enriched}|${DLQ_TOPIC:-articles.dlq}"
"$topics" --bootstrap-server "$bootstrap" --describe --topic "$all|${FINGERPRINT_TOPIC:-articles.fingerprints}" \
    | grep -E '^Topic:' || true
