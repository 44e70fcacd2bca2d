// Data-parallel collectives of the `torch` backend through c10d, the engine PyTorch's DDP uses: a TCPStore
// rendezvous, then ProcessGroupGloo (CPU tensors; Debian: libgloo-dev) or, in CUDA builds that have NCCL's header,
// ProcessGroupNCCL (GPU tensors). Each backend is compiled only when its headers are there; otherwise every
// function says how to get them. Collectives return new tensors (tfjs tensors are immutable).
#include "distributed.h"

#include <functional>
#include <string>

#include "tensors.h"

#if __has_include(<torch/csrc/distributed/c10d/TCPStore.hpp>)
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif

#if __has_include(<gloo/context.h>) && __has_include(<torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>)
#define PVNAS_HAS_GLOO 1
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO  // the header declares ProcessGroupGloo only for builds with Gloo
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#else
#define PVNAS_HAS_GLOO 0
#endif

#if defined(PVNAS_WITH_CUDA) && __has_include(<nccl.h>) && __has_include(<torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>)
#define PVNAS_HAS_NCCL 1
#ifndef USE_C10D_NCCL
#define USE_C10D_NCCL
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#else
#define PVNAS_HAS_NCCL 0
#endif

#define PVNAS_HAS_C10D (PVNAS_HAS_GLOO || PVNAS_HAS_NCCL)

