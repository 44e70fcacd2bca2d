// The kernels of the `torch` backend (kernels.cc), registered on the addon's exports.
#pragma once

#include <napi.h>

namespace pvnas {

void registerKernels(Napi::Env env, Napi::Object exports);

}  // namespace pvnas
