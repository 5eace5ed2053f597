// idempotent-loss: does a producer lose messages whose delivery report SUCCEEDED when retriable errors
// are injected on Produce requests of librdkafka's mock cluster? (khabar issue 5, see
// docs/guarantees.md). Plain C over the system librdkafka: no khabar code is involved.
//
// It produces `-n` messages (1 KB, keys spread over the topic's partitions) at a paced rate with
// khabar's output-producer settings (idempotence on, acks=all, linger.ms=5, delivery.timeout.ms=30000),
// while another thread pushes the error set `-e` onto the mock's Produce error stack `-r` times every
// `-i` ms. Every delivery report is recorded (error, partition, offset). Then a consumer reads every
// partition from the beginning to its end and counts the acknowledged messages that are absent.
//
// Modes:
//   idempotent-loss [options]                  mock cluster in this process (3 brokers)
//   idempotent-loss -S [options]               serve: start the mock, print its bootstrap servers on
//                                              stdout, inject on the schedule once stdin has a line,
//                                              exit on EOF (so a client on another librdkafka can run)
//   idempotent-loss -b BOOTSTRAP [options]     client only, against a mock started with -S
// Options: -n messages (3000), -p partitions (6), -e errors (comma-separated names without
//   RD_KAFKA_RESP_ERR_: NOT_LEADER_FOR_PARTITION,REQUEST_TIMED_OUT,NOT_ENOUGH_REPLICAS,
//   NOT_LEADER_FOR_PARTITION), -r rounds (20), -i interval ms (100), -I enable.idempotence (1),
//   -m max.in.flight.requests.per.connection (5), -T transactional.id (none), -R messages/s (3000),
//   -L round-trip time of the mock brokers in ms (0),
//   -X key=value (any producer property, repeatable), -v (print every librdkafka log line; add
//   -X debug=eos,msg for the producer's retry decisions).
// Output: one line `lib=<version> acked=A failed=F absent=X offset_mismatches=M duplicates=D implicit_acks=K
// ...` (M: messages read at another offset than their report named) plus up to
// ten absent messages with their reported partition/offset. Exit status: 0 no acknowledged message
// absent, 3 some absent, 2 usage or setup error.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_ERRORS 16
#define MAX_EXTRA 16
#define TOPIC "repro"

typedef struct {
    int delivered;   // a delivery report arrived
    int err;         // its error code
    int32_t partition;
    int64_t offset;  // as reported
    int seen;        // times read back
    int64_t read_offset; // where it was read (the first copy)
} record_t;

static record_t *records;
static int count = 3000;
static int partitions = 6;
static int rounds = 20;
static int interval_ms = 100;
static int rate = 3000;
static int rtt_ms;               // -L: round-trip time the mock brokers add to every response
static rd_kafka_resp_err_t errors[MAX_ERRORS];
static size_t error_count;
static atomic_int implicit_acks; // messages librdkafka reported as "implicitly acked"
static int verbose;              // -v: print every librdkafka log line

static void fail(const char *what, const char *detail) {
    fprintf(stderr, "idempotent-loss: %s: %s\n", what, detail);
    exit(2);
}

