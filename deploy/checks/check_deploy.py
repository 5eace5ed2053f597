#!/usr/bin/env python3
"""Offline consistency checks of khabar's deploy files (run by .ci/deploy-checks.sh).

Subcommands:
  list-check DIR          every resource in DIR/kustomization.yaml exists, every *.yaml in DIR is listed
  render DIR              concatenates the listed resources as one multi-document YAML stream (the
                          fallback when kubectl, and so `kubectl kustomize`, is not installed)
  keda RENDERED           validates the ScaledObject with cloudcoil-models-keda and against the Deployment
  manifests RENDERED      cross-checks Deployment, ConfigMap, Service, PodDisruptionBudget
  compose CONFIG_JSON     checks the resolved compose model (`docker compose config --format json`)
  dockerfile FILE         checks the Dockerfile against the build and runtime contract of the khabar binary

Each subcommand prints one line per finding and exits 1 if there is any.
"""

from __future__ import annotations

import json
import pathlib
import re
import sys
from typing import Any

import yaml

# Partitions of the input topic: KEDA's maxReplicaCount and the compose init's INPUT_PARTITIONS.
INPUT_PARTITIONS = 6

# Trigger metadata is a free string map in the KEDA schema; these are the kafka scaler's documented
# keys (KEDA 2.16), so that a misspelt one is caught here instead of being ignored by KEDA.
KAFKA_TRIGGER_KEYS = {
    "bootstrapServers", "bootstrapServersFromEnv", "consumerGroup", "consumerGroupFromEnv", "topic",
    "topicFromEnv", "lagThreshold", "activationLagThreshold", "offsetResetPolicy", "allowIdleConsumers",
    "excludePersistentLag", "scaleToZeroOnInvalidOffset", "limitToPartitionsWithLag", "partitionLimitation",
    "ensureEvenDistributionOfPartitions", "version", "sasl", "saslFromEnv", "tls", "tlsFromEnv", "unsafeSsl",
}


class Findings:
    """Collects problems; `finish` prints them and returns the exit code."""

    def __init__(self, subject: str) -> None:
        self.subject = subject
        self.problems: list[str] = []

    def expect(self, condition: bool, problem: str) -> None:
        if not condition:
            self.problems.append(problem)

    def finish(self) -> int:
        for problem in self.problems:
            print(f"FAIL {self.subject}: {problem}")
        if not self.problems:
            print(f"ok   {self.subject}")
        return 1 if self.problems else 0


def kustomization_resources(directory: pathlib.Path) -> list[str]:
    document = yaml.safe_load((directory / "kustomization.yaml").read_text())
    return list(document.get("resources") or [])


def list_check(directory: pathlib.Path) -> int:
    findings = Findings(f"{directory}/kustomization.yaml lists exactly the folder's manifests")
    listed = kustomization_resources(directory)
    findings.expect(len(listed) == len(set(listed)), f"duplicate entries in resources: {listed}")
    for name in listed:
        findings.expect((directory / name).is_file(), f"listed resource {name} does not exist")
    present = sorted(
        path.name
        for path in directory.iterdir()
        if path.suffix in {".yaml", ".yml"} and path.name != "kustomization.yaml"
    )
    for name in present:
        findings.expect(name in listed, f"{name} is in the folder but not listed in resources")
    return findings.finish()


def render(directory: pathlib.Path) -> int:
    documents = []
    for name in kustomization_resources(directory):
        for document in yaml.safe_load_all((directory / name).read_text()):
            if document is not None:
                documents.append(document)
    sys.stdout.write(yaml.safe_dump_all(documents, sort_keys=False))
    return 0


def load_rendered(path: pathlib.Path) -> dict[str, list[dict[str, Any]]]:
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for document in yaml.safe_load_all(path.read_text()):
        if document is not None:
            by_kind.setdefault(document["kind"], []).append(document)
    return by_kind


def single(by_kind: dict[str, list[dict[str, Any]]], kind: str, findings: Findings) -> dict[str, Any]:
    found = by_kind.get(kind, [])
    findings.expect(len(found) == 1, f"expected exactly one {kind}, found {len(found)}")
    return found[0] if found else {}


