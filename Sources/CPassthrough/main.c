// CPassthrough: the C reference for `khabar bench` phase (a), built from the same librdkafka as the
// Swift `Kafka` module. It assigns itself partitions 0..<partitions of `input` from the beginning
// (commits under group `group`, no group join: the mock cluster's first join costs ~3 s) and reads `count` messages,
// produces each value unchanged to the same partition of `output`, stores the input offset + 1 once
// the output's delivery report succeeded (auto-commit of stored offsets, as khabar does) and commits
// synchronously at the end. It prints one JSON line on stdout:
//   {"messages":N,"bytes":B,"seconds":S,"cpu_seconds":C,"rss_peak_kb":K}
// where the clock runs from the first consumed message to the last delivery report. Exit status 1 when
// fewer than `count` messages were delivered before `timeout_s` seconds without progress.
#include <librdkafka/rdkafka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

typedef struct {
    rd_kafka_t *consumer;
    rd_kafka_topic_t *input; // topic handle of the input on the consumer, for rd_kafka_offset_store
    long delivered;
    long failed;
    long long bytes;
} state_t;

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long peak_rss_kb(void) {
    FILE *status = fopen("/proc/self/status", "r");
    if (!status) return -1;
    char line[256];
    long kb = -1;
    while (fgets(line, sizeof line, status)) {
        if (strncmp(line, "VmHWM:", 6) == 0) {
            kb = strtol(line + 6, NULL, 10);
            break;
        }
    }
    fclose(status);
    return kb;
}

static void fail(const char *what, const char *detail) {
    fprintf(stderr, "CPassthrough: %s: %s\n", what, detail);
    exit(2);
}

static void set(rd_kafka_conf_t *conf, const char *key, const char *value) {
    char error[512];
    if (rd_kafka_conf_set(conf, key, value, error, sizeof error) != RD_KAFKA_CONF_OK) fail(key, error);
}

// The source offset travels as the message opaque (offset + 1, so that offset 0 is not NULL).
static void on_delivery(rd_kafka_t *producer, const rd_kafka_message_t *message, void *opaque) {
    (void)producer;
    state_t *state = opaque;
    if (message->err) {
        state->failed++;
        fprintf(stderr, "CPassthrough: delivery failed: %s\n", rd_kafka_err2str(message->err));
        return;
    }
    int64_t next = (int64_t)(intptr_t)message->_private;
    // rd_kafka_offset_store stores its argument + 1: the source offset, so that `next` is committed.
    rd_kafka_offset_store(state->input, message->partition, next - 1);
    state->delivered++;
    state->bytes += (long long)message->len;
}

