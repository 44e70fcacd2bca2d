#include "tensors.h"

#include <ATen/Parallel.h>
#include <omp.h>

#include <algorithm>
#include <unordered_set>

namespace pvnas {

namespace {

std::vector<at::Tensor> gSlots;
std::vector<int32_t> gFree;
int64_t gLive = 0;
int gThreads = 1;
int64_t gParallelMin = 4 << 20;

}  // namespace

at::Device& currentDevice() {
  static at::Device device(at::kCPU);
  return device;
}

int32_t put(at::Tensor t) {
  if (!t.is_contiguous()) t = t.contiguous();
  int32_t id;
  if (!gFree.empty()) {
    id = gFree.back();
    gFree.pop_back();
    gSlots[id] = std::move(t);
  } else {
    id = static_cast<int32_t>(gSlots.size());
    gSlots.push_back(std::move(t));
  }
  gLive++;
  return id;
}

const at::Tensor& get(const Napi::Value& handle, const char* what) {
  if (!handle.IsNumber()) throw Napi::TypeError::New(handle.Env(), std::string(what) + ": expected a tensor handle");
  int32_t id = handle.As<Napi::Number>().Int32Value();
  if (id < 0 || id >= static_cast<int32_t>(gSlots.size()) || !gSlots[id].defined())
    throw Napi::Error::New(handle.Env(), std::string(what) + ": tensor handle " + std::to_string(id) + " is not live (disposed?)");
  return gSlots[id];
}

void release(int32_t id) {
  if (id < 0 || id >= static_cast<int32_t>(gSlots.size()) || !gSlots[id].defined()) return;
  gSlots[id] = at::Tensor();
  gFree.push_back(id);
  gLive--;
}

int64_t liveCount() { return gLive; }

int64_t storageBytes() {
  std::unordered_set<const void*> seen;
  int64_t bytes = 0;
  for (const auto& t : gSlots) {
    if (!t.defined()) continue;
    const auto& storage = t.storage();
    if (seen.insert(storage.unsafeGetStorageImpl()).second) bytes += static_cast<int64_t>(storage.nbytes());
  }
  return bytes;
}

at::ScalarType dtypeNamed(const Napi::Env& env, const std::string& name) {
  if (name == "float32") return at::kFloat;
  if (name == "int32") return at::kInt;
  if (name == "bool") return at::kBool;
  throw Napi::TypeError::New(env, "torch backend: no dtype " + name + " (float32, int32 and bool only)");
}

const char* dtypeName(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return "float32";
    case at::kInt: return "int32";
    case at::kBool: return "bool";
    default: return "unsupported";
  }
}

Shape intsOf(const Napi::Value& v, const char* what) {
  if (!v.IsArray()) throw Napi::TypeError::New(v.Env(), std::string(what) + ": expected an array of integers");
  auto a = v.As<Napi::Array>();
  Shape s(a.Length());
  for (uint32_t i = 0; i < a.Length(); i++) s[i] = a.Get(i).As<Napi::Number>().Int64Value();
  return s;
}

Pair pairOf(const Napi::Value& v, const char* what) {
  auto s = intsOf(v, what);
  if (s.size() != 2) throw Napi::TypeError::New(v.Env(), std::string(what) + ": expected 2 integers");
  return {s[0], s[1]};
}

std::vector<at::Tensor> tensorsOf(const Napi::Value& v, const char* what) {
  std::vector<at::Tensor> out;
  if (!v.IsArray()) {
    out.push_back(get(v, what));
    return out;
  }
  auto a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) out.push_back(get(a.Get(i), what));
  return out;
}

void chooseThreads(int64_t elements) {
  if (gThreads <= 1 || !currentDevice().is_cpu()) return;
  omp_set_num_threads(elements >= gParallelMin ? gThreads : 1);
}

int64_t elementsOf(std::initializer_list<const at::Tensor*> ts) {
  int64_t n = 0;
  for (auto t : ts)
    if (t != nullptr && t->defined()) n += t->numel();
  return n;
}

void setThreads(int n) {
  gThreads = std::max(1, n);
  at::set_num_threads(gThreads);
}

int threads() { return gThreads; }

void setParallelMin(int64_t n) { gParallelMin = std::max<int64_t>(0, n); }

int64_t parallelMin() { return gParallelMin; }

}  // namespace pvnas
