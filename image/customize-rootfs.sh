#!/bin/sh
# mmdebstrap customize hook of build-image.sh: turns the fresh arm64 Debian root ($1), the intercom package
# installed, into the station's root.
# Runs on the build host; commands inside the root run through chroot (arm64 under qemu-user). Its inputs come from
# build-image.sh in IMAGE_* environment variables.
set -eu

root=$1
: "${IMAGE_HOSTNAME:?}" "${IMAGE_OVERLAY:?}"
IMAGE_SSH_KEY=${IMAGE_SSH_KEY:-}
IMAGE_WIFI_SSID=${IMAGE_WIFI_SSID:-}
IMAGE_WIFI_PSK_FILE=${IMAGE_WIFI_PSK_FILE:-}

echo "== station settings: host name, mounts, logs in RAM, network, first boot"
cp -R --preserve=mode "$IMAGE_OVERLAY/." "$root/"
chown -R 0:0 "$root/usr/lib/intercom-image" "$root/usr/lib/systemd/system/intercom-firstboot.service"

echo "$IMAGE_HOSTNAME" > "$root/etc/hostname"
cat > "$root/etc/hosts" <<EOF
127.0.0.1	localhost
127.0.1.1	$IMAGE_HOSTNAME
::1	localhost ip6-localhost ip6-loopback
ff02::1	ip6-allnodes
ff02::2	ip6-allrouters
EOF

# By label, so the same lines hold on an SD card (mmcblk0), a USB disk (sda) and a VM (vda).
cat > "$root/etc/fstab" <<EOF
# <file system>		<mount point>	<type>	<options>		<dump>	<pass>
LABEL=RASPIROOT		/		ext4	rw,noatime		0	1
LABEL=RASPIFIRM		/boot/firmware	vfat	rw,noatime,umask=0077	0	2
EOF

# raspi-firmware writes config.txt and cmdline.txt from these settings now and at every kernel upgrade on the card:
# the root by label, and the kernel's messages on the serial console (GPIO 14/15, kept free by the hardware map)
# as well as the screen.
cat >> "$root/etc/default/raspi-firmware" <<'EOF'

# Set by the intercom image build.
ROOTPART=LABEL=RASPIROOT
CONSOLES="tty0 ttyS1,115200"
EOF

echo "== initrd (once, now that every package is in), then config.txt, cmdline.txt, kernel and device trees"
if [ -n "$(chroot "$root" dpkg-divert --list /usr/sbin/update-initramfs)" ]; then
    rm -f "$root/usr/sbin/update-initramfs"
    chroot "$root" dpkg-divert --quiet --local --rename --remove /usr/sbin/update-initramfs
    chroot "$root" update-initramfs -c -k all
fi
DEB_MAINT_PARAMS=configure chroot "$root" /etc/kernel/postinst.d/z50-raspi-firmware

# Name resolution through systemd-resolved (and its multicast DNS for HOSTNAME.local).
ln -sf ../run/systemd/resolve/stub-resolv.conf "$root/etc/resolv.conf"
units="systemd-networkd.service systemd-resolved.service systemd-timesyncd.service intercom-firstboot.service intercom.service"

if [ -n "$IMAGE_SSH_KEY" ]; then
    echo "== SSH: key login for root only"
    install -d -m 0700 "$root/root/.ssh"
    install -m 0600 "$IMAGE_SSH_KEY" "$root/root/.ssh/authorized_keys"
    mkdir -p "$root/etc/ssh/sshd_config.d"
    cat > "$root/etc/ssh/sshd_config.d/50-intercom-image.conf" <<'EOF'
# Set by the intercom image build: keys only, no passwords.
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
EOF
    # Every card makes its own host keys at first boot.
    rm -f "$root"/etc/ssh/ssh_host_*
    units="$units ssh.service"
fi

if [ -n "$IMAGE_WIFI_SSID" ]; then
    echo "== Wi-Fi: $IMAGE_WIFI_SSID"
    mkdir -p "$root/etc/wpa_supplicant"
    umask 077
    {
        echo "ctrl_interface=DIR=/run/wpa_supplicant GROUP=netdev"
        echo "update_config=0"
        echo "network={"
        printf '\tssid="%s"\n' "$IMAGE_WIFI_SSID"
        printf '\tpsk="%s"\n' "$(head -n 1 "$IMAGE_WIFI_PSK_FILE")"
        echo "}"
    } > "$root/etc/wpa_supplicant/wpa_supplicant-wlan0.conf"
    umask 022
    cat > "$root/etc/systemd/network/50-intercom-wireless.network" <<'EOF'
# The station's Wi-Fi (wpa_supplicant@wlan0 joins the network), addressed like the wired one.
[Match]
Name=wlan*

[Network]
DHCP=yes
MulticastDNS=yes
EOF
    units="$units wpa_supplicant@wlan0.service"
fi

# Debian's security updates daily, on by default (apt's own timers run unattended-upgrades; its default origins are
# the security archive and point releases). The intercom package is not from Debian and is untouched: it updates
# through the station's page (signed releases, docs/install.md).
if [ -x "$root/usr/bin/unattended-upgrade" ]; then
    printf 'APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n' \
        > "$root/etc/apt/apt.conf.d/20auto-upgrades"
fi

# shellcheck disable=SC2086
chroot "$root" systemctl enable $units
# No password opens root (console or otherwise): the station is run from its web page, whose admin password the
# owner sets on first visit; a shell needs --ssh-key.
chroot "$root" passwd --lock root >/dev/null
chroot "$root" systemctl is-enabled intercom.service >/dev/null \
    || { echo "customize-rootfs.sh: intercom.service is not enabled" >&2; exit 1; }
