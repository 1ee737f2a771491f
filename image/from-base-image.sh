# shellcheck shell=bash
# The image from a Raspberry Pi OS Lite image (sourced by build-image.sh, which has checked the arguments and
# prerequisites). The base image's partitions are changed in place, at their offsets in the image file: mtools on the
# FAT boot partition (IMAGE@@OFFSET), debugfs on the ext4 root (IMAGE?offset=OFFSET). Nothing is mounted and nothing
# runs under emulation: the package is installed by dpkg on the card's first boot (intercom-install-pending.service),
# where its maintainer scripts run on the system they were written for.

# debugfs does not fail on a failed request; its errors are read from its output instead. Harmless lines: its banner
# and the inode numbers it reports.
debugfs_run() {
    local requests=$1 log
    log=$(debugfs -w -f "$requests" "$root_fs" 2>&1 >/dev/null | grep -v -e '^debugfs [0-9]' -e '^Allocated inode' || true)
    [ -z "$log" ] || die "debugfs could not change the root file system:
$log"
}

root_has() {
    debugfs -R "stat $1" "$root_fs" 2>&1 | grep -q '^Inode:'
}

# put_file SOURCE DEST MODE: a file owned by root, replacing DEST if present; missing parent directories are made.
put_file() {
    local source=$1 dest=$2 mode=$3
    put_dir "$(dirname "$dest")" 755
    if root_has "$dest"; then echo "rm $dest" >> "$requests"; fi
    {
        echo "write $source $dest"
        echo "sif $dest mode 0100$mode"
        echo "sif $dest uid 0"
        echo "sif $dest gid 0"
    } >> "$requests"
}

# put_dir PATH MODE: a directory owned by root (parents first), unless it exists.
put_dir() {
    local path=$1 mode=$2
    [ "$path" = / ] && return 0
    grep -qxF "mkdir $path" "$requests" && return 0
    root_has "$path" && return 0
    put_dir "$(dirname "$path")" 755
    {
        echo "mkdir $path"
        echo "sif $path mode 040$mode"
        echo "sif $path uid 0"
        echo "sif $path gid 0"
    } >> "$requests"
}

build_from_base_image() {
    step "copying $(basename "$base_image") to $output"
    rm -f "$output"
    case "$base_image" in
        *.xz) xz -dc "$base_image" | dd of="$output" bs=4M conv=sparse status=none ;;
        *) cp --sparse=always "$base_image" "$output" ;;
    esac

    local boot_start root_start boot_fs
    boot_start=$(partition_field "$output" 1 start)
    root_start=$(partition_field "$output" 2 start)
    [ -n "$boot_start" ] && [ -n "$root_start" ] \
        || die "$base_image: expected a boot partition and a root partition (sfdisk --dump shows: $(sfdisk --dump "$output" 2>&1 | tr '\n' ' '))"
    boot_fs="$output@@$((boot_start * 512))"
    root_fs="$output?offset=$((root_start * 512))"
    mdir -i "$boot_fs" ::config.txt >/dev/null 2>&1 \
        || die "$base_image: its first partition has no config.txt; not a Raspberry Pi image"
    root_has /var/lib/dpkg/status || die "$base_image: its second partition is not a Debian root file system"

    step "checking that the base image has what the package depends on"
    debugfs -R "dump /var/lib/dpkg/status $work/status" "$root_fs" >/dev/null 2>&1
    if ! grep -q '^Package: libc6$' "$work/status" \
        || ! awk '/^Package: libc6$/ { p = 1 } p && /^Architecture:/ { print; exit }' "$work/status" | grep -q arm64; then
        die "$base_image is not a 64-bit (arm64) system: use Raspberry Pi OS Lite (64-bit)"
    fi
    local depends alternative satisfied unmet=()
    # One field at a time: asked for several, dpkg-deb prefixes each value with its name.
    depends="$(dpkg-deb -f "$deb" Pre-Depends),$(dpkg-deb -f "$deb" Depends)"
    IFS=',' read -r -a clauses <<< "$depends"
    for clause in "${clauses[@]}"; do
        [ -n "${clause// /}" ] || continue
        satisfied=0
        IFS='|' read -r -a alternatives <<< "$clause"
        for alternative in "${alternatives[@]}"; do
            alternative=$(echo "$alternative" | sed 's/(.*)//; s/:any//; s/ //g')
            if awk -v p="$alternative" '$0 == "Package: " p { found = 1 } found && /^Status:/ { print; exit }' "$work/status" \
                | grep -q 'install ok installed'; then
                satisfied=1
            fi
        done
        [ "$satisfied" -eq 1 ] || unmet+=("${clause# }")
    done
    [ ${#unmet[@]} -eq 0 ] || die "the base image lacks what $(basename "$deb") depends on: ${unmet[*]}"

    step "writing the package, first-boot unit, host name and settings into the root file system"
    requests="$work/debugfs-requests"
    : > "$requests"
    put_dir /var/lib/intercom-image 755
    put_dir /var/lib/intercom-image/pending 755
    put_file "$deb" "/var/lib/intercom-image/pending/$(basename "$deb")" 644
    put_file "$HERE/rootfs/usr/lib/intercom-image/firstboot" /usr/lib/intercom-image/firstboot 755
    local unit
    for unit in intercom-firstboot.service intercom-install-pending.service; do
        put_file "$HERE/rootfs/usr/lib/systemd/system/$unit" "/usr/lib/systemd/system/$unit" 644
    done
    put_file "$HERE/rootfs/etc/systemd/journald.conf.d/50-intercom-image.conf" \
        /etc/systemd/journald.conf.d/50-intercom-image.conf 644
    put_dir /etc/systemd/system/multi-user.target.wants 755
    local wants
    for unit in intercom-firstboot.service intercom-install-pending.service; do
        wants="/etc/systemd/system/multi-user.target.wants/$unit"
        if root_has "$wants"; then echo "rm $wants" >> "$requests"; fi
        echo "symlink $wants /usr/lib/systemd/system/$unit" >> "$requests"
    done

    echo "$hostname_" > "$work/hostname"
    put_file "$work/hostname" /etc/hostname 644
    debugfs -R "dump /etc/hosts $work/hosts" "$root_fs" >/dev/null 2>&1
    if grep -q '^127\.0\.1\.1' "$work/hosts"; then
        sed -i "s/^127\.0\.1\.1.*/127.0.1.1\t$hostname_/" "$work/hosts"
    else
        printf '127.0.1.1\t%s\n' "$hostname_" >> "$work/hosts"
    fi
    put_file "$work/hosts" /etc/hosts 644

    if [ -n "$ssh_key" ]; then
        put_dir /root/.ssh 700
        put_file "$ssh_key" /root/.ssh/authorized_keys 600
    fi
    debugfs_run "$requests"

    if [ -n "$ssh_key" ]; then
        # Raspberry Pi OS turns its SSH server on at first boot when the boot partition holds a file named ssh.
        : > "$work/ssh"
        mcopy -o -i "$boot_fs" "$work/ssh" ::ssh
    fi

    step "checking the root file system"
    e2fsck -fn "$root_fs" >/dev/null || die "e2fsck finds the changed root file system damaged"
}
