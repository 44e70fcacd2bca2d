// The few spots where libtorch 1.13 (Debian's libtorch-dev) and libtorch 2.x (a PyTorch installation) differ
// for the API this addon uses. Everything else compiles unchanged against both; docs/decisions.md lists what
// was checked ("libtorch 1.13 and 2.x").
#pragma once

#include <torch/version.h>

#include <optional>

#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
// From 2.4 c10::optional is std::optional, and c10::nullopt is deprecated on the way out.
#define PVNAS_NULLOPT std::nullopt
#else
// Before 2.4 c10::optional is its own class, constructible from c10::nullopt only.
#include <c10/util/Optional.h>
#define PVNAS_NULLOPT c10::nullopt
#endif
