{
  "targets": [
    {
      "target_name": "pvnas_torch",
      "sources": ["src/addon.cc", "src/tensors.cc", "src/kernels.cc", "src/distributed.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": [
        "NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED",
        "<!(node -p \"'_GLIBCXX_USE_CXX11_ABI=' + (process.env.PVNAS_TORCH_CXX11_ABI || '1')\")",
        "<!(node -p \"process.env.PVNAS_TORCH_CUDA === '1' ? 'PVNAS_WITH_CUDA=1' : 'PVNAS_CPU_ONLY=1'\")"
      ],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++14", "-std=gnu++17"],
      "cflags_cc": [
        "<!(node -p \"process.env.PVNAS_TORCH_INCLUDE && process.env.PVNAS_TORCH_INCLUDE !== '/usr/include' ? '-isystem ' + process.env.PVNAS_TORCH_INCLUDE : '-Wno-error'\")",
        "<!(node -p \"'-isystem ' + (process.env.PVNAS_TORCH_INCLUDE || '/usr/include') + '/torch/csrc/api/include'\")",
        "<!(node -p \"process.env.PVNAS_NCCL_INCLUDE ? '-isystem ' + process.env.PVNAS_NCCL_INCLUDE : '-Wno-error'\")",
        "-std=c++17", "-O2", "-fexceptions", "-Wall", "-Wextra", "-Wno-unused-parameter",
        "<!(node -p \"process.env.PVNAS_TORCH_WERROR === '1' ? '-Werror' : '-Wno-error'\")"
      ],
      "libraries": [
        "<!(node -p \"process.env.PVNAS_TORCH_LIB ? '-L' + process.env.PVNAS_TORCH_LIB + ' -Wl,-rpath,' + process.env.PVNAS_TORCH_LIB : ''\")",
        "-Wl,--no-as-needed",
        "<!(node -p \"process.env.PVNAS_TORCH_CUDA === '1' ? '-ltorch_cuda -lc10_cuda' : ''\")",
        "-ltorch", "-ltorch_cpu", "-lc10",
        "-Wl,--as-needed"
      ]
    }
  ]
}
