#!/usr/bin/env bash
# Builds the intercom Debian package from a NativeAOT publish folder (publish.ps1's artifacts/intercom-VERSION-RID/)
# with dpkg-deb alone (no debhelper): artifacts/intercom_VERSION_ARCH.deb.
#
#   image/build-deb.sh [--arch arm64|amd64] [--version V] [--input DIR] [--output DIR]
#
# Defaults: --arch arm64, --version from Directory.Build.props, --input artifacts/intercom-VERSION-linux-RID,
# --output artifacts. Prints the path of the package it wrote as its last line.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
arch=arm64
version=""
input=""
output="$repo/artifacts"

usage() { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; }
fail() { echo "build-deb.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case "$1" in
    --arch) arch="${2:?--arch needs arm64 or amd64}"; shift 2 ;;
    --version) version="${2:?--version needs a value}"; shift 2 ;;
    --input) input="${2:?--input needs a folder}"; shift 2 ;;
    --output) output="${2:?--output needs a folder}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; fail "unknown argument '$1'" ;;
    esac
done

case "$arch" in
arm64) rid=linux-arm64; machine=183 ;;
amd64) rid=linux-x64; machine=62 ;;
*) fail "--arch must be arm64 or amd64, not '$arch'" ;;
esac

command -v dpkg-deb >/dev/null || fail "dpkg-deb is missing: apt-get install dpkg"
if [ -z "$version" ]; then
    version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$repo/Directory.Build.props" | head -n1)"
    [ -n "$version" ] || fail "no <Version> in Directory.Build.props: pass --version"
fi
[ -n "$input" ] || input="$repo/artifacts/intercom-$version-$rid"
[ -x "$input/intercom" ] || fail "no published binary at $input/intercom: run dotnet pwsh ./publish.ps1 -Runtime $rid first"
# A package of the wrong architecture installs and then fails at exec time: refuse it here. ELF e_machine (offset 18,
# little-endian): 183 is AArch64, 62 is x86-64.
found="$(od -An -tu2 -j18 -N2 "$input/intercom" | tr -d ' ')"
[ "$found" = "$machine" ] || fail "$input/intercom is not an $arch binary (ELF machine $found, expected $machine)"


mkdir -p "$output"
stage="$(mktemp -d "${TMPDIR:-/tmp}/intercom-deb.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
root="$stage/root"

# The binary and any native library published beside it stay together (NativeAOT looks next to the executable);
# /usr/bin/intercom is a link so `intercom` is on PATH.
install -d -m 0755 "$root/usr/lib/intercom" "$root/usr/bin" "$root/usr/lib/systemd/system" "$root/usr/lib/udev/rules.d" \
    "$root/usr/share/doc/intercom" "$root/etc/intercom" "$root/DEBIAN"
install -m 0755 "$input/intercom" "$root/usr/lib/intercom/intercom"
# The service starts through the launcher: it runs a release a firmware update installed, and rolls a failed one back.
install -m 0755 "$here/debian/intercom-launch" "$root/usr/lib/intercom/launch"
for library in "$input"/*.so; do
    [ -e "$library" ] && install -m 0644 "$library" "$root/usr/lib/intercom/"
done
ln -s ../lib/intercom/intercom "$root/usr/bin/intercom"
install -m 0644 "$here/debian/intercom.service" "$root/usr/lib/systemd/system/intercom.service"
install -m 0644 "$here/debian/60-intercom-gpio.rules" "$root/usr/lib/udev/rules.d/60-intercom-gpio.rules"
# The default configuration is the documented example (conffile, 0600: it will hold SIP passwords). It opens nothing
# until the installer sets it up (no codes, no ring group targets, no account, no caller admitted): docs/security.md.
install -m 0600 "$repo/src/Intercom/intercom.example.json" "$root/etc/intercom/intercom.json"
install -m 0644 "$repo/src/Intercom/intercom.example.json" "$root/usr/share/doc/intercom/intercom.example.json"
install -m 0644 "$repo/README.md" "$root/usr/share/doc/intercom/README.md"

installed_size="$(du -sk --apparent-size --exclude=DEBIAN "$root" | cut -f1)"
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@INSTALLED_SIZE@/$installed_size/" \
    "$here/debian/control.in" > "$root/DEBIAN/control"
install -m 0644 "$here/debian/conffiles" "$root/DEBIAN/conffiles"
for script in postinst prerm postrm; do
    install -m 0755 "$here/debian/$script" "$root/DEBIAN/$script"
done

package="$output/intercom_${version}_${arch}.deb"
# root:root ownership without fakeroot; xz keeps the download to the Pi small.
dpkg-deb --root-owner-group -Zxz --build "$root" "$package" >/dev/null
echo "$package"
