#!/usr/bin/env bash
# Throw-away Virtuoso Open Source 7 server for tests, everything kept in one folder.
#
#   scripts/virtuoso.sh start DIR HTTP_PORT SQL_PORT
#   scripts/virtuoso.sh stop DIR
#   scripts/virtuoso.sh status DIR
#
# start: creates DIR, writes DIR/virtuoso.ini (database, logs and temp files in DIR; HTTP on
# 127.0.0.1:HTTP_PORT, SQL on 127.0.0.1:SQL_PORT; small buffers), starts virtuoso-t in the
# background, waits for http://127.0.0.1:HTTP_PORT/sparql, then opens the anonymous endpoints for
# writing: SPARQL 1.1 Update on /sparql and the Graph Store HTTP Protocol on /sparql-graph-crud.
# SERVICE, LOAD <url> and sponging (the server fetching remote documents) are revoked for them;
# the bif:http_get()/bif:http_client() SQL functions stay callable from SPARQL text (Virtuoso
# has no switch for that), so the server is not sealed off from the network: keep it on
# loopback and use it for tests only. Starting a server that is already running in DIR on the
# same ports is a no-op (the grants are applied again). Needs virtuoso-t, isql-vt and curl.
# stop: shuts the server of DIR down (isql `shutdown`, then SIGTERM, then SIGKILL) and waits.
#
# The dba account keeps its default password "dba": for local tests only, never expose it.
set -euo pipefail

PROG=${0##*/}
VIRTUOSO=${VIRTUOSO:-virtuoso-t}
ISQL=${ISQL:-isql-vt}
START_TIMEOUT=${VIRTUOSO_START_TIMEOUT:-60}
STOP_TIMEOUT=${VIRTUOSO_STOP_TIMEOUT:-60}

die() { echo "$PROG: $*" >&2; exit 1; }
usage() {
    cat >&2 <<EOF
usage: $PROG start DIR HTTP_PORT SQL_PORT
       $PROG stop DIR
       $PROG status DIR
EOF
    exit 2
}

check_port() {
    [[ $1 =~ ^[0-9]+$ ]] && (( $1 >= 1 && $1 <= 65535 )) || die "not a port number: '$1'"
}

# Absolute path of DIR, without requiring it to exist.
abs_dir() {
    [[ -n $1 ]] || die "DIR must not be empty"
    realpath -m -- "$1"
}

# Whether process $1 exists and is not a zombie (a zombie answers kill -0 but is gone).
alive() {
    local state
    state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ -n $state && ${state:0:1} != Z ]]
}