static void set(rd_kafka_conf_t *conf, const char *key, const char *value) {
    char error[512];
    if (rd_kafka_conf_set(conf, key, value, error, sizeof error) != RD_KAFKA_CONF_OK) fail(key, error);
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static rd_kafka_resp_err_t error_named(const char *name) {
    const struct rd_kafka_err_desc *descs;
    size_t n;
    rd_kafka_get_err_descs(&descs, &n);
    for (size_t i = 0; i < n; i++) {
        if (descs[i].name && strcmp(descs[i].name, name) == 0) return descs[i].code;
    }
    fail("unknown error name", name);
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

static void parse_errors(const char *list) {
    char *copy = strdup(list), *save = NULL;
    error_count = 0;
    for (char *name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        if (error_count == MAX_ERRORS) fail("-e", "too many errors");
        errors[error_count++] = error_named(name);
    }
    free(copy);
}

// Counts librdkafka's "N message(s) implicitly acked by subsequent batch success" debug lines.
static void on_log(const rd_kafka_t *rk, int level, const char *facility, const char *line) {
    (void)rk, (void)level;
    if (verbose) fprintf(stderr, "  librdkafka %s: %s\n", facility, line);
    if (strcmp(facility, "IMPLICITACK") == 0) {
        const char *at = strstr(line, "] ");
        if (at) atomic_fetch_add(&implicit_acks, atoi(at + 2));
        if (!verbose) fprintf(stderr, "  librdkafka: %s\n", line);
    }
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *message, void *opaque) {
    (void)rk, (void)opaque;
    record_t *record = &records[(intptr_t)message->_private];
    record->delivered = 1;
    record->err = message->err;
    record->partition = message->partition;
    record->offset = message->offset;
}

typedef struct {
    rd_kafka_mock_cluster_t *cluster;
} injector_t;

static void *inject(void *argument) {
    injector_t *injector = argument;
    for (int round = 0; round < rounds; round++) {
        sleep_ms(interval_ms);
        rd_kafka_mock_push_request_errors_array(injector->cluster, 0 /* Produce */, error_count, errors);
    }
    return NULL;
}

// Starts the mock cluster on a handle that hosts it; the handle must outlive the cluster.
static rd_kafka_mock_cluster_t *start_mock(rd_kafka_t **host) {
    char error[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    set(conf, "log_level", "3");
    *host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
    if (!*host) fail("mock host", error);
    rd_kafka_mock_cluster_t *cluster = rd_kafka_mock_cluster_new(*host, 3);
    if (!cluster) fail("mock", "rd_kafka_mock_cluster_new failed");
    if (rd_kafka_mock_topic_create(cluster, TOPIC, partitions, 3)) fail("mock", "topic create failed");
    for (int32_t broker = 1; rtt_ms > 0 && broker <= 3; broker++) rd_kafka_mock_broker_set_rtt(cluster, broker, rtt_ms);
    return cluster;
}

static int run_client(const char *bootstrap, const char *idempotence, const char *in_flight, const char *txn_id,
                      const char **extra, int extra_count, rd_kafka_mock_cluster_t *cluster) {
    char error[512];
    records = calloc((size_t)count, sizeof *records);

    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    set(conf, "bootstrap.servers", bootstrap);
    set(conf, "enable.idempotence", idempotence);
    set(conf, "acks", "all");
    set(conf, "linger.ms", "5");
    set(conf, "delivery.timeout.ms", "30000");
    set(conf, "queue.buffering.max.messages", "100000");
    set(conf, "queue.buffering.max.kbytes", "262144");
    set(conf, "max.in.flight.requests.per.connection", in_flight);
    set(conf, "debug", "eos"); // for the IMPLICITACK lines only; other debug lines are dropped
    if (txn_id) set(conf, "transactional.id", txn_id);
    for (int i = 0; i < extra_count; i++) {
        char *pair = strdup(extra[i]), *eq = strchr(pair, '=');
        if (!eq) fail("-X", extra[i]);
        *eq = '\0';
        set(conf, pair, eq + 1);
        free(pair);
    }
    rd_kafka_conf_set_log_cb(conf, on_log);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_t *producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
    if (!producer) fail("producer", error);

    rd_kafka_error_t *txn_error = NULL;
    if (txn_id) {
        if ((txn_error = rd_kafka_init_transactions(producer, 30000)) ||
            (txn_error = rd_kafka_begin_transaction(producer)))
            fail("transactions", rd_kafka_error_string(txn_error));
    }

    // Wait until the producer knows the topic, so the first rounds of errors hit the paced traffic.
    const rd_kafka_metadata_t *metadata;
    rd_kafka_topic_t *topic = rd_kafka_topic_new(producer, TOPIC, NULL);
    if (rd_kafka_metadata(producer, 0, topic, &metadata, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR)
        fail("metadata", "timed out");
    rd_kafka_metadata_destroy(metadata);
    rd_kafka_topic_destroy(topic);

    pthread_t injector_thread;
    injector_t injector = {cluster};
    if (cluster) pthread_create(&injector_thread, NULL, inject, &injector);

    char value[1024];
    memset(value, 'x', sizeof value);
    double started = now_seconds();
    int burst = rate / 200 > 0 ? rate / 200 : 1; // every 5 ms
    for (int i = 0; i < count; i++) {
        char key[32];
        int key_length = snprintf(key, sizeof key, "k-%d", i);
        int head = snprintf(value, sizeof value, "msg-%08d|", i);
        value[head] = 'x';
        rd_kafka_resp_err_t err;
        while ((err = rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(TOPIC), RD_KAFKA_V_KEY(key, (size_t)key_length),
                                        RD_KAFKA_V_VALUE(value, sizeof value), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                        RD_KAFKA_V_OPAQUE((void *)(intptr_t)i), RD_KAFKA_V_END)) ==
               RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(producer, 10);
        if (err) {
            char reason[512] = "";
            rd_kafka_fatal_error(producer, reason, sizeof reason);
            fprintf(stderr, "idempotent-loss: produce: %s (fatal error: %s)\n", rd_kafka_err2str(err), reason);
            exit(2);
        }
        if ((i + 1) % burst == 0) {
            rd_kafka_poll(producer, 0);
            sleep_ms(5);
        }
    }
    if (txn_id && (txn_error = rd_kafka_commit_transaction(producer, 60000)))
        fprintf(stderr, "commit_transaction: %s\n", rd_kafka_error_string(txn_error));
    rd_kafka_flush(producer, 60000);
    double produce_seconds = now_seconds() - started;
    if (cluster) pthread_join(injector_thread, NULL);
    int fatal = 0;
    char fatal_reason[512] = "";
    if (rd_kafka_fatal_error(producer, fatal_reason, sizeof fatal_reason)) fatal = 1;
    rd_kafka_destroy(producer);

    // Read everything back.
    rd_kafka_conf_t *cconf = rd_kafka_conf_new();
    set(cconf, "bootstrap.servers", bootstrap);
    set(cconf, "group.id", "idempotent-loss-reader");
    set(cconf, "enable.auto.commit", "false");
    set(cconf, "fetch.wait.max.ms", "10");
    rd_kafka_t *consumer = rd_kafka_new(RD_KAFKA_CONSUMER, cconf, error, sizeof error);
    if (!consumer) fail("consumer", error);
    rd_kafka_topic_partition_list_t *assignment = rd_kafka_topic_partition_list_new(partitions);
    int64_t *ends = calloc((size_t)partitions, sizeof *ends);
    int64_t total = 0;
    for (int32_t p = 0; p < partitions; p++) {
        int64_t low, high;
        if (rd_kafka_query_watermark_offsets(consumer, TOPIC, p, &low, &high, 10000)) fail("watermarks", TOPIC);
        ends[p] = high;
        total += high - low;
        rd_kafka_topic_partition_list_add(assignment, TOPIC, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    }
    rd_kafka_assign(consumer, assignment);
    rd_kafka_topic_partition_list_destroy(assignment);
    int64_t read = 0;
    int idle = 0;
    while (read < total && idle < 100) {
        rd_kafka_message_t *message = rd_kafka_consumer_poll(consumer, 100);
        if (!message) {
            idle++;
            continue;
        }
        idle = 0;
        if (!message->err && message->len >= 13 && memcmp(message->payload, "msg-", 4) == 0) {
            int index = atoi((const char *)message->payload + 4);
            if (index >= 0 && index < count && records[index].seen++ == 0) records[index].read_offset = message->offset;
            read++;
        }
        rd_kafka_message_destroy(message);
    }
    rd_kafka_consumer_close(consumer);
    rd_kafka_destroy(consumer);

    int acked = 0, failed = 0, absent = 0, duplicates = 0, no_report = 0, absent_invalid_offset = 0;
    int offset_mismatches = 0; // reported offset >= 0 but the message was read elsewhere
    for (int i = 0; i < count; i++) {
        if (!records[i].delivered) no_report++;
        else if (records[i].err) failed++;
        else {
            acked++;
            if (records[i].seen == 0) {
                absent++;
                if (records[i].offset < 0) absent_invalid_offset++;
            }
        }
        if (records[i].seen > 1) duplicates += records[i].seen - 1;
        if (records[i].delivered && !records[i].err && records[i].seen && records[i].offset >= 0 &&
            records[i].offset != records[i].read_offset)
            offset_mismatches++;
    }
    printf("lib=%s idempotence=%s in_flight=%s txn=%s acked=%d failed=%d no_report=%d read=%" PRId64
           " absent=%d absent_with_offset_below_0=%d offset_mismatches=%d duplicates=%d implicit_acks=%d msgs_per_s=%.0f fatal=%d%s%s\n",
           rd_kafka_version_str(), idempotence, in_flight, txn_id ? "yes" : "no", acked, failed, no_report, read,
           absent, absent_invalid_offset, offset_mismatches, duplicates, atomic_load(&implicit_acks), count / produce_seconds, fatal, fatal ? " " : "",
           fatal_reason);
    int shown = 0;
    for (int i = 0; i < count && shown < 10; i++) {
        if (records[i].delivered && !records[i].err && records[i].seen == 0) {
            printf("  absent: msg-%08d reported partition %" PRId32 " offset %" PRId64 " (partition end %" PRId64
                   ")\n",
                   i, records[i].partition, records[i].offset,
                   records[i].partition >= 0 && records[i].partition < partitions ? ends[records[i].partition] : -1);
            shown++;
        }
    }
    free(ends);
    free(records);
    return absent ? 3 : 0;
}

int main(int argc, char **argv) {
    const char *bootstrap = NULL, *idempotence = "true", *in_flight = "5", *txn_id = NULL;
    const char *extra[MAX_EXTRA];
    int extra_count = 0, serve = 0, option;
    parse_errors("NOT_LEADER_FOR_PARTITION,REQUEST_TIMED_OUT,NOT_ENOUGH_REPLICAS,NOT_LEADER_FOR_PARTITION");
    while ((option = getopt(argc, argv, "Svb:n:p:e:r:i:I:m:T:R:L:X:")) != -1) {
        switch (option) {
        case 'S': serve = 1; break;
        case 'v': verbose = 1; break;
        case 'b': bootstrap = optarg; break;
        case 'n': count = atoi(optarg); break;
        case 'p': partitions = atoi(optarg); break;
        case 'e': parse_errors(optarg); break;
        case 'r': rounds = atoi(optarg); break;
        case 'i': interval_ms = atoi(optarg); break;
        case 'I': idempotence = atoi(optarg) ? "true" : "false"; break;
        case 'm': in_flight = optarg; break;
        case 'T': txn_id = optarg; break;
        case 'R': rate = atoi(optarg); break;
        case 'L': rtt_ms = atoi(optarg); break;
        case 'X':
            if (extra_count == MAX_EXTRA) fail("-X", "too many");
            extra[extra_count++] = optarg;
            break;
        default: fail("usage", "see the comment at the top of idempotent-loss.c");
        }
    }
    if (count < 1 || partitions < 1 || rate < 1) fail("usage", "-n, -p and -R must be positive");

    if (serve) {
        rd_kafka_t *host;
        rd_kafka_mock_cluster_t *cluster = start_mock(&host);
        printf("%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
        fflush(stdout);
        char line[64];
        if (fgets(line, sizeof line, stdin)) {
            injector_t injector = {cluster};
            inject(&injector);
            while (fgets(line, sizeof line, stdin)) {}
        }
        rd_kafka_mock_cluster_destroy(cluster);
        rd_kafka_destroy(host);
        return 0;
    }
    if (bootstrap) return run_client(bootstrap, idempotence, in_flight, txn_id, extra, extra_count, NULL);

    rd_kafka_t *host;
    rd_kafka_mock_cluster_t *cluster = start_mock(&host);
    int status = run_client(rd_kafka_mock_cluster_bootstraps(cluster), idempotence, in_flight, txn_id, extra,
                            extra_count, cluster);
    rd_kafka_mock_cluster_destroy(cluster);
    rd_kafka_destroy(host);
    return status;
}