namespace pvnas {
namespace {

#if PVNAS_HAS_C10D
// The three collectives we use, bound to a concrete process group: libtorch 1.13 derives ProcessGroupGloo from
// ProcessGroup, 2.x from Backend, so the group is held through these calls rather than a common base class.
struct Group {
  std::string backend;
  bool onDevice;  // NCCL reduces device tensors; Gloo gets a CPU bucket
  std::function<void(std::vector<at::Tensor>&, c10d::ReduceOp)> allreduce;
  std::function<void(std::vector<at::Tensor>&, int)> broadcast;
  std::function<void()> barrier;
};

template <class PG>
Group bind(const std::string& name, bool onDevice, c10::intrusive_ptr<PG> pg) {
  return Group{
      name, onDevice,
      [pg](std::vector<at::Tensor>& ts, c10d::ReduceOp op) {
        c10d::AllreduceOptions o;
        o.reduceOp = op;
        pg->allreduce(ts, o)->wait();
      },
      [pg](std::vector<at::Tensor>& ts, int root) {
        c10d::BroadcastOptions o;
        o.rootRank = root;
        pg->broadcast(ts, o)->wait();
      },
      [pg]() { pg->barrier()->wait(); }};
}

c10::intrusive_ptr<c10d::Store> gStore;
std::unique_ptr<Group> gGroup;
int gRank = 0, gWorld = 1;

Group& group(const Napi::Env& env) {
  if (!gGroup) throw Napi::Error::New(env, "distributed: no process group (call distInit first)");
  return *gGroup;
}

// Every tensor flattened into one bucket: one collective call per request (DDP's bucketing, one bucket), and
// Gloo's broadcast wants tensors of one size.
std::vector<at::Tensor> bucketOf(const Group& g, const std::vector<at::Tensor>& ts) {
  std::vector<at::Tensor> flat;
  for (const auto& t : ts) flat.push_back(t.reshape({-1}));
  auto b = at::cat(flat);
  return {g.onDevice ? b.contiguous() : b.to(at::kCPU)};
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
#else
[[noreturn]] void noC10d(const Napi::Env& env) {
  throw Napi::Error::New(env, "distributed: this addon was built without c10d's Gloo: apt-get install libgloo-dev, then npm run build:native");
}
#endif

// distInit(rank, worldSize, masterAddr, masterPort, timeoutMs, backend "gloo" | "nccl", storeFile): the rendezvous is
// a FileStore at storeFile when one is given (one node: no port opened for it), else a TCPStore that rank 0 serves on
// masterPort; every rank joins it and builds the process group (Gloo's TCP device listens on masterAddr's interface).
Napi::Value DistInit(const Napi::CallbackInfo& info) {
  return guarded(info, "distInit", [&]() -> Napi::Value {
#if PVNAS_HAS_C10D
    int rank = info[0].As<Napi::Number>().Int32Value(), world = info[1].As<Napi::Number>().Int32Value();
    auto addr = info[2].As<Napi::String>().Utf8Value();
    auto port = static_cast<uint16_t>(info[3].As<Napi::Number>().Uint32Value());
    std::chrono::milliseconds timeout(info[4].As<Napi::Number>().Int64Value());
    auto backend = info[5].IsString() ? info[5].As<Napi::String>().Utf8Value() : std::string("gloo");
    auto storeFile = info[6].IsString() ? info[6].As<Napi::String>().Utf8Value() : std::string();
    if (!storeFile.empty()) {
      gStore = c10::make_intrusive<c10d::FileStore>(storeFile, world);
      gStore->setTimeout(timeout);
    } else {
      c10d::TCPStoreOptions opts;
      opts.port = port;
      opts.isServer = rank == 0;
      opts.numWorkers = static_cast<std::size_t>(world);
      opts.waitWorkers = true;
      opts.timeout = timeout;
      gStore = c10::make_intrusive<c10d::TCPStore>(addr, opts);
    }
    if (backend == "gloo") {
#if PVNAS_HAS_GLOO
      auto options = c10d::ProcessGroupGloo::Options::create(timeout);
      options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(addr));
      gGroup = std::make_unique<Group>(bind("gloo", false, c10::make_intrusive<c10d::ProcessGroupGloo>(gStore, rank, world, options)));
#else
      throw Napi::Error::New(info.Env(), "distInit: this addon has no Gloo (apt-get install libgloo-dev, then npm run build:native)");
#endif
    } else if (backend == "nccl") {
#if PVNAS_HAS_NCCL
      auto options = c10d::ProcessGroupNCCL::Options::create();
      options->timeout = timeout;
      gGroup = std::make_unique<Group>(bind("nccl", true, c10::make_intrusive<c10d::ProcessGroupNCCL>(gStore, rank, world, options)));
#else
      throw Napi::Error::New(info.Env(), "distInit: this addon was built without NCCL (a CUDA libtorch and nccl.h are needed); use the gloo backend");
#endif
    } else {
      throw Napi::Error::New(info.Env(), "distInit: unknown backend " + backend + " (gloo or nccl)");
    }
    gRank = rank;
    gWorld = world;
    return info.Env().Undefined();
#else
    noC10d(info.Env());
#endif
  });
}

// allReduce(handles[], op "mean" | "sum" | "max") -> handles[]: each tensor reduced over the ranks, in one flat bucket.
Napi::Value AllReduce(const Napi::CallbackInfo& info) {
  return guarded(info, "allReduce", [&]() -> Napi::Value {
#if PVNAS_HAS_C10D
    auto& g = group(info.Env());
    auto ts = tensorsOf(info[0], "allReduce");
    auto op = info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : std::string("mean");
    if (op != "mean" && op != "sum" && op != "max") throw Napi::Error::New(info.Env(), "allReduce: unknown op " + op + " (mean, sum or max)");
    auto bucket = bucketOf(g, ts);
    g.allreduce(bucket, op == "max" ? c10d::ReduceOp::MAX : c10d::ReduceOp::SUM);
    if (op == "mean") bucket[0].div_(gWorld);
    return handlesFrom(info.Env(), bucket[0], ts);
#else
    noC10d(info.Env());
#endif
  });
}

// broadcast(handles[], root) -> handles[]: root's tensors on every rank.
Napi::Value Broadcast(const Napi::CallbackInfo& info) {
  return guarded(info, "broadcast", [&]() -> Napi::Value {
#if PVNAS_HAS_C10D
    auto& g = group(info.Env());
    auto ts = tensorsOf(info[0], "broadcast");
    auto bucket = bucketOf(g, ts);
    g.broadcast(bucket, info[1].As<Napi::Number>().Int32Value());
    return handlesFrom(info.Env(), bucket[0], ts);
#else
    noC10d(info.Env());
#endif
  });
}

Napi::Value Barrier(const Napi::CallbackInfo& info) {
  return guarded(info, "barrier", [&]() -> Napi::Value {
#if PVNAS_HAS_C10D
    group(info.Env()).barrier();
    return info.Env().Undefined();
#else
    noC10d(info.Env());
#endif
  });
}

// distInfo() -> { available, backends: ["gloo", "nccl"], backend, rank, worldSize } (worldSize 0 before distInit).
Napi::Value DistInfo(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto o = Napi::Object::New(env);
  auto backends = Napi::Array::New(env);
  if (PVNAS_HAS_GLOO) backends.Set(backends.Length(), Napi::String::New(env, "gloo"));
  if (PVNAS_HAS_NCCL) backends.Set(backends.Length(), Napi::String::New(env, "nccl"));
  o.Set("available", Napi::Boolean::New(env, PVNAS_HAS_GLOO == 1));
  o.Set("backends", backends);
#if PVNAS_HAS_C10D
  o.Set("backend", gGroup ? Napi::String::New(env, gGroup->backend) : env.Null());
  o.Set("rank", Napi::Number::New(env, gGroup ? gRank : 0));
  o.Set("worldSize", Napi::Number::New(env, gGroup ? gWorld : 0));
#else
  o.Set("backend", env.Null());
  o.Set("rank", Napi::Number::New(env, 0));
  o.Set("worldSize", Napi::Number::New(env, 0));
#endif
  return o;
}

}  // namespace

void registerDistributed(Napi::Env env, Napi::Object exports) {
  exports.Set("distInit", Napi::Function::New(env, DistInit));
  exports.Set("allReduce", Napi::Function::New(env, AllReduce));
  exports.Set("broadcast", Napi::Function::New(env, Broadcast));
  exports.Set("barrier", Napi::Function::New(env, Barrier));
  exports.Set("distInfo", Napi::Function::New(env, DistInfo));
}

}  // namespace pvnas
