{
  "targets": [
    {
      "target_name": "pvnas_torch",
      "sources": ["src/addon.cc"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!(node -p \"process.env.PVNAS_TORCH_INCLUDE || '/usr/include'\")",
        "<!(node -p \"(process.env.PVNAS_TORCH_INCLUDE || '/usr/include') + '/torch/csrc/api/include'\")"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++14", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-O2", "-fexceptions", "-Wno-unused-parameter"],
      "libraries": [
        "<!(node -p \"process.env.PVNAS_TORCH_LIB ? '-L' + process.env.PVNAS_TORCH_LIB + ' -Wl,-rpath,' + process.env.PVNAS_TORCH_LIB : ''\")",
        "-ltorch_cpu", "-lc10"
      ]
    }
  ]
}
