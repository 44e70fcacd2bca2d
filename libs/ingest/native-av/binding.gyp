{
  "targets": [
    {
      "target_name": "pvnas_avdecode",
      "sources": ["src/avdecode.c"],
      "include_dirs": ["<!(node -p \"process.env.PVNAS_LIBAV_INCLUDE || '/usr/include'\")"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "libraries": [
        "<!(node -p \"process.env.PVNAS_LIBAV_LIB ? '-L' + process.env.PVNAS_LIBAV_LIB + ' -Wl,-rpath,' + process.env.PVNAS_LIBAV_LIB : ''\")",
        "-lavformat", "-lavcodec", "-lswscale", "-lavutil"
      ]
    }
  ]
}