def worker_environment(by_kind: dict[str, list[dict[str, Any]]], deployment: dict[str, Any]) -> dict[str, str]:
    """The worker container's KHABAR_* variables: envFrom ConfigMaps first, then env (which wins)."""
    config_maps = {item["metadata"]["name"]: item.get("data") or {} for item in by_kind.get("ConfigMap", [])}
    containers = deployment.get("spec", {}).get("template", {}).get("spec", {}).get("containers", [])
    environment: dict[str, str] = {}
    for container in containers[:1]:
        for source in container.get("envFrom", []):
            reference = source.get("configMapRef")
            if reference:
                environment.update(config_maps.get(reference["name"], {}))
        for variable in container.get("env", []):
            if "value" in variable:
                environment[variable["name"]] = str(variable["value"])
    return environment


def unknown_keys(given: Any, dumped: Any, path: str = "") -> list[str]:
    """Keys of `given` that the model dropped (it ignores unknown keys instead of rejecting them)."""
    missing: list[str] = []
    if isinstance(given, dict):
        dumped = dumped if isinstance(dumped, dict) else {}
        for key, value in given.items():
            if key not in dumped:
                missing.append(f"{path}.{key}" if path else key)
            else:
                missing += unknown_keys(value, dumped[key], f"{path}.{key}" if path else key)
    elif isinstance(given, list) and isinstance(dumped, list):
        for index, (value, dumped_value) in enumerate(zip(given, dumped)):
            missing += unknown_keys(value, dumped_value, f"{path}[{index}]")
    return missing


def keda(rendered: pathlib.Path) -> int:
    from cloudcoil.models.keda.v1alpha1 import ScaledObject
    from pydantic import ValidationError

    findings = Findings("KEDA ScaledObject (cloudcoil-models-keda) matches the Deployment")
    by_kind = load_rendered(rendered)
    scaled = single(by_kind, "ScaledObject", findings)
    deployment = single(by_kind, "Deployment", findings)
    if not scaled or not deployment:
        return findings.finish()
    try:
        model = ScaledObject.model_validate(scaled)
    except ValidationError as error:
        findings.expect(False, f"schema: {error}")
        return findings.finish()
    dumped = model.model_dump(by_alias=True, exclude_unset=True, mode="json")
    for key in unknown_keys(scaled, dumped):
        findings.expect(False, f"unknown key {key}")
    spec = scaled.get("spec", {})
    environment = worker_environment(by_kind, deployment)
    findings.expect(
        spec.get("scaleTargetRef", {}).get("name") == deployment["metadata"]["name"],
        f"scaleTargetRef.name {spec.get('scaleTargetRef', {}).get('name')!r} is not the Deployment's name",
    )
    findings.expect(spec.get("scaleTargetRef", {}).get("kind", "Deployment") == "Deployment", "target is no Deployment")
    findings.expect(
        "replicas" not in deployment.get("spec", {}), "the Deployment sets replicas: every apply would undo KEDA's count"
    )
    findings.expect(
        spec.get("maxReplicaCount") == INPUT_PARTITIONS,
        f"maxReplicaCount {spec.get('maxReplicaCount')} != input partitions {INPUT_PARTITIONS}",
    )
    findings.expect(1 <= spec.get("minReplicaCount", 0) <= INPUT_PARTITIONS, "minReplicaCount must be 1..6")
    triggers = spec.get("triggers", [])
    kafka = [trigger for trigger in triggers if trigger.get("type") == "kafka"]
    findings.expect(len(kafka) == 1 and len(triggers) == 1, f"expected one kafka trigger, got {triggers}")
    for trigger in kafka:
        metadata = trigger.get("metadata", {})
        for key in sorted(set(metadata) - KAFKA_TRIGGER_KEYS):
            findings.expect(False, f"unknown kafka trigger metadata key {key}")
        for field, variable in (
            ("consumerGroup", "KHABAR_GROUP"),
            ("topic", "KHABAR_INPUT_TOPIC"),
            ("bootstrapServers", "KHABAR_BROKERS"),
        ):
            findings.expect(
                variable in environment and metadata.get(field) == environment[variable],
                f"trigger {field} {metadata.get(field)!r} != Deployment's {variable} {environment.get(variable)!r}",
            )
        findings.expect(
            str(metadata.get("lagThreshold", "")).isdigit(), "lagThreshold must be a positive integer string"
        )
    return findings.finish()


def probe_path(container: dict[str, Any], probe: str) -> str | None:
    return container.get(probe, {}).get("httpGet", {}).get("path")


