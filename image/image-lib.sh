# shellcheck shell=bash
# Shared by build-image.sh, from-debian.sh, from-base-image.sh and boot-test.sh (sourced, not run).

# File system labels the Debian image mounts by (fstab, cmdline.txt): the names Debian's own Raspberry Pi images use.
BOOT_LABEL=RASPIFIRM
ROOT_LABEL=RASPIROOT

die() {
    echo "$(basename "$0"): $*" >&2
    exit 1
}

step() {
    echo "== $*"
}

# need COMMAND PACKAGE: remembers a missing command with the Debian package that provides it.
need() {
    command -v "$1" >/dev/null 2>&1 || missing+=("$1 (apt-get install $2)")
}

# The arm64 packages' maintainer scripts run under qemu-user, which the kernel starts through binfmt_misc. Registering
# it is a host setting (not a mount of the image); it is done here when the kernel interface is there but unregistered.
ensure_arm64_emulation() {
    if arch-test arm64 >/dev/null 2>&1; then
        return 0
    fi
    if [ ! -e /proc/sys/fs/binfmt_misc/status ]; then
        step "host: mounting binfmt_misc so arm64 programs run under qemu-user"
        mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null \
            || die "arm64 emulation: binfmt_misc is not available (a container needs it from its host:
  docker run --privileged multiarch/qemu-user-static --reset -p yes, or on the host: apt-get install qemu-user-static binfmt-support)"
    fi
    update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
    arch-test arm64 >/dev/null 2>&1 \
        || die "arm64 programs do not run here: apt-get install qemu-user-static binfmt-support, then update-binfmts --enable qemu-aarch64"
}

# partition_field IMAGE NUMBER FIELD: start or size (in 512-byte sectors) of partition NUMBER, from sfdisk's dump.
partition_field() {
    sfdisk --dump "$1" 2>/dev/null | awk -v n="$2" -v f="$3" '
        /^[^ ]+ *: *start=/ {
            i++
            if (i == n) {
                line = $0
                sub(/^[^:]*: */, "", line)
                count = split(line, kv, /, */)
                for (k = 1; k <= count; k++) {
                    split(kv[k], pair, /= */)
                    gsub(/ /, "", pair[1])
                    if (pair[1] == f) { gsub(/ /, "", pair[2]); print pair[2] }
                }
            }
        }'
}
