#!/usr/bin/env bash
# Instruction counts of the analysis stage per dev-set article, by stage, with callgrind (stable on noisy
# machines, unlike wall time), and the records themselves for before/after comparisons.
#
#   scripts/profile/analysis-profile.sh OUT_DIR        (a directory outside the checkout, e.g. /tmp/prof)
#
# Builds a release driver (driver.swift) that links this checkout's ArticleAnalysis, writes every record of
# ../shared/data/dev-articles{,-en}.jsonl to OUT_DIR/dump-{ar,en}.jsonl (run it on two commits and `cmp`
# the dumps to prove a change did not alter any record), then runs the driver under callgrind over the
# Arabic dev set with 0 and 2 rounds and prints (2-round − 0-round) / 246 in total and for the main stages.
# Profiles: OUT_DIR/{self,inc,tree}.txt (callgrind_annotate exclusive, inclusive, call tree).
# Needs valgrind (apt-get install valgrind). docs/performance.md, "Where the time goes", used it.
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mkdir -p "$1" && cd "$1" && pwd)
data="$repo/../shared/data"
pkg="$out/pkg"
mkdir -p "$pkg/Sources/Prof"
cp "$repo/scripts/profile/driver.swift" "$pkg/Sources/Prof/main.swift"
cat > "$pkg/Package.swift" <<PKG
// swift-tools-version:6.1
import PackageDescription
let package = Package(
    name: "Prof",
    dependencies: [.package(path: "$repo")],
    targets: [
        .executableTarget(
            name: "Prof",
            dependencies: [.product(name: "ArticleAnalysis", package: "$(basename "$repo")")],
            swiftSettings: [.unsafeFlags(["-g"])]
        )
    ]
)
PKG
(cd "$pkg" && swift build -c release --product Prof 2>&1 | tail -1)
driver="$pkg/.build/release/Prof"
DUMP="$out/dump-ar.jsonl" "$driver" "$data/dev-articles.jsonl" 1 > /dev/null
DUMP="$out/dump-en.jsonl" "$driver" "$data/dev-articles-en.jsonl" 1 > /dev/null
echo "records: $out/dump-ar.jsonl, $out/dump-en.jsonl"
echo "native timing (noisy): $("$driver" "$data/dev-articles.jsonl" 20)"
valgrind --tool=callgrind --callgrind-out-file="$out/cg0.out" "$driver" "$data/dev-articles.jsonl" 0 > /dev/null 2>&1
valgrind --tool=callgrind --callgrind-out-file="$out/cg2.out" "$driver" "$data/dev-articles.jsonl" 2 > /dev/null 2>&1
totals() { callgrind_annotate "$1" 2> /dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }'; }
t0=$(totals "$out/cg0.out")
t2=$(totals "$out/cg2.out")
echo "total per article: $(((t2 - t0) / 246 / 1000)) k instructions"
callgrind_annotate --inclusive=yes "$out/cg2.out" > "$out/inc.txt" 2> /dev/null
callgrind_annotate --tree=calling --inclusive=yes "$out/cg2.out" > "$out/tree.txt" 2> /dev/null
callgrind_annotate "$out/cg2.out" > "$out/self.txt" 2> /dev/null
stage() {
    awk -v name="$1" -v pattern="$2" '$0 ~ pattern { gsub(",", "", $1); printf "  %-12s %6.0f k\n", name, $1 / 246 / 1000; exit }' "$out/inc.txt"
}
stage parse 'ArticleParser.swift:[$]s15ArticleAnalysis0A6ParserO5parse_13configuration'
stage articleText '0A4TextV5title4lead10highlights10paragraphs9gazetteer'
stage entities 'EntityExtractorV7extract5limit'
stage quotes 'QuoteExtractorV7extract5limit'
stage dates 'DateExtractorV7extract'
stage classify 'ClassifierV8classify_8language'
stage jsonBytes 'RecordV9jsonBytes'
echo "(stages are patterns over mangled names; a stage inlined into its caller is not listed: read $out/inc.txt)"