def manifests(rendered: pathlib.Path) -> int:
    findings = Findings("Deployment, ConfigMap, Service and PodDisruptionBudget agree")
    by_kind = load_rendered(rendered)
    deployment = single(by_kind, "Deployment", findings)
    service = single(by_kind, "Service", findings)
    budget = single(by_kind, "PodDisruptionBudget", findings)
    single(by_kind, "ConfigMap", findings)
    if not deployment:
        return findings.finish()
    pod = deployment["spec"]["template"]
    pod_labels = pod["metadata"].get("labels", {})
    containers = pod["spec"]["containers"]
    findings.expect(len(containers) == 1, "expected a single container")
    container = containers[0]
    environment = worker_environment(by_kind, deployment)
    required = ("KHABAR_BROKERS", "KHABAR_GROUP", "KHABAR_INPUT_TOPIC", "KHABAR_DRAIN_TIMEOUT", "KHABAR_HTTP_PORT")
    for variable in required:
        findings.expect(variable in environment, f"{variable} is not set for the worker")
    drain = int(environment.get("KHABAR_DRAIN_TIMEOUT", "20"))
    grace = pod["spec"].get("terminationGracePeriodSeconds", 30)
    findings.expect(grace > drain, f"terminationGracePeriodSeconds {grace} must exceed KHABAR_DRAIN_TIMEOUT {drain}")
    findings.expect(probe_path(container, "livenessProbe") == "/healthz", "livenessProbe must GET /healthz")
    findings.expect(probe_path(container, "readinessProbe") == "/readyz", "readinessProbe must GET /readyz")
    ports = {port.get("name"): port.get("containerPort") for port in container.get("ports", [])}
    http_port = int(environment.get("KHABAR_HTTP_PORT", "8080"))
    findings.expect(ports.get("http") == http_port, f"container port 'http' {ports.get('http')} != {http_port}")
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        port = container.get(probe, {}).get("httpGet", {}).get("port")
        findings.expect(port in (None, "http", http_port), f"{probe} port {port!r} is not the http port")
    security = pod["spec"].get("securityContext", {})
    findings.expect(security.get("runAsNonRoot") is True, "pod must set runAsNonRoot: true")
    findings.expect(container.get("args", [None])[0] == "run", "container args must start with 'run'")
    selector = deployment["spec"]["selector"]["matchLabels"]
    findings.expect(
        all(pod_labels.get(key) == value for key, value in selector.items()), "selector does not match pod labels"
    )
    for name, resource in (("Service", service), ("PodDisruptionBudget", budget)):
        if not resource:
            continue
        labels = resource["spec"]["selector"]
        labels = labels.get("matchLabels", labels) if name == "PodDisruptionBudget" else labels
        findings.expect(
            bool(labels) and all(pod_labels.get(key) == value for key, value in labels.items()),
            f"{name} selector {labels} does not select the worker pods",
        )
    if service:
        target = service["spec"]["ports"][0].get("targetPort")
        findings.expect(target in ("http", http_port), f"Service targetPort {target!r} is not the http port")
    if budget:
        findings.expect(
            budget["spec"].get("maxUnavailable") is not None or budget["spec"].get("minAvailable") is not None,
            "PodDisruptionBudget needs maxUnavailable or minAvailable",
        )
    return findings.finish()


def seconds(duration: str) -> float:
    """Compose durations such as 30s, 1m30s, 1500ms."""
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001, "us": 1e-6}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|us|h|m|s)", duration)
    if not parts or "".join(number + unit for number, unit in parts) != duration:
        raise ValueError(f"unreadable duration {duration!r}")
    return sum(float(number) * units[unit] for number, unit in parts)


