#!/usr/bin/env bash
# Boots an image made by build-image.sh (from Debian packages) under qemu-system-aarch64's "virt" machine and
# waits until the station answers SIP OPTIONS through a forwarded port.
#
# The image boots as it would on a Pi, less the Pi's own firmware: the kernel, initrd and kernel command line are
# read from its boot partition (config.txt's kernel= and initramfs, cmdline.txt, with the console moved to the virt
# machine's PL011 UART), and the whole image is the virtio disk, so the root and boot file systems are found by their
# labels through fstab. The disk is a sparse copy made 512 MiB larger, so the first boot's resize runs too. The
# network is qemu's user-mode stack: only 127.0.0.1:PORT (UDP) reaches the guest's SIP port 5060.
#
# A VM has no Raspberry Pi GPIO header: the copy (only) gets a drop-in that starts the station with --simulate.
#
# usage: image/boot-test.sh IMAGE [--port PORT] [--timeout SECONDS] [--keep DIR]
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=image/image-lib.sh
. "$HERE/image-lib.sh"

image=""
port=""
timeout=900
keep=""
while [ $# -gt 0 ]; do
    case "$1" in
        --port) port=${2:?--port needs a number}; shift 2 ;;
        --timeout) timeout=${2:?--timeout needs seconds}; shift 2 ;;
        --keep) keep=${2:?--keep needs a directory}; shift 2 ;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) die "unknown option '$1'" ;;
        *) [ -z "$image" ] || die "one image only"; image=$1; shift ;;
    esac
done
[ -n "$image" ] || die "usage: image/boot-test.sh IMAGE [--port PORT] [--timeout SECONDS]"
[ -f "$image" ] || die "$image: no such file"

missing=()
need qemu-system-aarch64 qemu-system-arm
need mcopy mtools
need sfdisk fdisk
need debugfs e2fsprogs
need sipsak sipsak
need ss iproute2
[ ${#missing[@]} -eq 0 ] || die "missing: ${missing[*]}"

if [ -n "$keep" ]; then
    work=$keep
    mkdir -p "$work"
else
    work=$(mktemp -d /tmp/intercom-boot-test.XXXXXX)
fi
qemu_pid=""
cleanup() {
    if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then
        kill "$qemu_pid" 2>/dev/null || true
        wait "$qemu_pid" 2>/dev/null || true
    fi
    [ -n "$keep" ] || rm -rf "$work"
}
trap cleanup EXIT

started=$(date +%s)
boot_start=$(partition_field "$image" 1 start)
root_start=$(partition_field "$image" 2 start)
[ -n "$boot_start" ] && [ -n "$root_start" ] || die "$image: no boot and root partitions"
boot_fs="$image@@$((boot_start * 512))"

mcopy -o -i "$boot_fs" ::config.txt ::cmdline.txt "$work/"
kernel=$(sed -n 's/^kernel=//p' "$work/config.txt" | tail -n 1)
initrd=$(sed -n 's/^initramfs \([^ ]*\).*/\1/p' "$work/config.txt" | tail -n 1)
[ -n "$kernel" ] && [ -n "$initrd" ] || die "config.txt names no kernel= and initramfs (not an image from Debian packages?)"
mcopy -o -i "$boot_fs" "::$kernel" "$work/vmlinuz"
mcopy -o -i "$boot_fs" "::$initrd" "$work/initrd.img"
append="$(sed 's/console=[^ ]*//g' "$work/cmdline.txt" | tr -s ' ') console=ttyAMA0"

cp --sparse=always "$image" "$work/disk.img"
truncate -s +512M "$work/disk.img"
root_fs="$work/disk.img?offset=$((root_start * 512))"
exec_start=$(debugfs -R "cat /usr/lib/systemd/system/intercom.service" "$root_fs" 2>/dev/null | sed -n 's/^ExecStart=//p' | head -n 1)
[ -n "$exec_start" ] || die "the image has no /usr/lib/systemd/system/intercom.service with an ExecStart="
printf '# Boot test only: a VM has no GPIO header.\n[Service]\nExecStart=\nExecStart=%s --simulate\n' "$exec_start" \
    > "$work/simulate.conf"
dropin=/etc/systemd/system/intercom.service.d
printf '%s\n' "mkdir $dropin" "sif $dropin mode 040755" \
    "write $work/simulate.conf $dropin/boot-test-simulate.conf" "sif $dropin/boot-test-simulate.conf mode 0100644" \
    | debugfs -w -f - "$root_fs" >/dev/null 2>&1
debugfs -R "cat $dropin/boot-test-simulate.conf" "$root_fs" 2>/dev/null | grep -q -- '--simulate' \
    || die "could not write the --simulate drop-in into the test copy"

if [ -z "$port" ]; then
    # A free UDP port on loopback, away from the usual SIP ports.
    for _ in $(seq 1 50); do
        candidate=$((20000 + RANDOM % 20000))
        if ! ss -Huln "sport = :$candidate" | grep -q .; then port=$candidate; break; fi
    done
    [ -n "$port" ] || die "no free UDP port on 127.0.0.1"
fi

accel=tcg,thread=multi
step "booting $(basename "$image") under qemu-system-aarch64 -M virt (kernel $kernel); SIP 5060/udp at 127.0.0.1:$port"
echo "   kernel command line: $append"
qemu-system-aarch64 -M virt -cpu cortex-a53 -smp 2 -m 1024 -accel "$accel" \
    -kernel "$work/vmlinuz" -initrd "$work/initrd.img" -append "$append" \
    -drive if=none,id=disk,format=raw,file="$work/disk.img" -device virtio-blk-pci,drive=disk \
    -netdev user,id=net,hostfwd=udp:127.0.0.1:"$port"-:5060 -device virtio-net-pci,netdev=net \
    -device virtio-rng-pci \
    -display none -monitor none -serial file:"$work/console.log" -no-reboot &
qemu_pid=$!

deadline=$((started + timeout))
answered=""
while [ "$(date +%s)" -lt "$deadline" ]; do
    kill -0 "$qemu_pid" 2>/dev/null || { tail -n 40 "$work/console.log" >&2; die "qemu stopped before the station answered"; }
    # One OPTIONS with sipsak's own retransmissions (about 5 s when nothing answers).
    if reply=$(timeout 20 sipsak -s "sip:door@127.0.0.1:$port" -H 127.0.0.1 -vv 2>&1) \
        && echo "$reply" | grep -q '^SIP/2.0 200'; then
        answered=$(echo "$reply" | grep -m 1 '^SIP/2.0 200')
        break
    fi
    sleep 5
done
elapsed=$(( $(date +%s) - started ))
if [ -z "$answered" ]; then
    echo "--- console (last 60 lines) ---" >&2
    tail -n 60 "$work/console.log" >&2
    die "no answer to SIP OPTIONS at 127.0.0.1:$port within ${timeout} s"
fi

step "first boot, from the console:"
grep -a 'intercom-firstboot' "$work/console.log" | sed 's/^/   /' || true
step "OPTIONS answered after ${elapsed} s: $answered"
