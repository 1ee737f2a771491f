#!/bin/sh
# Runs one SharpFuzz target under libFuzzer until it has made RUNS executions or SECONDS have passed, whichever first.
# Usage: tests/Intercom.Fuzz/fuzz.sh TARGET [RUNS] [SECONDS]   (from the repository root; see README.md for the tools)
# Output: /tmp/fuzz-work/TARGET/{corpus,artifacts,log.txt} (FUZZ_WORK moves /tmp/fuzz-work, FUZZ_OUT the published
# harness); the last lines of the log hold libFuzzer's final stats.
set -eu
target=$1
runs=${2:-10000000}
seconds=${3:-3600}
out=${FUZZ_OUT:-/tmp/fuzz-out}
driver=${LIBFUZZER_DOTNET:-/tmp/libfuzzer-dotnet/libfuzzer-dotnet}
work=${FUZZ_WORK:-/tmp/fuzz-work}/$target

if [ ! -f "$out/.instrumented" ]; then
    dotnet publish tests/Intercom.Fuzz -c Release -o "$out"
    # Instrument the libraries under test, not the harness or the runtime. The app (intercom.dll), Hardware, Integrations
    # and Web hold what the config target's start path runs (StationStartPath.cs).
    for lib in Intercom.Sip Intercom.Media Intercom.Configuration Intercom.Station intercom Intercom.Hardware Intercom.Integrations Intercom.Web; do
        sharpfuzz "$out/$lib.dll"
    done
    touch "$out/.instrumented"
fi

mkdir -p "$work/corpus" "$work/artifacts"
"$driver" --target_path="$out/Intercom.Fuzz" --target_arg="$target" \
    -runs="$runs" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
    "$work/corpus" "tests/Intercom.Fuzz/corpus/$target" 2>&1 | tee "$work/log.txt" | grep -E "^(#[0-9]+ +DONE|stat::|==|Done)" || true