def compose(config_json: pathlib.Path) -> int:
    findings = Findings("docker-compose.yml (resolved) matches the deployment rules")
    services = json.loads(config_json.read_text()).get("services", {})
    for name in ("kafka", "kafka-init", "worker", "sample-producer", "replay", "eos-init", "eos-worker"):
        findings.expect(name in services, f"service {name} is missing")
    if findings.problems:
        return findings.finish()
    findings.expect(services["kafka"]["image"].startswith("apache/kafka:"), "kafka must use the apache/kafka image")
    kafka_environment = services["kafka"].get("environment", {})
    findings.expect("broker,controller" in kafka_environment.get("KAFKA_PROCESS_ROLES", ""), "Kafka is not KRaft")
    findings.expect(kafka_environment.get("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR") == "1", "single node needs min ISR 1")
    for init in ("kafka-init", "eos-init"):
        partitions = services[init].get("environment", {}).get("INPUT_PARTITIONS")
        findings.expect(partitions == str(INPUT_PARTITIONS), f"{init}: INPUT_PARTITIONS {partitions} != 6")
    for name in ("worker", "eos-worker"):
        worker = services[name]
        environment = worker.get("environment", {})
        findings.expect("container_name" not in worker, f"{name}: container_name prevents --scale")
        for port in worker.get("ports", []):
            published = port.get("published")
            findings.expect(not published, f"{name}: fixed host port {published} blocks --scale")
        drain = int(environment.get("KHABAR_DRAIN_TIMEOUT", "20"))
        grace = seconds(worker.get("stop_grace_period", "10s"))
        findings.expect(grace > drain, f"{name}: stop_grace_period {grace}s must exceed KHABAR_DRAIN_TIMEOUT {drain}s")
        findings.expect(worker.get("command", [None])[0] == "run", f"{name}: command must be run")
        init = "kafka-init" if name == "worker" else "eos-init"
        condition = worker.get("depends_on", {}).get(init, {}).get("condition")
        findings.expect(condition == "service_completed_successfully", f"{name}: must wait for {init} to finish")
    findings.expect(
        services["eos-worker"]["environment"].get("KHABAR_GUARANTEE") == "exactly-once",
        "eos-worker must run with exactly-once",
    )
    findings.expect(services["replay"].get("profiles") == ["replay"], "replay must be in the replay profile")
    findings.expect(services["replay"].get("command", [None])[0] == "replay", "replay must run `khabar replay`")
    findings.expect(services["sample-producer"].get("command", [None])[0] == "produce", "sample-producer must produce")
    for name, service in services.items():
        if name.startswith("eos-"):
            findings.expect(service.get("profiles") == ["eos-check"], f"{name} must be in the eos-check profile only")
        if service.get("image") == "khabar:local" and service.get("command", [None])[0] != "run":
            findings.expect(
                service.get("healthcheck", {}).get("disable") is True,
                f"{name}: one-shot khabar command must disable the HTTP healthcheck",
            )
    return findings.finish()


def dockerfile(path: pathlib.Path) -> int:
    findings = Findings(f"{path} follows the khabar image contract")
    text = re.sub(r"\\\n", " ", path.read_text())
    stages = re.split(r"(?m)^FROM ", text)[1:]
    findings.expect(len(stages) == 2, f"expected a build and a runtime stage, found {len(stages)}")
    if len(stages) != 2:
        return findings.finish()
    build, runtime = stages
    findings.expect(re.match(r"swift:\S*bookworm AS build", build) is not None, "build stage: swift:*-bookworm")
    for package in ("librdkafka-dev", "libsqlite3-dev", "pkg-config"):
        findings.expect(re.search(rf"apt-get install[^\n]*\b{package}\b", build) is not None, f"build lacks {package}")
    findings.expect(
        re.search(r"swift build -c release --static-swift-stdlib", build) is not None,
        "build must be `swift build -c release --static-swift-stdlib`",
    )
    findings.expect(".build/release/*.resources" in build, "build must copy the SwiftPM resource bundles")
    findings.expect(runtime.startswith("debian:bookworm-slim"), "runtime stage must be debian:bookworm-slim")
    for package in ("librdkafka1", "libsqlite3-0", "ca-certificates"):
        findings.expect(
            re.search(rf"apt-get install[^\n]*\b{package}\b", runtime) is not None, f"runtime lacks {package}"
        )
    findings.expect(re.search(r"(?m)^COPY --from=build /out/ /app/", runtime) is not None, "binary and bundles to /app")
    user = re.findall(r"(?m)^USER (\S+)", runtime)
    findings.expect(bool(user) and not user[-1].startswith(("root", "0")), f"runtime must run as non-root, USER {user}")
    findings.expect("/healthz" in "".join(re.findall(r"(?m)^HEALTHCHECK .*", runtime)), "HEALTHCHECK on /healthz")
    findings.expect(re.search(r'(?m)^ENTRYPOINT \["/app/khabar"\]', runtime) is not None, "ENTRYPOINT /app/khabar")
    return findings.finish()


def main(arguments: list[str]) -> int:
    commands = {
        "list-check": list_check,
        "render": render,
        "keda": keda,
        "manifests": manifests,
        "compose": compose,
        "dockerfile": dockerfile,
    }
    if len(arguments) != 2 or arguments[0] not in commands:
        print(__doc__, file=sys.stderr)
        return 2
    return commands[arguments[0]](pathlib.Path(arguments[1]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
