{
  "targets": [
    {
      "target_name": "pvnas_turbojpeg",
      "sources": ["src/turbojpeg.c"],
      "include_dirs": ["<!(node -p \"process.env.PVNAS_TURBOJPEG_INCLUDE || '/usr/include'\")"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "libraries": [
        "<!(node -p \"process.env.PVNAS_TURBOJPEG_LIB ? '-L' + process.env.PVNAS_TURBOJPEG_LIB + ' -Wl,-rpath,' + process.env.PVNAS_TURBOJPEG_LIB : ''\")",
        "-lturbojpeg"
      ]
    }
  ]
}
