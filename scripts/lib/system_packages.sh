#!/usr/bin/env bash
# Debian packages that .venv's packages and the browser tests need besides Python:
#   build-essential  compiles the packages published only as source (pymicro-vad, pyspeex-noise,
#                    netifaces: Home Assistant's assist_pipeline and dhcp)
#   libturbojpeg0    loaded at run time by PyTurboJPEG (Home Assistant's camera and stream)
#   chromium         the browser the Playwright tests drive (/usr/bin/chromium; Playwright's own
#                    browser download is not used)
# Installs what is missing with apt-get as root (or through password-less sudo); otherwise
# names it and fails.
set -euo pipefail

say() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

missing=()
for pkg in build-essential libturbojpeg0; do
  installed "$pkg" || missing+=("$pkg")
done
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0

command -v apt-get >/dev/null 2>&1 || die "missing system packages (${missing[*]}) and no apt-get to install them"
as_root=()
if [ "$(id -u)" != 0 ]; then
  # A CI runner or a developer with password-less sudo; anyone else installs them by hand.
  sudo -n true 2>/dev/null \
    || die "missing system packages (${missing[*]}); install them as root: apt-get install ${missing[*]}"
  as_root=(sudo -n)
fi
say "installing system packages: ${missing[*]}"
"${as_root[@]}" apt-get update >&2 || die "apt-get update failed"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
  "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
