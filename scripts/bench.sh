#!/usr/bin/env bash
# bench.sh: tactful's speed and memory, side by side in one run, as a table
# (docs/benchmarks.md keeps the latest one). `make bench` runs it.
#
#   1. contacts_seen of 100 cards end to end on loopback, against a bare
#      WebSocket echo of the same bytes on the same server    (daemon/benchmarks)
#   2. the daemon's own work for those 100 cards, no network  (daemon/server)
#   3. 50 clients x 20 contacts_seen a second against `tactful serve` (tactful-load)
#   4. note_add from 20 concurrent writers, each note fsynced (daemon/benchmarks)
#   5. the daemon's VmRSS idle and under 3                    (tactful-load)
#
# Every benchmark uses the large store: 30,000 contacts and 300,000 events,
# built once (minutes) and cached in $TMPDIR/tactful-bench-<version>/.
#
# Knobs (environment): BENCH_COUNT runs of each Go benchmark (5) of
# BENCH_TIME each (1s), LOAD_RUNS runs of the load generator (3) of
# LOAD_DURATION each (20s), LOAD_FLAGS more flags for tactful-load (e.g.
# -serve-flag=--max-conns=64 once tactful serve has that flag).
# The machine may be shared: the table shows the best run and the spread.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
COUNT=${BENCH_COUNT:-5}
BENCHTIME=${BENCH_TIME:-1s}
LOAD_RUNS=${LOAD_RUNS:-3}
LOAD_DURATION=${LOAD_DURATION:-20s}
LOAD_FLAGS=${LOAD_FLAGS:-}

