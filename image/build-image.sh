#!/usr/bin/env bash
# Builds a bootable Raspberry Pi SD-card image (arm64: Pi 3, 4, Zero 2 W; Pi 5 from a Raspberry Pi OS base) with the
# intercom Debian package installed and its service enabled.
#
# Two ways:
#   from Debian packages (default): mmdebstrap builds an arm64 Debian root (raspi-firmware, linux-image-arm64,
#     systemd-networkd), the package is installed in it under qemu-user emulation;
#   from a Raspberry Pi OS Lite image (--base-image FILE): the package and the first-boot unit are written into a
#     copy of that image and installed by dpkg on the card's first boot.
#
# No loop devices and no mounts of the image: the root file system is made with `mke2fs -d` from a directory, the
# FAT boot partition with mkfs.vfat and mtools on a file, the two joined with sfdisk and dd; a base image is changed
# with debugfs and mtools at the partitions' offsets. So it runs in containers and CI. It runs as root (mmdebstrap's
# chroot and the files' owners).
#
# usage: image/build-image.sh [options]      (see --help)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")
# shellcheck source=image/image-lib.sh
. "$HERE/image-lib.sh"

usage() {
    cat <<'EOF'
usage: image/build-image.sh [options]

  --deb FILE             the intercom package (default: the newest artifacts/intercom_*_arm64.deb,
                         made by image/build-deb.sh)
  --output FILE          the image (default: artifacts/intercom_VERSION_rpi-arm64.img)
  --hostname NAME        the station's host name (default: intercom); the web page answers at NAME.local
  --ssh-key FILE         install the SSH server with these authorized keys for root (key login only);
                         without it the image has no SSH server
  --wifi-ssid NAME       join this Wi-Fi network (Zero 2 W, or Pi 3/4 without a cable); needs --wifi-psk-file
  --wifi-psk-file FILE   a file holding the Wi-Fi passphrase
  --suite NAME           Debian suite (default: bookworm)
  --mirror URL           Debian mirror (default: http://deb.debian.org/debian)
  --packages LIST        more Debian packages to install, comma-separated
  --cache DIR            keep downloaded packages here between builds
  --base-image FILE      a Raspberry Pi OS Lite image (.img or .img.xz) to install into instead
  --work DIR             scratch directory (default: a new one under /tmp, removed at the end)
  --xz                   also write OUTPUT.xz
  -h, --help             this text
EOF
}

deb=""
output=""
hostname_="intercom"
ssh_key=""
wifi_ssid=""
wifi_psk_file=""
suite="bookworm"
mirror="http://deb.debian.org/debian"
extra_packages=""
cache=""
base_image=""
work=""
compress=0

while [ $# -gt 0 ]; do
    case "$1" in
        --deb) deb=${2:?--deb needs a file}; shift 2 ;;
        --output) output=${2:?--output needs a file}; shift 2 ;;
        --hostname) hostname_=${2:?--hostname needs a name}; shift 2 ;;
        --ssh-key) ssh_key=${2:?--ssh-key needs a file}; shift 2 ;;
        --wifi-ssid) wifi_ssid=${2:?--wifi-ssid needs a name}; shift 2 ;;
        --wifi-psk-file) wifi_psk_file=${2:?--wifi-psk-file needs a file}; shift 2 ;;
        --suite) suite=${2:?--suite needs a name}; shift 2 ;;
        --mirror) mirror=${2:?--mirror needs a URL}; shift 2 ;;
        --packages) extra_packages=${2:?--packages needs a list}; shift 2 ;;
        --cache) cache=${2:?--cache needs a directory}; shift 2 ;;
        --base-image) base_image=${2:?--base-image needs a file}; shift 2 ;;
        --work) work=${2:?--work needs a directory}; shift 2 ;;
        --xz) compress=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument '$1'" ;;
    esac
done

# ---- arguments and prerequisites, all checked before anything long starts ----------------------------------------

[[ "$hostname_" =~ ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$ ]] \
    || die "--hostname '$hostname_': a host name is 1-63 lower-case letters, digits and inner hyphens"
