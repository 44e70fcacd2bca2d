// pvnas_torch: the native half of the `torch` tfjs backend (libs/nas/src/backend/torch). Tensors live in
// libtorch on the backend's device (tensors.h); JavaScript holds integer handles. This file has the edges:
// host arrays in and out, handles freed, the device, threads and what the build is.
#include <napi.h>
#include <ATen/ATen.h>
#include <ATen/Version.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <cstring>
#include <string>

#include "distributed.h"
#include "kernels.h"
#include "tensors.h"

namespace pvnas {
namespace {

at::ScalarType dtypeOfArray(const Napi::TypedArray& a) {
  switch (a.TypedArrayType()) {
    case napi_float32_array: return at::kFloat;
    case napi_int32_array: return at::kInt;
    case napi_uint8_array: return at::kBool;  // tfjs bool: one byte, 0 or 1
    default: throw Napi::TypeError::New(a.Env(), "fromHost: expected a Float32Array, Int32Array or Uint8Array");
  }
}

// fromHost(values, shape) -> handle: copies a host array to the device.
Napi::Value FromHost(const Napi::CallbackInfo& info) {
  return guarded(info, "fromHost", [&]() -> Napi::Value {
    if (!info[0].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "fromHost: expected a typed array");
    auto a = info[0].As<Napi::TypedArray>();
    auto shape = intsOf(info[1], "fromHost shape");
    int64_t n = 1;
    for (auto d : shape) n *= d;
    if (n != static_cast<int64_t>(a.ElementLength()))
      throw Napi::RangeError::New(info.Env(), "fromHost: " + std::to_string(a.ElementLength()) + " values for " + std::to_string(n) + " elements");
    void* data = static_cast<uint8_t*>(a.ArrayBuffer().Data()) + a.ByteOffset();
    auto host = at::from_blob(data, shape, at::TensorOptions().dtype(dtypeOfArray(a)));
    return handleValue(info.Env(), host.to(currentDevice(), host.scalar_type(), /*non_blocking=*/false, /*copy=*/true));
  });
}

// toHost(handle) -> a new Float32Array, Int32Array or Uint8Array (bool) with the tensor's elements.
Napi::Value ToHost(const Napi::CallbackInfo& info) {
  return guarded(info, "toHost", [&]() -> Napi::Value {
    auto t = get(info[0], "toHost").to(at::kCPU).contiguous();
    auto n = static_cast<size_t>(t.numel());
    Napi::TypedArray out;
    switch (t.scalar_type()) {
      case at::kFloat: out = Napi::Float32Array::New(info.Env(), n); break;
      case at::kInt: out = Napi::Int32Array::New(info.Env(), n); break;
      case at::kBool: out = Napi::Uint8Array::New(info.Env(), n); break;
      default: throw Napi::TypeError::New(info.Env(), std::string("toHost: tensor of unsupported dtype ") + c10::toString(t.scalar_type()));
    }
    if (n > 0) std::memcpy(static_cast<uint8_t*>(out.ArrayBuffer().Data()) + out.ByteOffset(), t.data_ptr(), n * t.element_size());
    return out;
  });
}

Napi::Value Free(const Napi::CallbackInfo& info) {
  release(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}

Napi::Value Live(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(liveCount())); }

Napi::Value Bytes(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(storageBytes())); }

// shapeOf(handle) -> the stored sizes (for checks).
Napi::Value ShapeOf(const Napi::CallbackInfo& info) {
  auto sizes = get(info[0], "shapeOf").sizes();
  auto a = Napi::Array::New(info.Env(), sizes.size());
  for (size_t i = 0; i < sizes.size(); i++) a.Set(static_cast<uint32_t>(i), Napi::Number::New(info.Env(), static_cast<double>(sizes[i])));
  return a;
}

// setDevice("cpu" | "cuda" | "cuda:N"): where new tensors go. cuDNN benchmark mode is on for CUDA (the
// shapes of a training step repeat, so the first step's search for the fastest algorithm pays off).
Napi::Value SetDevice(const Napi::CallbackInfo& info) {
  return guarded(info, "setDevice", [&]() -> Napi::Value {
    at::Device d(info[0].As<Napi::String>().Utf8Value());
    if (d.is_cuda()) {
      if (!torch::cuda::is_available())
        throw Napi::Error::New(info.Env(), "device " + d.str() + ": this libtorch has no CUDA or sees no GPU (torch::cuda::is_available() is false)");
      auto count = static_cast<int64_t>(torch::cuda::device_count());
      if (d.has_index() && d.index() >= count)
        throw Napi::Error::New(info.Env(), "device " + d.str() + ": only " + std::to_string(count) + " GPU(s) visible");
      if (!d.has_index()) d = at::Device(at::kCUDA, 0);
      at::globalContext().setBenchmarkCuDNN(true);
    } else if (!d.is_cpu()) {
      throw Napi::Error::New(info.Env(), "device " + d.str() + ": only cpu and cuda devices are supported");
    }
    currentDevice() = d;
    return Napi::String::New(info.Env(), d.str());
  });
}

Napi::Value Device(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), currentDevice().str()); }