int main(int argc, char **argv) {
    if (argc < 7) {
        fprintf(stderr, "usage: CPassthrough BOOTSTRAP INPUT OUTPUT GROUP PARTITIONS COUNT [TIMEOUT_S]\n");
        return 2;
    }
    const char *bootstrap = argv[1], *input = argv[2], *output = argv[3], *group = argv[4];
    int partitions = (int)strtol(argv[5], NULL, 10);
    long count = strtol(argv[6], NULL, 10);
    double timeout = argc > 7 ? strtod(argv[7], NULL) : 30.0;
    char error[512];
    state_t state = {0};

    rd_kafka_conf_t *cconf = rd_kafka_conf_new();
    set(cconf, "bootstrap.servers", bootstrap);
    set(cconf, "group.id", group);
    set(cconf, "client.id", "khabar-bench-c");
    set(cconf, "auto.offset.reset", "earliest");
    set(cconf, "enable.auto.commit", "true");
    set(cconf, "enable.auto.offset.store", "false");
    set(cconf, "fetch.wait.max.ms", "5");
    set(cconf, "queued.max.messages.kbytes", "65536");
    state.consumer = rd_kafka_new(RD_KAFKA_CONSUMER, cconf, error, sizeof error);
    if (!state.consumer) fail("consumer", error);
    rd_kafka_poll_set_consumer(state.consumer);
    state.input = rd_kafka_topic_new(state.consumer, input, NULL);

    rd_kafka_conf_t *pconf = rd_kafka_conf_new();
    set(pconf, "bootstrap.servers", bootstrap);
    set(pconf, "client.id", "khabar-bench-c");
    set(pconf, "enable.idempotence", "true");
    set(pconf, "linger.ms", "5");
    set(pconf, "queue.buffering.max.kbytes", "262144");
    rd_kafka_conf_set_dr_msg_cb(pconf, on_delivery);
    rd_kafka_conf_set_opaque(pconf, &state);
    rd_kafka_t *producer = rd_kafka_new(RD_KAFKA_PRODUCER, pconf, error, sizeof error);
    if (!producer) fail("producer", error);

    rd_kafka_topic_partition_list_t *assignment = rd_kafka_topic_partition_list_new(partitions);
    for (int partition = 0; partition < partitions; partition++)
        rd_kafka_topic_partition_list_add(assignment, input, partition)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_resp_err_t err = rd_kafka_assign(state.consumer, assignment);
    rd_kafka_topic_partition_list_destroy(assignment);
    if (err) fail("assign", rd_kafka_err2str(err));

    rd_kafka_queue_t *queue = rd_kafka_queue_get_consumer(state.consumer);
    rd_kafka_message_t *batch[500];
    long consumed = 0;
    double started = 0, last_progress = now_seconds();
    struct rusage usage_start = {0};
    while (state.delivered + state.failed < count) {
        ssize_t n = consumed < count ? rd_kafka_consume_batch_queue(queue, 5, batch, 500) : 0;
        for (ssize_t i = 0; i < n; i++) {
            rd_kafka_message_t *message = batch[i];
            if (message->err) {
                if (message->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                    fprintf(stderr, "CPassthrough: consume: %s\n", rd_kafka_message_errstr(message));
                rd_kafka_message_destroy(message);
                continue;
            }
            if (consumed == 0) {
                started = now_seconds();
                getrusage(RUSAGE_SELF, &usage_start);
            }
            consumed++;
            for (;;) {
                err = rd_kafka_producev(
                    producer, RD_KAFKA_V_TOPIC(output), RD_KAFKA_V_PARTITION(message->partition),
                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_VALUE(message->payload, message->len),
                    RD_KAFKA_V_KEY(message->key, message->key_len),
                    RD_KAFKA_V_OPAQUE((void *)(intptr_t)(message->offset + 1)), RD_KAFKA_V_END);
                if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) break;
                rd_kafka_poll(producer, 5);
            }
            if (err) fail("produce", rd_kafka_err2str(err));
            rd_kafka_message_destroy(message);
        }
        long before = state.delivered;
        rd_kafka_poll(producer, n > 0 ? 0 : 5);
        double now = now_seconds();
        if (n > 0 || state.delivered != before) last_progress = now;
        if (now - last_progress > timeout) break;
    }
    double seconds = now_seconds() - started;
    struct rusage usage_end;
    getrusage(RUSAGE_SELF, &usage_end);
    double cpu = (double)(usage_end.ru_utime.tv_sec - usage_start.ru_utime.tv_sec) +
                 (double)(usage_end.ru_stime.tv_sec - usage_start.ru_stime.tv_sec) +
                 (double)(usage_end.ru_utime.tv_usec - usage_start.ru_utime.tv_usec) / 1e6 +
                 (double)(usage_end.ru_stime.tv_usec - usage_start.ru_stime.tv_usec) / 1e6;
    err = rd_kafka_commit(state.consumer, NULL, 0);
    if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET) fprintf(stderr, "CPassthrough: commit: %s\n", rd_kafka_err2str(err));
    printf("{\"messages\":%ld,\"bytes\":%lld,\"seconds\":%.6f,\"cpu_seconds\":%.6f,\"rss_peak_kb\":%ld}\n",
           state.delivered, state.bytes, seconds, cpu, peak_rss_kb());
    fflush(stdout);
    rd_kafka_queue_destroy(queue);
    rd_kafka_topic_destroy(state.input);
    rd_kafka_consumer_close(state.consumer);
    rd_kafka_destroy(state.consumer);
    rd_kafka_flush(producer, 5000);
    rd_kafka_destroy(producer);
    return state.delivered == count && state.failed == 0 ? 0 : 1;
}