work=$(mktemp -d "${TMPDIR:-/tmp}/tactful-bench-run-XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "== machine"
{
	echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
	echo "cpu:     $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
	echo "go:      $($GO env GOVERSION) $($GO env GOOS)/$($GO env GOARCH)"
	echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at start"
	sync_s=$(dd if=/dev/zero of="$work/sync" bs=4k count=100 oflag=dsync 2>&1 | awk '/copied/ {print $(NF-3)}')
	rm -f "$work/sync"
	echo "disk:    $(df -T "${TMPDIR:-/tmp}" | awk 'NR==2 {print $2}') under ${TMPDIR:-/tmp}; one 4 KiB write + fdatasync (dd oflag=dsync) takes $(awk -v s="$sync_s" 'BEGIN {printf "%.2f ms", s * 10}')"
} | tee "$work/machine.txt"

echo "== build"
$GO build -o "$work/tactful" ./daemon/cmd/tactful
$GO build -o "$work/tactful-load" ./daemon/cmd/tactful-load

echo "== 1, 4: contacts_seen end to end beside the echo; 20 note writers"
$GO test -run '^$' -bench 'ContactsSeen100|NoteAdd20' -benchtime "$BENCHTIME" -count "$COUNT" -timeout 30m ./daemon/benchmarks | tee "$work/socket.txt"

echo "== 2: the daemon's own work for 100 cards"
$GO test -run '^$' -bench 'DaemonWork100' -benchmem -benchtime "$BENCHTIME" -count "$COUNT" -timeout 30m ./daemon/server | tee "$work/work.txt"

echo "== 3, 5: 50 clients x 20 batches/s against tactful serve"
for _ in $(seq "$LOAD_RUNS"); do
	# shellcheck disable=SC2086 # LOAD_FLAGS is a list of flags
	"$work/tactful-load" -serve "$work/tactful" -clients 50 -rate 20 -batch 100 -duration "$LOAD_DURATION" $LOAD_FLAGS \
		2>&1 | tee -a "$work/load.txt" || true
done

echo
echo "== table (best of the runs; the spread in brackets)"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at the end" >>"$work/machine.txt"
cat "$work/machine.txt"
awk '
# Benchmark lines: name, iterations, value unit, value unit...
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name)
	for (i = 3; i < NF; i += 2) {
		key = name " " $(i + 1); v = $i + 0
		if (!(key in lo) || v < lo[key]) lo[key] = v
		if (!(key in hi) || v > hi[key]) hi[key] = v
	}
}
/^RESULT / {
	runs++
	for (i = 2; i <= NF; i++) { split($i, kv, "="); r[runs, kv[1]] = kv[2] + 0 }
}
function us(ns) { return sprintf("%.0f µs", ns / 1000) }
function spread(key, f) { return sprintf("[%s–%s]", f == "us" ? us(lo[key]) : sprintf("%.0f", lo[key]), f == "us" ? us(hi[key]) : sprintf("%.0f", hi[key])) }
function row(n, what, target, result, sp, ok) { printf "| %s | %s | %s | %s %s | %s |\n", n, what, target, result, sp, ok }
function mark(b) { return b ? "yes" : "**no**" }
END {
	print "| # | measure | target | result | met |"
	print "|---|---|---|---|---|"
	e = "BenchmarkContactsSeen100/echo ns/op"; t = "BenchmarkContactsSeen100/tactful ns/op"
	row(1, "contacts_seen, 100 cards, echo of the same bytes (the limit)", "", us(lo[e]), spread(e, "us"), "")
	row(1, "contacts_seen, 100 cards, tactful", "", us(lo[t]), spread(t, "us"), "")
	ratio = lo[t] / lo[e]
	row(1, "ratio tactful / echo (best / best)", "≤ 1.5", sprintf("%.1f", ratio), "", mark(ratio <= 1.5))
	w = "BenchmarkDaemonWork100/all ns/op"
	row(2, "daemon work for 100 cards, no network", "≤ 100 µs", us(lo[w]), spread(w, "us"), mark(lo[w] <= 100000))
	split("decode dates see read annotate encode", steps, " ")
	for (s = 1; s <= 6; s++) {
		k = "BenchmarkDaemonWork100/" steps[s] " ns/op"
		if (k in lo) row(2, "… of which " steps[s], "", us(lo[k]), spread(k, "us"), "")
	}
	if (runs > 0) {
		best = 1
		for (i = 2; i <= runs; i++) if (r[i, "p99_us"] < r[best, "p99_us"]) best = i
		p50lo = p50hi = r[1, "p50_us"]; p99lo = p99hi = r[1, "p99_us"]; errlo = errhi = r[1, "errors"]
		idlo = idhi = r[1, "rss_idle_kb"]; pklo = pkhi = r[1, "rss_peak_kb"]; anon = 0
		for (i = 1; i <= runs; i++) {
			if (r[i, "p50_us"] < p50lo) p50lo = r[i, "p50_us"]; if (r[i, "p50_us"] > p50hi) p50hi = r[i, "p50_us"]
			if (r[i, "p99_us"] < p99lo) p99lo = r[i, "p99_us"]; if (r[i, "p99_us"] > p99hi) p99hi = r[i, "p99_us"]
			if (r[i, "errors"] < errlo) errlo = r[i, "errors"]; if (r[i, "errors"] > errhi) errhi = r[i, "errors"]
			if (r[i, "rss_idle_kb"] < idlo) idlo = r[i, "rss_idle_kb"]; if (r[i, "rss_idle_kb"] > idhi) idhi = r[i, "rss_idle_kb"]
			if (r[i, "rss_peak_kb"] < pklo) pklo = r[i, "rss_peak_kb"]; if (r[i, "rss_peak_kb"] > pkhi) pkhi = r[i, "rss_peak_kb"]
			if (r[i, "rss_anon_peak_kb"] > anon) anon = r[i, "rss_anon_peak_kb"]
		}
		ms = "%.1f ms"
		row(3, "50 clients x 20 batches/s: p50", "", sprintf(ms, p50lo / 1000), sprintf("[" ms "–" ms "]", p50lo / 1000, p50hi / 1000), "")
		row(3, "50 clients x 20 batches/s: p99", "≤ 5 ms", sprintf(ms, p99lo / 1000), sprintf("[" ms "–" ms "]", p99lo / 1000, p99hi / 1000), mark(p99lo <= 5000))
		row(3, sprintf("50 clients x 20 batches/s: errors of %d requests (best run: %d answered)", r[best, "ok"] + r[best, "errors"], r[best, "ok"]), "0", errlo, sprintf("[%d–%d]", errlo, errhi), mark(errlo == 0))
	}
	n = "BenchmarkNoteAdd20 notes/s"
	row(4, "note_add, 20 concurrent writers, fsynced", "≥ 2,000/s", sprintf("%.0f/s", hi[n]), sprintf("[%.0f–%.0f]", lo[n], hi[n]), mark(hi[n] >= 2000))
	if (runs > 0) {
		row(5, "daemon VmRSS idle, large store open", "≤ 40 MB", sprintf("%.1f MB", idlo / 1024), sprintf("[%.1f–%.1f]", idlo / 1024, idhi / 1024), mark(idlo <= 40 * 1024))
		row(5, sprintf("daemon VmRSS peak under 3 (anonymous at most %.1f MB)", anon / 1024), "≤ 40 MB", sprintf("%.1f MB", pklo / 1024), sprintf("[%.1f–%.1f]", pklo / 1024, pkhi / 1024), mark(pklo <= 40 * 1024))
	}
}' "$work/socket.txt" "$work/work.txt" "$work/load.txt"
