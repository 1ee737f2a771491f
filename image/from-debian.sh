# shellcheck shell=bash
# The image from Debian packages (sourced by build-image.sh, which has checked the arguments and prerequisites).

# What a headless station needs and no more: the Raspberry Pi boot firmware and Debian's arm64 kernel (its device
# trees cover the Pi 3, 4 and Zero 2 W), systemd with networkd/resolved/timesyncd (a Pi has no clock: TLS and SIP
# digest nonces need the time), CA certificates for SIP over TLS, sfdisk/resize2fs for the first-boot resize, and
# unattended-upgrades: Debian's security fixes (OpenSSL, the kernel) reach a station nobody logs into.
DEBIAN_PACKAGES="systemd,systemd-sysv,udev,dbus,kmod,initramfs-tools,linux-image-arm64,raspi-firmware,\
systemd-timesyncd,systemd-resolved,iproute2,netbase,openssl,ca-certificates,fdisk,e2fsprogs,unattended-upgrades"

build_from_debian() {
    local rootfs="$work/rootfs" bootfs="$work/bootfs" packages="$DEBIAN_PACKAGES"
    [ -z "$ssh_key" ] || packages="$packages,openssh-server"
    [ -z "$wifi_ssid" ] || packages="$packages,wpasupplicant,firmware-brcm80211,wireless-regdb"
    [ -z "$extra_packages" ] || packages="$packages,$extra_packages"

    local cache_hooks=()
    if [ -n "$cache" ]; then
        mkdir -p "$cache"
        cache=$(realpath "$cache")
        cache_hooks=(--skip=essential/unlink
            --setup-hook="mkdir -p \"\$1\"/var/cache/apt/archives"
            --setup-hook="sync-in $cache /var/cache/apt/archives/"
            --customize-hook="sync-out /var/cache/apt/archives $cache")
    fi

    step "debootstrapping Debian $suite arm64 with mmdebstrap (maintainer scripts run under qemu-user)"
    rm -rf "$rootfs" "$bootfs"
    # The package is installed with the others, in one apt run that fetches its dependencies too. apt hands dpkg (in
    # the chroot) the path it was given, so a setup hook puts a copy at that same path inside.
    local staged="$work/package/$(basename "$deb")"
    mkdir -p "$work/package"
    cp "$deb" "$staged"
    # update-initramfs is diverted to a no-op while the packages install: the kernel's hook and then the triggers of
    # udev, kmod and initramfs-tools would each make the initrd (minutes apiece under emulation); customize-rootfs.sh
    # puts it back and makes it once.
    # Documentation, manual pages and translations stay off the card (and out of later upgrades: dpkg keeps the
    # exclusions); copyright files and the intercom package's own documentation (its example configuration) stay.
    IMAGE_HOSTNAME="$hostname_" IMAGE_SSH_KEY="$ssh_key" IMAGE_WIFI_SSID="$wifi_ssid" \
    IMAGE_WIFI_PSK_FILE="$wifi_psk_file" IMAGE_OVERLAY="$HERE/rootfs" \
    mmdebstrap --mode=root --arch=arm64 --variant=minbase --components=main,non-free-firmware \
        --include="$packages" \
        --include="$staged" \
        --setup-hook="mkdir -p \"\$1$work/package\" && cp '$staged' \"\$1$staged\"" \
        --dpkgopt='path-exclude=/usr/share/man/*' \
        --dpkgopt='path-exclude=/usr/share/locale/*' \
        --dpkgopt='path-exclude=/usr/share/doc/*' \
        --dpkgopt='path-include=/usr/share/doc/*/copyright' \
        --dpkgopt='path-include=/usr/share/doc/intercom/*' \
        --hook-dir=/usr/share/mmdebstrap/hooks/eatmydata \
        --essential-hook="install -D -m 0644 $HERE/initramfs/intercom-image.conf \"\$1\"/etc/initramfs-tools/conf.d/intercom-image.conf" \
        --essential-hook="install -D -m 0755 $HERE/initramfs/intercom-image-hook \"\$1\"/etc/initramfs-tools/hooks/intercom-image" \
        --essential-hook="chroot \"\$1\" dpkg-divert --quiet --local --rename --add /usr/sbin/update-initramfs" \
        --essential-hook="printf '#!/bin/sh\nexit 0\n' > \"\$1\"/usr/sbin/update-initramfs && chmod 0755 \"\$1\"/usr/sbin/update-initramfs" \
        "${cache_hooks[@]}" \
        --customize-hook="rm -rf \"\$1$work/package\"" \
        --customize-hook="$HERE/customize-rootfs.sh \"\$1\"" \
        "$suite" "$rootfs" "$mirror"

    step "splitting the boot partition (/boot/firmware) from the root file system"
    mkdir -p "$bootfs"
    cp -a "$rootfs/boot/firmware/." "$bootfs/"
    find "$rootfs/boot/firmware" -mindepth 1 -delete
    [ -f "$bootfs/config.txt" ] && [ -f "$bootfs/cmdline.txt" ] \
        || die "raspi-firmware wrote no config.txt/cmdline.txt into /boot/firmware"

    # The boot partition holds the firmware, the device trees and two kernels with their initrds (the running one
    # and an upgrade); the root file system gets a quarter more than its content and grows to the card at first boot.
    local boot_mib=256 root_mib used_mib
    used_mib=$(du -s --block-size=1M "$rootfs" | cut -f1)
    root_mib=$(( (used_mib * 5 / 4 + 256 + 3) / 4 * 4 ))
    step "file systems: boot ${boot_mib} MiB (FAT32 $BOOT_LABEL), root ${root_mib} MiB (ext4 $ROOT_LABEL, ${used_mib} MiB used)"
    rm -f "$work/boot.img" "$work/root.img"
    mkfs.vfat -C -F 32 -n "$BOOT_LABEL" "$work/boot.img" $((boot_mib * 1024)) >/dev/null
    mcopy -s -p -m -i "$work/boot.img" "$bootfs"/* ::/
    # 4 KiB blocks and an inode per 8 KiB even though the file system starts small: it is grown on the card, and
    # mke2fs would otherwise pick its "small" 1 KiB-block layout.
    mke2fs -q -F -t ext4 -b 4096 -i 8192 -L "$ROOT_LABEL" -E root_owner=0:0 -d "$rootfs" "$work/root.img" "${root_mib}M"

    step "partitioning $output (MBR: boot at 4 MiB, then root)"
    local boot_start=8192 root_start total_mib disk_id
    root_start=$((boot_start + boot_mib * 2048))
    total_mib=$((4 + boot_mib + root_mib))
    disk_id=$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
    rm -f "$output"
    truncate -s "${total_mib}M" "$output"
    sfdisk -q "$output" <<EOF
label: dos
label-id: 0x$disk_id
unit: sectors

start=$boot_start, size=$((boot_mib * 2048)), type=c, bootable
start=$root_start, size=$((root_mib * 2048)), type=83
EOF
    dd if="$work/boot.img" of="$output" bs=1M seek=4 conv=notrunc,sparse status=none
    dd if="$work/root.img" of="$output" bs=1M seek=$((4 + boot_mib)) conv=notrunc,sparse status=none
    rm -f "$work/boot.img" "$work/root.img"
}
