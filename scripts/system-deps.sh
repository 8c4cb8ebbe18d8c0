#!/bin/sh
# Installs the Debian packages Floorboard's tools need, when they are missing and we may install.
#   venv — python3-venv, so `python3 -m venv` works on a bare Debian
#   test — chromium + chromium-driver and a CJK font (browser tests), redis-server/redis-tools
#          (cluster tests, benchmarks)
set -e
need=""
case "$1" in
  venv) need="python3-venv" ;;
  test)
    command -v chromium >/dev/null 2>&1 || need="$need chromium"
    command -v chromedriver >/dev/null 2>&1 || need="$need chromium-driver"
    command -v redis-server >/dev/null 2>&1 || need="$need redis-server"
    command -v redis-benchmark >/dev/null 2>&1 || need="$need redis-tools"
    # Chinese boards need a CJK font, or the browser draws empty boxes.
    [ -d /usr/share/fonts/opentype/noto ] || need="$need fonts-noto-cjk"
    ;;
  *) echo "usage: system-deps.sh venv|test" >&2; exit 2 ;;
esac
[ -z "$need" ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: missing Debian packages:$need (install them with apt-get as root)." >&2
  [ "$1" = venv ] && exit 1
  exit 0
fi
echo "system-deps: installing$need"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $need >/dev/null
