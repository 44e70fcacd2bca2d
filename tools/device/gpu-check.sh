#!/usr/bin/env bash
# The GPU check of the torch backend (issue 13), for a machine with an NVIDIA GPU and a PyTorch with CUDA, without
# Node or internet: it brings Node and a bundle of the check (tools/device/prepare.sh made them, here, into
# tools/device/.build), compiles the addon against that PyTorch's libtorch with g++ (its include/ and lib/, CUDA,
# its C++ ABI flag), then runs tools/device/gpu-check.ts: the op gradient cases and the stock kernels on the GPU,
# the device discipline of a training step, and the search and derived steps timed against the PyTorch peers on
# the same GPU. The compiler's warnings are printed: they are what libtorch 2.x says of our code.
#
#   tools/device/gpu-check.sh [--device cuda|cuda:N|cpu] [--skip-timing]      (PVNAS_PYTHON: the python with torch)
#
# Under 8 minutes on one GPU. Exit 0 when every check passed; the last stdout line is a JSON summary.
set -euo pipefail
cd "$(dirname "$0")/../.."
B=tools/device/.build
[ -f "$B/gpu-check.js" ] || { echo "gpu-check: no $B/gpu-check.js: run tools/device/prepare.sh first (on a machine with npm)" >&2; exit 2; }
W=$(mktemp -d)
tar xJf "$B/node.tar.xz" -C "$W"
NODE="$W/node/bin/node"
PY=${PVNAS_PYTHON:-python3}
eval "$("$PY" -c 'import os, torch; print("TORCH_ROOT=%s TORCH_VERSION=%s TORCH_CUDA=%s TORCH_ABI=%d" % (os.path.dirname(torch.__file__), torch.__version__, torch.version.cuda or "", int(torch._C._GLIBCXX_USE_CXX11_ABI)))')"
# NCCL's header (ProcessGroupNCCL): pip wheels keep it in the nvidia-nccl package
NCCL_INC=$("$PY" -c 'import importlib.util, os; s = importlib.util.find_spec("nvidia.nccl"); d = os.path.join(list(s.submodule_search_locations)[0], "include") if s else ""; print(d if d and os.path.exists(os.path.join(d, "nccl.h")) else "")' 2>/dev/null || true)
echo "gpu-check: Node $("$NODE" --version), PyTorch $TORCH_VERSION at $TORCH_ROOT (CUDA ${TORCH_CUDA:-none}, C++11 ABI $TORCH_ABI), $(nproc) cores" >&2
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader >&2 || true

t0=$(date +%s)
FLAGS=(-std=c++17 -O2 -fPIC -fexceptions -Wall -Wextra -Wno-unused-parameter -DNAPI_VERSION=8 -DNAPI_CPP_EXCEPTIONS
  -DNODE_ADDON_API_DISABLE_DEPRECATED "-D_GLIBCXX_USE_CXX11_ABI=$TORCH_ABI" "-I$W/node/include/node" "-I$B/napi"
  -isystem "$TORCH_ROOT/include" -isystem "$TORCH_ROOT/include/torch/csrc/api/include")
[ -n "$TORCH_CUDA" ] && FLAGS+=(-DPVNAS_WITH_CUDA=1)
[ -n "$NCCL_INC" ] && FLAGS+=(-isystem "$NCCL_INC")
for f in addon tensors kernels distributed; do
  g++ "${FLAGS[@]}" -c "libs/nas/native/src/$f.cc" -o "$W/$f.o" 2> "$W/$f.log" &
done
fail=0
for job in $(jobs -p); do wait "$job" || fail=1; done
for f in addon tensors kernels distributed; do
  if [ -s "$W/$f.log" ]; then echo "gpu-check: g++ on $f.cc said:" >&2; head -40 "$W/$f.log" >&2; fi
done
[ "$fail" = 0 ] || { echo "gpu-check: the addon does not compile against PyTorch $TORCH_VERSION" >&2; exit 1; }
LIBS=(-L"$TORCH_ROOT/lib" -Wl,-rpath,"$TORCH_ROOT/lib" -Wl,--no-as-needed)
[ -n "$TORCH_CUDA" ] && LIBS+=(-ltorch_cuda -lc10_cuda)
LIBS+=(-ltorch -ltorch_cpu -lc10 -Wl,--as-needed)
g++ -shared "$W"/addon.o "$W"/tensors.o "$W"/kernels.o "$W"/distributed.o "${LIBS[@]}" -o "$W/pvnas_torch.node"
printf '{"source":"pytorch","root":"%s","include":"%s/include","lib":"%s/lib","version":"%s","cuda":%s,"cxx11Abi":%s}\n' \
  "$TORCH_ROOT" "$TORCH_ROOT" "$TORCH_ROOT" "${TORCH_VERSION%%+*}" "$([ -n "$TORCH_CUDA" ] && echo "\"$TORCH_CUDA\"" || echo null)" \
  "$([ "$TORCH_ABI" = 1 ] && echo true || echo false)" > "$W/libtorch.json"
echo "gpu-check: addon built in $(( $(date +%s) - t0 )) s" >&2

PVNAS_TORCH_ADDON="$W/pvnas_torch.node" PVNAS_PYTHON="$PY" PVNAS_BENCH_PYTHON="$PY" timeout 420 "$NODE" "$B/gpu-check.js" "$@"