[ -z "$ssh_key" ] || [ -s "$ssh_key" ] || die "--ssh-key $ssh_key: no such file, or empty"
if [ -n "$wifi_ssid" ] || [ -n "$wifi_psk_file" ]; then
    [ -n "$wifi_ssid" ] && [ -n "$wifi_psk_file" ] || die "--wifi-ssid and --wifi-psk-file go together"
    [ -s "$wifi_psk_file" ] || die "--wifi-psk-file $wifi_psk_file: no such file, or empty"
    [ -z "$base_image" ] || die "--wifi-ssid: a Raspberry Pi OS image sets up Wi-Fi itself (Raspberry Pi Imager)"
fi
[ -z "$base_image" ] || [ -f "$base_image" ] || die "--base-image $base_image: no such file"

if [ -z "$deb" ]; then
    deb=$(ls -1t "$REPO"/artifacts/intercom_*_arm64.deb 2>/dev/null | head -n 1 || true)
    [ -n "$deb" ] || die "no intercom package: build it with image/build-deb.sh (artifacts/intercom_VERSION_arm64.deb), or pass --deb FILE"
fi
[ -f "$deb" ] || die "--deb $deb: no such file"
deb=$(realpath "$deb")

missing=()
need dpkg-deb dpkg
need sfdisk fdisk
need mcopy mtools
need mdir mtools
need debugfs e2fsprogs
need truncate coreutils
need openssl openssl
if [ -z "$base_image" ]; then
    need mmdebstrap mmdebstrap
    need mke2fs e2fsprogs
    need mkfs.vfat dosfstools
    need arch-test arch-test
    need update-binfmts binfmt-support
    [ -e /usr/libexec/qemu-binfmt/aarch64-binfmt-P ] || [ -e /usr/bin/qemu-aarch64-static ] \
        || missing+=("qemu-aarch64-static (apt-get install qemu-user-static)")
else
    need e2fsck e2fsprogs
    case "$base_image" in *.xz) need xz xz-utils ;; esac
fi
if [ ${#missing[@]} -gt 0 ]; then
    packages=$(printf '%s\n' "${missing[@]}" | sed -n 's/.*apt-get install \([^)]*\)).*/\1/p' | sort -u | tr '\n' ' ')
    die "missing: ${missing[*]}
  install them with: apt-get install --no-install-recommends ${packages% }"
fi
[ "$(id -u)" -eq 0 ] || die "run as root (mmdebstrap's chroot and the files' owners in the image need it), e.g. with sudo"

[ "$(dpkg-deb -f "$deb" Package)" = intercom ] || die "$deb is not the intercom package"
[ "$(dpkg-deb -f "$deb" Architecture)" = arm64 ] \
    || die "$deb is for $(dpkg-deb -f "$deb" Architecture); the Raspberry Pi image needs the arm64 package"
version=$(dpkg-deb -f "$deb" Version)
[ -n "$output" ] || output="$REPO/artifacts/intercom_${version}_rpi-arm64.img"
mkdir -p "$(dirname "$output")"
output=$(realpath "$output")

if [ -z "$base_image" ]; then
    ensure_arm64_emulation
fi

if [ -z "$work" ]; then
    work=$(mktemp -d /tmp/intercom-image.XXXXXX)
    trap 'rm -rf "$work"' EXIT
else
    mkdir -p "$work"
fi
work=$(realpath "$work")

started=$(date +%s)
if [ -z "$base_image" ]; then
    # shellcheck source=image/from-debian.sh
    . "$HERE/from-debian.sh"
    build_from_debian
else
    # shellcheck source=image/from-base-image.sh
    . "$HERE/from-base-image.sh"
    build_from_base_image
fi

if [ "$compress" -eq 1 ]; then
    step "compressing $output.xz"
    xz -T0 -k -f "$output"
fi
step "done in $(( $(date +%s) - started )) s: $output ($(du -h --apparent-size "$output" | cut -f1), intercom $version)"
sfdisk --dump "$output" | sed -n 's/^/  /; /start=/p'
