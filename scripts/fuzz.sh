#!/usr/bin/env bash
# Fuzzes the analyser (envelope JSON reader, HTML converter, text structuring, enrichment, classifier,
# record encoder) with libFuzzer for a bounded time.
#
#   scripts/fuzz.sh [seconds]        default 60; exits non-zero when libFuzzer finds a crash
#
# The ArticleAnalysis sources are compiled with Fuzz/*.swift into one module with
# `swiftc -sanitize=fuzzer,address` (not through SwiftPM: no Package.swift target needed). SwiftPM's
# generated `Bundle.module` is replaced by Fuzz/ResourceBundle.swift, which reads the resource directory
# from KHABAR_RESOURCE_BUNDLE (set here to Sources/ArticleAnalysis). The corpus is a temporary directory
# seeded from Fuzz/seeds/ and, when present, one file per line of ../shared/data/*.jsonl; it is kept in
# .build-fuzz/corpus between runs. Crash inputs are written to .build-fuzz/crashes/.
# Extra libFuzzer flags can be given in FUZZ_FLAGS (e.g. FUZZ_FLAGS="-jobs=2 -workers=2").
set -euo pipefail

seconds="${1:-60}"
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/.build-fuzz"
swiftc="${SWIFTC:-$(command -v swiftc || echo /opt/swift/usr/bin/swiftc)}"
mkdir -p "$out/corpus" "$out/crashes"

sources=("$root"/Sources/ArticleAnalysis/*/*.swift "$root"/Fuzz/*.swift)
binary="$out/analyzer-fuzz"
if [[ ! -x "$binary" ]] || [[ -n "$(find "${sources[@]}" -newer "$binary" 2>/dev/null)" ]]; then
    echo "fuzz: compiling ${#sources[@]} sources" >&2
    # Run from $out: swiftc leaves ArticleAnalysis-*.swiftmodule files in the working directory.
    (cd "$out" && "$swiftc" -sanitize=fuzzer,address -parse-as-library -module-name ArticleAnalysis -O -g \
        -swift-version 6 -wmo "${sources[@]}" -o "$binary")
fi

# Seed the corpus: our own small fixtures, plus the shared articles when they are there (read, never copied
# into the repository).
cp -n "$root"/Fuzz/seeds/* "$out/corpus/" 2>/dev/null || true
data="$root/../shared/data"
if [[ -d "$data" ]]; then
    for file in "$data"/*.jsonl; do
        [[ -f "$file" ]] || continue
        split -l 1 -a 4 -d "$file" "$out/corpus/shared-$(basename "$file" .jsonl)-"
    done
    [[ -f "$data/seed-article.txt" ]] && cp "$data/seed-article.txt" "$out/corpus/shared-seed-article.txt"
fi

export KHABAR_RESOURCE_BUNDLE="$root/Sources/ArticleAnalysis"
# From $out: with -jobs, libFuzzer writes one fuzz-N.log per job to the working directory.
cd "$out"
# shellcheck disable=SC2086
exec "$binary" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$out/crashes/" ${FUZZ_FLAGS:-} "$out/corpus"