# PID recorded in DIR, if that process is alive and is the virtuoso-t of DIR's ini; else nothing.
running_pid() {
    local dir=$1 pid cmd
    [[ -f $dir/virtuoso.pid ]] || return 1
    pid=$(<"$dir/virtuoso.pid")
    [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" || return 1
    cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
    [[ $cmd == *virtuoso* && $cmd == *"$dir/virtuoso.ini"* ]] || return 1
    echo "$pid"
}

ini_value() { # ini_value FILE SECTION KEY
    awk -v s="[$2]" -v k="$3" '
        /^\[/ { in_s = ($0 == s); next }
        in_s { line = $0; sub(/;.*/, "", line)
               n = index(line, "="); if (!n) next
               key = substr(line, 1, n - 1); gsub(/[ \t]/, "", key)
               if (key == k) { v = substr(line, n + 1); gsub(/^[ \t]+|[ \t]+$/, "", v); print v; exit } }
    ' "$1"
}

http_ready() { # the endpoint answers a query with 200
    curl -fsS -o /dev/null --max-time 5 \
        --data-urlencode 'query=ASK {}' -H 'Accept: application/sparql-results+json' \
        "http://127.0.0.1:$1/sparql" 2>/dev/null
}

isql() { # isql SQL_PORT 'statements;'  (stops at the first error, non-zero exit then)
    local port=$1 sql=$2 out
    out=$("$ISQL" "127.0.0.1:$port" dba dba VERBOSE=OFF BANNER=OFF PROMPT=OFF ERRORS=STDOUT \
          "EXEC=$sql" </dev/null 2>&1) || { echo "$out" >&2; return 1; }
    if grep -qE '^\*\*\* Error|^\*\*\* SQL Error' <<<"$out"; then echo "$out" >&2; return 1; fi
    [[ -z $out ]] || echo "$out"
}

write_ini() { # write_ini DIR HTTP_PORT SQL_PORT
    local dir=$1 http=$2 sql=$3 tmp
    mkdir -p -- "$dir/www"
    tmp=$(mktemp -- "$dir/.virtuoso.ini.XXXXXX")
    cat >"$tmp" <<EOF
; Written by scripts/virtuoso.sh: a small local test server, every file in this folder.
[Database]
DatabaseFile       = $dir/virtuoso.db
ErrorLogFile       = $dir/virtuoso.log
LockFile           = $dir/virtuoso.lck
TransactionFile    = $dir/virtuoso.trx
xa_persistent_file = $dir/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = $dir/virtuoso-temp.db
TransactionFile    = $dir/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort               = 127.0.0.1:$sql
DisableUnixSocket        = 1
DisableTcpSocket         = 0
MaxClientConnections     = 10
CheckpointInterval       = 60
O_DIRECT                 = 0
CaseMode                 = 2
MaxStaticCursorRows      = 5000
AllowOSCalls             = 0
SchedulerInterval        = 10
DirsAllowed              = ., $dir
ThreadCleanupInterval    = 0
ThreadThreshold          = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize        = 100000
SingleCPU                = 0
PrefixResultNames        = 0
IndexTreeMaps            = 64
MaxMemPoolSize           = 50000000
MaxQueryMem              = 256M
VectorSize               = 1000
MaxVectorSize            = 1000000
AdjustVectorSize         = 0
ThreadsPerQuery          = 2
AsyncQueueMaxThreads     = 4
; 8 KB pages: about 80 MB of buffers
NumberOfBuffers          = 10000
MaxDirtyBuffers          = 6000

[HTTPServer]
ServerPort                  = 127.0.0.1:$http
ServerRoot                  = $dir/www
MaxClientConnections        = 10
DavRoot                     = DAV
EnabledDavVSP               = 0
HTTPProxyEnabled            = 0
TempASPXDir                 = 0
ServerThreads               = 10
MaxKeepAlives               = 10
KeepAliveTimeout            = 10
MaxCachedProxyConnections   = 0
ProxyConnectionCacheTimeout = 15
HTTPThreadSize              = 280000
HttpPrintWarningsInOutput   = 0
Charset                     = UTF-8
EnabledGzipContent          = 0

[AutoRepair]
BadParentLinks = 0

[Client]
SQL_PREFETCH_ROWS  = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT  = 0
SQL_TXN_TIMEOUT    = 0

[VDB]
ArrayOptimization           = 0
NumArrayParameters          = 10
VDBDisconnectTimeout        = 1000
KeepConnectionOnFixedThread = 0

[Replication]
ServerName   = db
ServerEnable = 0

[URIQA]
DynamicLocal = 0
DefaultHost  = 127.0.0.1:$http

[SPARQL]
; Debian's default ini caps every result at 10000 rows (silently) and stops queries after 60 s
; returning the partial result with status 200 (header X-SQL-State: S1TAT): no caps here
ResultSetMaxRows           = 10000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime      = 0
ExternalQuerySource        = 0
ExternalXsltSource         = 0
DeferInferenceRulesInit    = 0
EOF
    chmod 644 -- "$tmp"
    mv -f -- "$tmp" "$dir/virtuoso.ini"
}

# The anonymous endpoints /sparql and /sparql-graph-crud run as the SQL account "SPARQL".
# SPARQL_UPDATE lets it write (SPARQL Update and Graph Store PUT/POST/DELETE). Graph-level
# security (DB.DBA.RDF_DEFAULT_USER_PERMS_SET) is deliberately left unset: once any graph
# permission is set, every query checks permissions per triple and a COUNT over 200,000 triples
# takes a minute instead of 0.3 s.
# Outbound HTTP: the roles also allow SERVICE, LOAD <url> and sponging (FROM <url> with
# get:soft); the procedures doing those fetches are revoked below.
GRANTS=(
    'GRANT SPARQL_UPDATE TO "SPARQL"'
)
REVOKES=(
    'DB.DBA.SPARQL_REXEC FROM SPARQL_SELECT'
    'DB.DBA.SPARQL_REXEC_WITH_META FROM SPARQL_SELECT'
    'DB.DBA.SPARQL_REXEC_TO_ARRAY FROM SPARQL_SELECT'
    'DB.DBA.SPARQL_SINV_IMP FROM SPARQL_SPONGE'
    'DB.DBA.SPARQL_SD_PROBE FROM SPARQL_SPONGE'
    'DB.DBA.SPARQL_SD_PROBE FROM SPARQL_LOAD_SERVICE_DATA'
    'DB.DBA.SPARUL_LOAD_SERVICE_DATA FROM SPARQL_SPONGE'
    'DB.DBA.SPARUL_LOAD_SERVICE_DATA FROM SPARQL_LOAD_SERVICE_DATA'
    'DB.DBA.SPARUL_LOAD_SERVICE_DATA FROM SPARQL_UPDATE'
    'DB.DBA.SPARUL_LOAD FROM SPARQL_UPDATE'
    'DB.DBA.RDF_SPONGE_UP FROM SPARQL_SPONGE'
    'DB.DBA.RDF_SPONGE_UP_1 FROM SPARQL_SPONGE'
    'DB.DBA.RDF_SPONGE_UP_LIST FROM SPARQL_SPONGE'
    'DB.DBA.RDF_GRAB FROM SPARQL_SPONGE'
    'DB.DBA.RDF_GRAB_SINGLE FROM SPARQL_SPONGE'
    'DB.DBA.RDF_GRAB_SINGLE_ASYNC FROM SPARQL_SPONGE'
    'DB.DBA.RDF_GRAB_SEEALSO FROM SPARQL_SPONGE'
)

apply_grants() { # apply_grants SQL_PORT; safe to repeat ("already granted"/"not granted" are fine)
    local port=$1 stmt out
    for stmt in "${GRANTS[@]}"; do
        out=$(isql "$port" "$stmt;" 2>&1) || grep -q 'U0013' <<<"$out" || die "failed: $stmt: $out"
    done
    for stmt in "${REVOKES[@]}"; do
        out=$(isql "$port" "REVOKE EXECUTE ON $stmt;" 2>&1) || grep -q 'SR272' <<<"$out" ||
            die "failed: REVOKE EXECUTE ON $stmt: $out"
    done
}

cmd_start() {
    (( $# == 3 )) || usage
    local dir http sql pid
    dir=$(abs_dir "$1"); http=$2; sql=$3
    check_port "$http"; check_port "$sql"
    [[ $http != "$sql" ]] || die "HTTP_PORT and SQL_PORT must differ"

    if ! command -v "$VIRTUOSO" >/dev/null || ! command -v "$ISQL" >/dev/null; then
        if (( EUID == 0 )) && command -v apt-get >/dev/null; then
            echo "$PROG: installing virtuoso-opensource" >&2
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q virtuoso-opensource >&2
        fi
        command -v "$VIRTUOSO" >/dev/null || die "$VIRTUOSO not found (apt-get install virtuoso-opensource)"
        command -v "$ISQL" >/dev/null || die "$ISQL not found (apt-get install virtuoso-opensource)"
    fi
    command -v curl >/dev/null || die "curl not found"

    mkdir -p -- "$dir"
    if pid=$(running_pid "$dir"); then
        local old_http old_sql
        old_http=$(ini_value "$dir/virtuoso.ini" HTTPServer ServerPort); old_http=${old_http##*:}
        old_sql=$(ini_value "$dir/virtuoso.ini" Parameters ServerPort); old_sql=${old_sql##*:}
        [[ $old_http == "$http" && $old_sql == "$sql" ]] ||
            die "a server is already running in $dir (pid $pid) on HTTP $old_http, SQL $old_sql; stop it first"
        http_ready "$http" || die "server of $dir (pid $pid) is running but /sparql does not answer"
        apply_grants "$sql"
        echo "already running: pid $pid, http://127.0.0.1:$http/sparql, SQL 127.0.0.1:$sql"
        echo "pid file: $dir/virtuoso.pid"
        return 0
    fi
    rm -f -- "$dir/virtuoso.pid"

    # Refuse ports another process already holds (virtuoso-t would just exit).
    if command -v ss >/dev/null; then
        local p
        for p in "$http" "$sql"; do
            if ss -Htln "sport = :$p" 2>/dev/null | grep -q .; then
                die "port $p is already in use"
            fi
        done
    fi

    write_ini "$dir" "$http" "$sql"
    local log=$dir/virtuoso.log t0=$SECONDS
    : >>"$log"
    local log_size; log_size=$(stat -c %s -- "$log")

    # Foreground mode + background job, in its own session so it outlives this shell.
    (cd -- "$dir" && exec setsid "$VIRTUOSO" +foreground +configfile "$dir/virtuoso.ini" \
        </dev/null >>"$dir/virtuoso.out" 2>&1) &
    pid=$!
    echo "$pid" >"$dir/virtuoso.pid"

    local deadline=$((SECONDS + START_TIMEOUT))
    until http_ready "$http"; do
        if ! alive "$pid" || (( SECONDS >= deadline )); then
            if alive "$pid"; then
                echo "$PROG: /sparql did not answer within ${START_TIMEOUT}s; stopping pid $pid" >&2
                kill -TERM "$pid" 2>/dev/null || true
                local t=$((SECONDS + 15))
                while alive "$pid" && (( SECONDS < t )); do sleep 0.2; done
                kill -KILL "$pid" 2>/dev/null || true
                wait "$pid" 2>/dev/null || true
            else
                echo "$PROG: virtuoso-t exited during start-up" >&2
            fi
            rm -f -- "$dir/virtuoso.pid"
            echo "--- tail of $log ---" >&2
            tail -c +"$((log_size + 1))" -- "$log" | tail -n 30 >&2 || true
            if [[ $(stat -c %s -- "$log") == "$log_size" ]]; then  # nothing logged: stdout/stderr
                echo "--- tail of $dir/virtuoso.out ---" >&2
                tail -n 20 -- "$dir/virtuoso.out" >&2 || true
            fi
            exit 1
        fi
        sleep 0.5
    done
    apply_grants "$sql"
    echo "started in $((SECONDS - t0))s: pid $pid, http://127.0.0.1:$http/sparql, SQL 127.0.0.1:$sql"
    echo "pid file: $dir/virtuoso.pid"
}

cmd_stop() {
    (( $# == 1 )) || usage
    local dir pid sql
    dir=$(abs_dir "$1")
    if ! pid=$(running_pid "$dir"); then
        rm -f -- "$dir/virtuoso.pid"
        echo "not running in $dir"
        return 0
    fi
    sql=$(ini_value "$dir/virtuoso.ini" Parameters ServerPort); sql=${sql##*:}
    # Clean shutdown (checkpoint) over SQL; SIGTERM if that is refused.
    isql "$sql" 'shutdown;' >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + STOP_TIMEOUT))
    while alive "$pid"; do
        if (( SECONDS >= deadline )); then
            echo "$PROG: pid $pid still running after ${STOP_TIMEOUT}s; killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
            sleep 1
            break
        fi
        sleep 0.2
    done
    rm -f -- "$dir/virtuoso.pid"
    echo "stopped pid $pid"
}

cmd_status() {
    (( $# == 1 )) || usage
    local dir pid
    dir=$(abs_dir "$1")
    if pid=$(running_pid "$dir"); then
        echo "running: pid $pid (pid file $dir/virtuoso.pid)"
    else
        echo "not running in $dir"; return 1
    fi
}

(( $# >= 1 )) || usage
cmd=$1; shift
case $cmd in
    start) cmd_start "$@" ;;
    stop) cmd_stop "$@" ;;
    status) cmd_status "$@" ;;
    -h|--help|help) usage ;;
    *) usage ;;
esac
