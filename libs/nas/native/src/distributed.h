// c10d collectives of the `torch` backend (distributed.cc), registered on the addon's exports.
#pragma once

#include <napi.h>

namespace pvnas {

void registerDistributed(Napi::Env env, Napi::Object exports);

}  // namespace pvnas
