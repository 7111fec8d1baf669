#!/usr/bin/env bash
# compare_nginx.sh: `minitls server` against nginx, on loopback, in one run.
#
# What it does:
#   1. builds `minitls` and the load tool (examples/load.rs) in release,
#      and issues a demo PKI (`minitls cert`) into a temporary directory;
#   2. starts nginx (Debian's package, /usr/sbin/nginx, in the foreground
#      with its own prefix and config in that directory) on a free
#      127.0.0.1 port, configured as minitls is: the same Ed25519
#      certificate, TLS 1.3 only, TLS_CHACHA20_POLY1305_SHA256, X25519,
#      session tickets on, one worker process per core;
#   3. starts `minitls server --resumption stateless` (tickets on, one
#      thread per connection) on another free port;
#   4. drives each server in turn with the same load: CLIENTS concurrent
#      clients, each making HANDSHAKES connections, full handshakes
#      (`--mode full`) then resumed ones (`--mode stateless`: each client
#      resumes with the tickets the server sent it; a warm-up connection
#      per client fetches the first one and is not counted, so every
#      measured handshake is a resumption). Each connection sends
#      `GET / HTTP/1.0` and reads the answer (`--exchange http`), which
#      both servers answer with a small page and then close;
#   5. prints, per server, handshakes per second and p50/p99 handshake
#      latency (connect to handshake done), full and resumed, and the CPU
#      time the server used per connection (user + system, from
#      /proc/PID/stat: nginx's workers, minitls's process), which the
#      noise of a shared machine disturbs least.
# The order of the servers alternates from round to round, and ROUNDS
# rounds are run, so that the noise of a shared machine shows.
#
# Usage: scripts/compare_nginx.sh        (from anywhere in the repository)
# Knobs (environment): CLIENTS (default 64), HANDSHAKES (default 50),
#   ROUNDS (default 2), NGINX (default /usr/sbin/nginx), KEEP=1 to keep
#   the temporary directory (configs and both servers' logs).
# Everything it starts is stopped, and the temporary directory removed,
# when it exits, however it exits. It is a script to run by hand, not CI.
set -euo pipefail

CLIENTS=${CLIENTS:-64}
HANDSHAKES=${HANDSHAKES:-50}
ROUNDS=${ROUNDS:-2}
NGINX=${NGINX:-/usr/sbin/nginx}
CORES=$(nproc)

root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/compare-nginx.XXXXXX")
pids=()      # the servers, and the load tool while it runs

cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [[ ${KEEP:-0} == 1 ]]; then
        echo "kept $tmp" >&2
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port nobody listens on now (the kernel's choice for port 0).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits up to 10 s for something to listen on 127.0.0.1:$1.
wait_for_port() {
    for _ in $(seq 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    echo "nothing listens on 127.0.0.1:$1; logs in $tmp" >&2
    KEEP=1
    return 1
}

echo "building minitls and the load tool (release)..." >&2
(cd "$root" && cargo build --release --locked --quiet --bin minitls --example load)
minitls=$root/target/release/minitls
load=$root/target/release/examples/load

"$minitls" cert --out "$tmp/pki" --name localhost >/dev/null

# nginx, configured as minitls is. A page about as long as minitls's.
nginx_port=$(free_port)
mkdir -p "$tmp/nginx/logs"
cat >"$tmp/nginx/nginx.conf" <<CONF
daemon off;
master_process on;
worker_processes $CORES;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log warn;
worker_rlimit_nofile 16384;
events { worker_connections 8192; }
http {
    access_log off;
    client_body_temp_path $tmp/nginx/body;
    proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    scgi_temp_path $tmp/nginx/scgi;
    server {
        listen 127.0.0.1:$nginx_port ssl backlog=1024;
        ssl_certificate $tmp/pki/server.pem;
        ssl_certificate_key $tmp/pki/server.key;
        ssl_protocols TLSv1.3;
        ssl_conf_command Ciphersuites TLS_CHACHA20_POLY1305_SHA256;
        ssl_ecdh_curve X25519;
        ssl_session_tickets on;
        location / {
            default_type text/html;
            return 200 "<!doctype html>\n<title>nginx</title>\n<h1>Hello from nginx</h1>\n<pre>\nprotocol: TLSv1.3\ncipher: TLS_CHACHA20_POLY1305_SHA256\ngroup: x25519\nsignature: ed25519\n</pre>\n";
        }
    }
}
CONF
"$NGINX" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/logs/error.log" &
nginx_pid=$!
pids+=("$nginx_pid")

minitls_port=$(free_port)
"$minitls" server --cert "$tmp/pki/server.pem" --key "$tmp/pki/server.key" \
    --listen "127.0.0.1:$minitls_port" --resumption stateless \
    2>"$tmp/minitls.log" &
minitls_pid=$!
pids+=("$minitls_pid")

wait_for_port "$nginx_port"
wait_for_port "$minitls_port"
# The processes that do nginx's TLS: the master's children, once all
# $CORES have started.
for _ in $(seq 100); do
    read -r -a nginx_workers <<<"$(ps -o pid= --ppid "$nginx_pid" | tr '\n' ' ')"
    ((${#nginx_workers[@]} == CORES)) && break
    sleep 0.1
done
clk_tck=$(getconf CLK_TCK)

# CPU clock ticks (user + system) used so far by processes "$@"
# (fields 14 and 15 of /proc/PID/stat; a process's counts include all
# its threads).
cpu_ticks() {
    local total=0 pid fields
    for pid in "$@"; do
        read -r -a fields < <(sed 's/^.*) //' "/proc/$pid/stat")
        total=$((total + fields[11] + fields[12]))
    done
    echo "$total"
}
echo "nginx ($("$NGINX" -v 2>&1 | sed 's/.*: //'), $CORES workers) on 127.0.0.1:$nginx_port;" \
    "minitls server on 127.0.0.1:$minitls_port;" \
    "$CLIENTS clients x $HANDSHAKES handshakes per run" >&2

# One load run: prints "hs/s p50 p99 ok failed resumed cpu_ms" for it,
# cpu_ms being the server's CPU time per connection (warm-ups included).
# The load tool runs in the background so that a signal stops it at once.
drive() { # port mode server-pids...
    local port=$1 mode=$2 out row before after load_pid
    shift 2
    before=$(cpu_ticks "$@")
    "$load" --addr "127.0.0.1:$port" --ca "$tmp/pki/ca.pem" --server-name localhost \
        --exchange http --warmup --mode "$mode" \
        --clients "$CLIENTS" --handshakes "$HANDSHAKES" >"$tmp/load.out" &
    load_pid=$!
    pids+=("$load_pid")
    if ! wait "$load_pid"; then
        cat "$tmp/load.out" >&2
        echo "the load tool reported failures (above)" >&2
        exit 1
    fi
    unset 'pids[-1]'
    out=$(<"$tmp/load.out")
    after=$(cpu_ticks "$@")
    # The row: mode ok failed resumed hs/s p50 p99 max ...
    row=$(awk -v m="$mode" '$1 == m && NF > 6' <<<"$out")
    awk -v ticks=$((after - before)) -v hz="$clk_tck" -v warmups="$CLIENTS" \
        '{ printf "%s %s %s %s %s %s %.3f\n", $5, $6, $7, $2, $3, $4, ticks * 1000 / hz / ($2 + warmups) }' <<<"$row"
}

results=$tmp/results
: >"$results"
for round in $(seq "$ROUNDS"); do
    if ((round % 2)); then order="minitls nginx"; else order="nginx minitls"; fi
    for server in $order; do
        if [[ $server == minitls ]]; then
            port=$minitls_port procs=("$minitls_pid")
        else
            port=$nginx_port procs=("${nginx_workers[@]}")
        fi
        for mode in full stateless; do
            kind=$([[ $mode == full ]] && echo full || echo resumed)
            echo "round $round: $server, $kind..." >&2
            drive "$port" "$mode" "${procs[@]}" >"$results.row"
            echo "$round $server $kind $(<"$results.row")" >>"$results"
        done
    done
done

echo
echo "$CLIENTS concurrent clients x $HANDSHAKES handshakes each, per run; $CORES cores;"
echo "latency = TCP connect to handshake complete, in ms; hs/s = connections completed per second;"
echo "server CPU = the server's user + system CPU time per connection, in ms"
printf '%-6s %-8s %-8s %10s %8s %8s %7s %7s %8s %11s\n' \
    round server kind "hs/s" "p50 ms" "p99 ms" ok failed resumed "server CPU"
while read -r round server kind rate p50 p99 ok failed resumed cpu; do
    printf '%-6s %-8s %-8s %10s %8s %8s %7s %7s %8s %11s\n' \
        "$round" "$server" "$kind" "$rate" "$p50" "$p99" "$ok" "$failed" "$resumed" "$cpu"
done <"$results"

echo
echo "mean over $ROUNDS rounds; ratio = minitls / nginx (above 1: minitls faster for hs/s, slower for p99 and CPU):"
printf '%-8s %12s %12s %6s %12s %12s %6s %12s %12s %6s\n' \
    kind "minitls hs/s" "nginx hs/s" ratio "minitls p99" "nginx p99" ratio "minitls CPU" "nginx CPU" ratio
for kind in full resumed; do
    awk -v k="$kind" '
        $3 == k && $2 == "minitls" { mr += $4; mp += $6; mc += $10; m++ }
        $3 == k && $2 == "nginx"   { nr += $4; np += $6; nc += $10; n++ }
        END {
            mr /= m; mp /= m; mc /= m; nr /= n; np /= n; nc /= n
            printf "%-8s %12.0f %12.0f %6.2f %12.1f %12.1f %6.2f %12.3f %12.3f %6.2f\n",
                k, mr, nr, mr / nr, mp, np, mp / np, mc, nc, mc / nc
        }' "$results"
done
