// The tensor store of the `torch` tfjs backend: every tfjs data id of the backend maps (in JavaScript) to an
// integer handle here, and a handle to one at::Tensor on the backend's device. Stored tensors are contiguous
// in tfjs's row-major layout and shape (channels-last activations [N, H, W, C]); a kernel views them in the
// layout libtorch prefers (NCHW sizes with channels-last strides, no copy) and stores what it computes.
#pragma once

#include <napi.h>
#include <ATen/ATen.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace pvnas {

using Shape = std::vector<int64_t>;
using Pair = std::array<int64_t, 2>;

// Stores `t` (made contiguous) and returns its handle.
int32_t put(at::Tensor t);
// The tensor of a handle; throws a JavaScript error naming `what` if the handle is not live.
const at::Tensor& get(const Napi::Value& handle, const char* what);
// Frees a handle (the memory goes back to libtorch's allocator once no other handle views it).
void release(int32_t id);
// Live handles, for leak tests.
int64_t liveCount();
// Bytes of the distinct storages the live handles hold (views share their storage).
int64_t storageBytes();

// The device new tensors are written to.
at::Device& currentDevice();

at::ScalarType dtypeNamed(const Napi::Env& env, const std::string& name);
const char* dtypeName(at::ScalarType t);

Shape intsOf(const Napi::Value& v, const char* what);
Pair pairOf(const Napi::Value& v, const char* what);
// A handle or JavaScript array of handles as tensors.
std::vector<at::Tensor> tensorsOf(const Napi::Value& v, const char* what);

// Threads: a kernel whose tensors hold fewer than `parallelMin` elements runs on one thread (waking the
// others costs more than a second core gains on small tensors; measured with `nx run tools:bench-threads`).
void chooseThreads(int64_t elements);
int64_t elementsOf(std::initializer_list<const at::Tensor*> ts);
void setThreads(int n);
int threads();
void setParallelMin(int64_t n);
int64_t parallelMin();

// Runs `body`, turning libtorch and C++ errors into JavaScript errors that name the kernel.
template <typename F>
Napi::Value guarded(const Napi::CallbackInfo& info, const char* kernel, F&& body) {
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const c10::Error& e) {
    throw Napi::Error::New(info.Env(), std::string("libtorch (") + kernel + "): " + e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), std::string("pvnas_torch (") + kernel + "): " + e.what());
  }
}

inline Napi::Value handleValue(const Napi::Env& env, const at::Tensor& t) { return Napi::Number::New(env, put(t)); }

}  // namespace pvnas
