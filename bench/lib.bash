# Shared by the benchmark scripts (bench/serve/run, bench/serve/attack, bench/soak/run,
# bench/scale/run): sourced, never run. Everything listens on 127.0.0.1; every process a script
# starts goes into `started` and is stopped on exit (also on Ctrl-C), and its scratch folder is
# removed. A script sets `bench_name` (its name in messages) before sourcing this file.
#
#   bench_name=serve; source "$here/../lib.bash"
#   bench_setup            # root, build, runmock, tmp, the EXIT trap
#   launch_runmock 1 --clock manual --log-format off    # sets rm_pid rm_port rm_token rm_startup_us
# shellcheck shell=bash

die() { echo "bench/$bench_name: $*" >&2; exit 2; }
note() { echo "bench/$bench_name: $*" >&2; }

# Sets root, build (BUILD_DIR, default build/), runmock and tmp; checks wrk and curl; arms the trap.
bench_setup() {
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  build=${BUILD_DIR:-build}
  [[ $build == /* ]] || build=$root/$build
  runmock=$build/cli/runmock
  command -v wrk >/dev/null || die "wrk is missing (scripts/install-deps --bench installs it)"
  command -v curl >/dev/null || die "curl is missing"
  [[ -x $runmock ]] || die "no $runmock (build it: cmake --build ${BUILD_DIR:-build} --target runmock)"
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/runmock-$bench_name.XXXXXX")
  started=()
  trap cleanup EXIT
  trap 'exit 130' INT TERM
}

alive() {  # true while process $1 exists and is not a zombie
  local stat
  { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]]
}
stop() {  # SIGTERM, up to 5 s to go, then SIGKILL; and forget the pid (it may be reused)
  local pid=$1 i
  if kill -TERM "$pid" 2>/dev/null; then
    for ((i = 0; i < 100; i++)); do alive "$pid" || break; sleep 0.05; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  forget "$pid"
}
forget() {  # a process that ended by itself (and was waited for) is no longer ours to stop
  local i kept=()
  for i in "${started[@]}"; do [[ $i == "$1" ]] || kept+=("$i"); done
  started=("${kept[@]}")
}
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  while ((${#started[@]})); do stop "${started[0]}"; done
  rm -rf "$tmp"
}

# HTTP status of GET $2 on 127.0.0.1:$1 with bash's /dev/tcp (no process started: fit for a tight
# loop); empty when nothing answers.
http_status() {
  local fd line
  { exec {fd}<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 0
  printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' "$2" "$1" 1>&"$fd" 2>/dev/null || true
  read -r -t 2 line <&"$fd" 2>/dev/null || true
  exec {fd}>&-
  line=${line#HTTP/1.? }
  echo "${line%% *}"
}

# Launches `runmock serve --host 127.0.0.1 --port 0 "${@:2}"` and waits for its first answered
# health check. Sets rm_pid, rm_port, rm_token, rm_startup_us (from the launch to the first 200).
launch_runmock() {
  local out=$tmp/runmock.$1.out line t0 status fd
  shift
  rm_port='' rm_token=''
  : >"$out"
  # Microseconds from bash's own clock: $(date …) would fork, and take time, inside the measurement.
  t0=${EPOCHREALTIME/[.,]/}
  "$runmock" serve --host 127.0.0.1 --port 0 "$@" >"$out" 2>&1 &
  rm_pid=$!
  started+=("$rm_pid")
  while :; do
    if [[ -z $rm_port ]]; then
      while IFS= read -r line; do
        [[ $line =~ ^runmock\ listening\ on\ http://127\.0\.0\.1:([0-9]+) ]] && rm_port=${BASH_REMATCH[1]}
      done <"$out"
    fi
    if [[ -n $rm_port ]]; then
      # Inlined rather than $(http_status …): a command substitution would fork on every probe.
      status=''
      if { exec {fd}<>"/dev/tcp/127.0.0.1/$rm_port"; } 2>/dev/null; then
        printf 'GET /__runmock/health HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' "$rm_port" 1>&"$fd" 2>/dev/null || true
        read -r -t 2 status <&"$fd" 2>/dev/null || true
        exec {fd}>&-
      fi
      if [[ $status == "HTTP/1.1 200"* ]]; then
        rm_startup_us=$((${EPOCHREALTIME/[.,]/} - t0))
        break
      fi
    fi
    alive "$rm_pid" || { cat "$out" >&2; die "runmock exited before answering"; }
    ((${EPOCHREALTIME/[.,]/} - t0 < 10000000)) || { cat "$out" >&2; die "runmock did not answer within 10 s"; }
  done
  # The token line follows the listening line; give it a moment if it is not there yet.
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    while IFS= read -r line; do
      [[ $line == "runmock dev token: "* ]] && rm_token=${line#runmock dev token: }
    done <"$out"
    [[ -n $rm_token ]] && break
    sleep 0.05
  done
  [[ -n $rm_token ]] || die "runmock printed no dev token"
}

# Creates an emergence run of scenario $2 (default: none asked) on $1 (base URL) with the dev token;
# prints its id.
emergence_config=550e8400-e29b-41d4-a716-446655440001
emergence_runs=/api/data-readiness/workflows/$emergence_config/runs
emergence_body='{"asset_fqn": "PostgreSQL.dvdrental.public", "parameters": {"include": ["PostgreSQL.dvdrental.public.actor"]}, "save_all": true}'
create_emergence_run() {
  local prefer=() created
  [[ -n ${2:-} ]] && prefer=(-H "Prefer: scenario=$2")
  created=$(curl -sS -f -X POST "$1$emergence_runs" -H "Authorization: Bearer $rm_token" \
    -H 'Content-Type: application/json' "${prefer[@]}" --data "$emergence_body") ||
    die "runmock refused the create-run request"
  [[ $created =~ \"id\":\"([^\"]+)\" ]] || die "no run id in: $created"
  echo "${BASH_REMATCH[1]}"
}

# CPU time (clock ticks, user + system) of process $1 and its children (nginx's workers).
cpu_ticks() {
  local total=0 f stat fields
  for f in /proc/[0-9]*/stat; do
    { read -r stat <"$f"; } 2>/dev/null || continue
    read -ra fields <<<"${stat##*) }"   # fields[0] = state (field 3), [1] = ppid, [11] = utime, [12] = stime
    if [[ $f == "/proc/$1/stat" || ${fields[1]} == "$1" ]]; then
      total=$((total + fields[11] + fields[12]))
    fi
  done
  echo "$total"
}
# Percent of one core that $1 ticks over $2 microseconds are.
cpu_pct() {
  awk -v c="$1" -v hz="$(getconf CLK_TCK)" -v us="$2" 'BEGIN {printf "%.1f", 100 * c / hz / (us / 1e6)}'
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
mb() { awk -v k="$1" 'BEGIN {printf "%.1f", k * 1024 / 1e6}'; }  # kB → MB (10^6 bytes)

# From a `wrk --latency` report ($1): the latency at percentile $2 (50%, 99%) in ms; requests/s;
# requests in all; errors in words (empty when none).
wrk_latency_ms() {
  awk -v p="$2" '$1 == p {
      v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
      f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : -1
      printf "%.2f", v * f }' "$1"
}
wrk_rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
wrk_requests() { awk '/ requests in / {print $1}' "$1"; }
wrk_errors() {
  awk '/Non-2xx or 3xx responses:/ {e = e " non-2xx " $NF}
      /Socket errors:/ {sub(/^ *Socket errors: */, ""); e = e " socket errors (" $0 ")"}
      END {sub(/^ /, "", e); print e}' "$1"
}

# How busy the machine was in the half second before (percent of all cores): anything else
# running skews every figure.
machine_busy_pct() {
  local _cpu user nice sys idle iowait irq softirq steal _rest t0 i0
  read -r _cpu user nice sys idle iowait irq softirq steal _rest </proc/stat
  t0=$((user + nice + sys + idle + iowait + irq + softirq + steal)) i0=$((idle + iowait))
  sleep 0.5
  read -r _cpu user nice sys idle iowait irq softirq steal _rest </proc/stat
  awk -v t="$((user + nice + sys + idle + iowait + irq + softirq + steal - t0))" -v i="$((idle + iowait - i0))" \
    'BEGIN {printf "%.0f", t ? 100 * (1 - i / t) : 0}'
}

# met / not met: $1 is an awk condition over a and b (a the figure, b the bound), e.g. 'a >= b'.
verdict() { awk -v a="$2" -v b="$3" "BEGIN {print (($1) ? \"met\" : \"not met\")}"; }
