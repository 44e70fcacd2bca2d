#!/usr/bin/env sh
# The system libraries of the fast paths, from Debian/Ubuntu packages (the README's first step):
#   libtorch-dev       the `torch` training backend (libtorch kernels; without it: tfjs wasm, ~20x slower)
#   libgloo-dev        Gloo's headers, for the torch backend's data-parallel collectives (c10d ProcessGroupGloo)
#   libturbojpeg0-dev  the frame cache's native JPEG decoder (without it: libjpeg-turbo in WebAssembly)
#   libavformat-dev libavcodec-dev libswscale-dev
#                      in-process video decoding (without them: one bundled ffmpeg process per clip, ~1.8x slower)
# and with --test what only the tests need:
#   chromium           the headless browser of the viewer's test (test/viewer.test.ts, driven by playwright-core)
#   python3-torch      the PyTorch the equality test compares libs/nas with (test/pytorch-equality.test.ts; ~30 s to install)
# `npm install` then builds the addons against them. Installs with sudo when not root; does nothing when the
# packages are there; on a system without apt-get it says so and succeeds (everything runs on the fallbacks).
set -u
PACKAGES="libtorch-dev libgloo-dev libturbojpeg0-dev libavformat-dev libavcodec-dev libswscale-dev"
[ "${1:-}" = "--test" ] && PACKAGES="$PACKAGES chromium python3-torch"

missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: no apt-get here; install libtorch, libturbojpeg and libav (FFmpeg's libraries) yourself for the fast paths (the slower fallbacks work without them)" >&2
  exit 0
fi
if [ "$(id -u)" = 0 ]; then as_root=""; elif command -v sudo >/dev/null 2>&1; then as_root="sudo"; else
  echo "system-deps: not root and no sudo: run as root: apt-get install -y$missing" >&2
  exit 1
fi

echo "system-deps: installing$missing (apt-get)" >&2
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
$as_root apt-get install -y --no-install-recommends $missing >/dev/null \
  || { $as_root apt-get update >/dev/null && $as_root apt-get install -y --no-install-recommends $missing >/dev/null; } \
  || { echo "system-deps: apt-get could not install$missing" >&2; exit 1; }
