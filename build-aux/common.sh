# shellcheck shell=bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Shared by build-aux/run and build-aux/test (sourced, not executed): the one list of Debian
# packages Screenpop needs to build, run and test, and the build-directory setup both use.

# Everything a fresh Debian 12 machine needs. Grouped by purpose; keep each name one that
# `apt-cache policy` knows on bookworm.
SP_DEBIAN_PACKAGES=(
  locales
  # toolchain
  meson ninja-build pkg-config gcc g++ gettext
  # libraries
  libgtk-4-dev libadwaita-1-dev libsoup-3.0-dev libjson-glib-dev libnotify-dev
  libsecret-1-dev libgsound-dev libsqlite3-dev zlib1g-dev libportal-dev libphonenumber-dev
  libebook-contacts1.2-dev libebook1.2-dev libldap-dev
  # so that settings persist between runs of build-aux/run (tests use the memory backend)
  dconf-gsettings-backend
  # data validation and post-install tools
  appstream desktop-file-utils libglib2.0-bin libglib2.0-dev-bin
  # the headless test session: X server, private D-Bus, notification daemon, keyring
  xvfb xauth dbus dbus-x11 python3-dbusmock gnome-keyring libsecret-tools at-spi2-core
  # real counterparts used by the test servers: Erlang (BERT frames), Rails ActionCable
  erlang-base ruby-actioncable puma ruby-rack curl
  # directory servers for caller identification: OpenLDAP, Radicale (CardDAV)
  slapd ldap-utils radicale evolution-data-server
  # fuzzing (libFuzzer) and screenshots
  clang libclang-rt-14-dev imagemagick
  # Japanese glyphs for the ja screenshots (a fresh Debian has no CJK font)
  fonts-ipafont-gothic
  # real desktop components the tests drive: a notification daemon, X keyboard input, a real
  # tray host (test-tray-panel: xfce4-panel's StatusNotifierItem host and its xfconfd)
  dunst xdotool xfce4-panel xfconf
  # certificates made at test time (the untrusted-certificate tests)
  openssl
  # the Flatpak manifest is checked with flatpak-builder --show-manifest
  flatpak-builder
)

# sp_install_deps: install whatever of SP_DEBIAN_PACKAGES is missing. Prints nothing when
# everything is there already. Set SCREENPOP_SKIP_DEPS=1 to skip the check altogether (e.g.
# on a machine that is not Debian).
sp_install_deps () {
  if [[ ${SCREENPOP_SKIP_DEPS:-0} == 1 ]]; then
    return 0
  fi
  if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "build-aux: not a Debian system; install the equivalents of these packages yourself:" >&2
    echo "  ${SP_DEBIAN_PACKAGES[*]}" >&2
    return 0
  fi

  local missing=() pkg status
  for pkg in "${SP_DEBIAN_PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    if [[ $status != "install ok installed" ]]; then
      missing+=("$pkg")
    fi
  done
  local sudo=()
  if (( EUID != 0 )) && { (( ${#missing[@]} > 0 )) || ! sp_has_ja_locale; }; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      echo "build-aux: these packages (or the ja_JP.UTF-8 locale) are missing and I am neither root nor have sudo:" >&2
      echo "  ${missing[*]}" >&2
      return 1
    fi
  fi

  if (( ${#missing[@]} > 0 )); then
    echo "build-aux: installing missing Debian packages: ${missing[*]}"
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi

  # Japanese is a first-class language: the tests switch to it (test-mnemonics), which
  # needs the locale itself, not only our catalogue. A fresh Debian has only C and POSIX.
  if ! sp_has_ja_locale; then
    echo "build-aux: generating the ja_JP.UTF-8 locale"
    "${sudo[@]}" sed -i 's/^# *\(ja_JP.UTF-8 UTF-8\)/\1/' /etc/locale.gen
    grep -q '^ja_JP.UTF-8 UTF-8' /etc/locale.gen ||
      echo 'ja_JP.UTF-8 UTF-8' | "${sudo[@]}" tee -a /etc/locale.gen >/dev/null
    "${sudo[@]}" locale-gen >/dev/null
  fi
}

sp_has_ja_locale () {
  locale -a 2>/dev/null | grep -qix 'ja_JP.utf8'
}

# sp_setup_build BUILDDIR PREFIX: make BUILDDIR a configured meson build directory with the
# given install prefix, reusing it when it is already there (ninja regenerates it by itself
# when a meson.build changes). build-aux/run and build-aux/test share the same directory and
# prefix, so switching between them never triggers a rebuild.
sp_setup_build () {
  local builddir=$1 prefix=$2

  if [[ ! -f $builddir/build.ninja ]]; then
    if [[ -f $builddir/meson-private/coredata.dat ]]; then
      # A directory left behind by an interrupted or failed setup: try to finish it, and
      # start over when meson cannot (e.g. it was made by another meson version).
      meson setup --reconfigure --prefix="$prefix" "$builddir" \
        || meson setup --wipe --prefix="$prefix" "$builddir"
    else
      meson setup --prefix="$prefix" "$builddir"
    fi
    return
  fi

  local current
  current=$(meson introspect --buildoptions "$builddir" 2>/dev/null \
    | /usr/bin/python3 -c 'import json, sys
print(next((o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"), ""))' \
    2>/dev/null || true)
  if [[ -z $current ]]; then
    meson setup --reconfigure --prefix="$prefix" "$builddir"
  elif [[ $current != "$prefix" ]]; then
    meson configure -Dprefix="$prefix" "$builddir"
  fi
}
