// Data-parallel collectives of the `torch` backend through c10d, the engine PyTorch's DDP uses: a TCPStore
// rendezvous and ProcessGroupGloo (CPU). Built when Gloo's headers are there (Debian: libgloo-dev); otherwise
// every function says how to get them. Collectives return new tensors (tfjs tensors are immutable).
#include "distributed.h"

#include <string>

#include "tensors.h"

#if __has_include(<gloo/context.h>) && __has_include(<torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>)
#define PVNAS_HAS_GLOO 1
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO  // the header declares ProcessGroupGloo only for builds with Gloo
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#else
#define PVNAS_HAS_GLOO 0
#endif

namespace pvnas {
namespace {

#if PVNAS_HAS_GLOO
c10::intrusive_ptr<c10d::Store> gStore;
c10::intrusive_ptr<c10d::ProcessGroup> gGroup;
int gRank = 0, gWorld = 1;

c10d::ProcessGroup& group(const Napi::Env& env) {
  if (!gGroup) throw Napi::Error::New(env, "distributed: no process group (call distInit first)");
  return *gGroup;
}

// Every tensor flattened into one CPU bucket: one collective call per request (DDP's bucketing, one bucket), and
// Gloo's broadcast wants tensors of one size.
std::vector<at::Tensor> bucketOf(const std::vector<at::Tensor>& ts) {
  std::vector<at::Tensor> flat;
  for (const auto& t : ts) flat.push_back(t.reshape({-1}));
  return {at::cat(flat).to(at::kCPU)};
}

// The bucket cut back into tensors shaped like `like`, on their device, each its own storage: new handles.
Napi::Array handlesFrom(const Napi::Env& env, const at::Tensor& bucket, const std::vector<at::Tensor>& like) {
  auto all = bucket.to(like[0].device());
  auto out = Napi::Array::New(env, like.size());
  int64_t at = 0;
  for (size_t i = 0; i < like.size(); i++) {
    out.Set(static_cast<uint32_t>(i), Napi::Number::New(env, put(all.narrow(0, at, like[i].numel()).view(like[i].sizes()).clone())));
    at += like[i].numel();
  }
  return out;
}
#endif

#if !PVNAS_HAS_GLOO
[[noreturn]] void noGloo(const Napi::Env& env) {
  throw Napi::Error::New(env, "distributed: this addon was built without Gloo: apt-get install libgloo-dev, then npm run build:native");
}
#endif

// distInit(rank, worldSize, masterAddr, masterPort, timeoutMs): rank 0 serves the TCPStore on masterAddr:masterPort,
// every rank joins it and builds a Gloo process group whose TCP device listens on masterAddr's interface.
Napi::Value DistInit(const Napi::CallbackInfo& info) {
  return guarded(info, "distInit", [&]() -> Napi::Value {
#if PVNAS_HAS_GLOO
    int rank = info[0].As<Napi::Number>().Int32Value(), world = info[1].As<Napi::Number>().Int32Value();
    auto addr = info[2].As<Napi::String>().Utf8Value();
    auto port = static_cast<uint16_t>(info[3].As<Napi::Number>().Uint32Value());
    std::chrono::milliseconds timeout(info[4].As<Napi::Number>().Int64Value());
    c10d::TCPStoreOptions opts;
    opts.port = port;
    opts.isServer = rank == 0;
    opts.numWorkers = static_cast<std::size_t>(world);
    opts.waitWorkers = true;
    opts.timeout = timeout;
    gStore = c10::make_intrusive<c10d::TCPStore>(addr, opts);
    auto options = c10d::ProcessGroupGloo::Options::create(timeout);
    options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(addr));
    gGroup = c10::make_intrusive<c10d::ProcessGroupGloo>(gStore, rank, world, options);
    gRank = rank;
    gWorld = world;
    return info.Env().Undefined();
#else
    noGloo(info.Env());
#endif
  });
}

// allReduceMean(handles[]) -> handles[]: the mean over the ranks of each tensor, all in one flat bucket.
Napi::Value AllReduceMean(const Napi::CallbackInfo& info) {
  return guarded(info, "allReduceMean", [&]() -> Napi::Value {
#if PVNAS_HAS_GLOO
    auto& pg = group(info.Env());
    auto ts = tensorsOf(info[0], "allReduceMean");
    auto bucket = bucketOf(ts);
    pg.allreduce(bucket)->wait();
    return handlesFrom(info.Env(), bucket[0].div_(gWorld), ts);
#else
    noGloo(info.Env());
#endif
  });
}

// broadcast(handles[], root) -> handles[]: root's tensors on every rank.
Napi::Value Broadcast(const Napi::CallbackInfo& info) {
  return guarded(info, "broadcast", [&]() -> Napi::Value {
#if PVNAS_HAS_GLOO
    auto& pg = group(info.Env());
    auto ts = tensorsOf(info[0], "broadcast");
    c10d::BroadcastOptions opts;
    opts.rootRank = info[1].As<Napi::Number>().Int32Value();
    auto bucket = bucketOf(ts);
    pg.broadcast(bucket, opts)->wait();
    return handlesFrom(info.Env(), bucket[0], ts);
#else
    noGloo(info.Env());
#endif
  });
}

Napi::Value Barrier(const Napi::CallbackInfo& info) {
  return guarded(info, "barrier", [&]() -> Napi::Value {
#if PVNAS_HAS_GLOO
    group(info.Env()).barrier()->wait();
    return info.Env().Undefined();
#else
    noGloo(info.Env());
#endif
  });
}

// distInfo() -> { available, rank, worldSize } (worldSize 0 before distInit).
Napi::Value DistInfo(const Napi::CallbackInfo& info) {
  auto o = Napi::Object::New(info.Env());
  o.Set("available", Napi::Boolean::New(info.Env(), PVNAS_HAS_GLOO == 1));
#if PVNAS_HAS_GLOO
  o.Set("rank", Napi::Number::New(info.Env(), gGroup ? gRank : 0));
  o.Set("worldSize", Napi::Number::New(info.Env(), gGroup ? gWorld : 0));
#else
  o.Set("rank", Napi::Number::New(info.Env(), 0));
  o.Set("worldSize", Napi::Number::New(info.Env(), 0));
#endif
  return o;
}

}  // namespace

void registerDistributed(Napi::Env env, Napi::Object exports) {
  exports.Set("distInit", Napi::Function::New(env, DistInit));
  exports.Set("allReduceMean", Napi::Function::New(env, AllReduceMean));
  exports.Set("broadcast", Napi::Function::New(env, Broadcast));
  exports.Set("barrier", Napi::Function::New(env, Barrier));
  exports.Set("distInfo", Napi::Function::New(env, DistInfo));
}

}  // namespace pvnas