// Waits for the device's queued work (CUDA) so timings are honest; a no-op on the CPU.
Napi::Value Synchronize(const Napi::CallbackInfo& info) {
  return guarded(info, "synchronize", [&]() -> Napi::Value {
    if (currentDevice().is_cuda()) torch::cuda::synchronize(currentDevice().index());
    return info.Env().Undefined();
  });
}

// threads(n?): the intra-op thread count of large kernels (sets libtorch's too); returns it.
Napi::Value Threads(const Napi::CallbackInfo& info) {
  if (info.Length() > 0 && info[0].IsNumber()) setThreads(info[0].As<Napi::Number>().Int32Value());
  return Napi::Number::New(info.Env(), threads());
}

// parallelMin(n?): the element count from which a kernel runs on several threads; returns it.
Napi::Value ParallelMin(const Napi::CallbackInfo& info) {
  if (info.Length() > 0 && info[0].IsNumber()) setParallelMin(info[0].As<Napi::Number>().Int64Value());
  return Napi::Number::New(info.Env(), static_cast<double>(parallelMin()));
}

// version() -> { torch, config, cuda, cudnn, gpus }: what this build links and sees.
Napi::Value Version(const Napi::CallbackInfo& info) {
  auto o = Napi::Object::New(info.Env());
  o.Set("torch", std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." + std::to_string(TORCH_VERSION_PATCH));
  o.Set("config", at::show_config());
  o.Set("cuda", Napi::Boolean::New(info.Env(), at::hasCUDA()));
  o.Set("cudnn", Napi::Boolean::New(info.Env(), torch::cuda::cudnn_is_available()));
  o.Set("gpus", Napi::Number::New(info.Env(), static_cast<double>(torch::cuda::is_available() ? torch::cuda::device_count() : 0)));
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("fromHost", Napi::Function::New(env, FromHost));
  exports.Set("toHost", Napi::Function::New(env, ToHost));
  exports.Set("free", Napi::Function::New(env, Free));
  exports.Set("live", Napi::Function::New(env, Live));
  exports.Set("bytes", Napi::Function::New(env, Bytes));
  exports.Set("shapeOf", Napi::Function::New(env, ShapeOf));
  exports.Set("setDevice", Napi::Function::New(env, SetDevice));
  exports.Set("device", Napi::Function::New(env, Device));
  exports.Set("synchronize", Napi::Function::New(env, Synchronize));
  exports.Set("threads", Napi::Function::New(env, Threads));
  exports.Set("parallelMin", Napi::Function::New(env, ParallelMin));
  exports.Set("version", Napi::Function::New(env, Version));
  registerKernels(env, exports);
  registerDistributed(env, exports);
  return exports;
}

}  // namespace
}  // namespace pvnas

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return pvnas::Init(env, exports); }

NODE_API_MODULE(pvnas_torch, InitModule)
