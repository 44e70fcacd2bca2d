// pvnas_torch: the heavy kernels of the `torch` tfjs backend, computed by libtorch (ATen) on CPU.
//
// Every tensor crossing this boundary is a Float32Array owned by JavaScript (the tfjs cpu backend's
// storage), channels-last: activations are [B, H, W, C], weights are [kh, kw, Cin/groups, Cout].
// ATen sees them through zero-copy views: a [B, H, W, C] buffer is an NCHW tensor with channels-last
// strides, which is the layout oneDNN convolutions, pooling and batch norm prefer on CPU. Results are
// written into output arrays that JavaScript allocated (one strided copy per op).
//
// Padding follows PyTorch: symmetric `pad` rows/columns on each side (DARTS' convention).
#include <napi.h>
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <torch/version.h>

#include <omp.h>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

namespace {

using Shape = std::vector<int64_t>;

Shape shapeOf(const Napi::Value& v, size_t rank, const char* what) {
  if (!v.IsArray()) throw Napi::TypeError::New(v.Env(), std::string(what) + ": shape must be an array");
  auto a = v.As<Napi::Array>();
  if (a.Length() != rank) throw Napi::TypeError::New(v.Env(), std::string(what) + ": expected rank " + std::to_string(rank));
  Shape s(rank);
  for (uint32_t i = 0; i < rank; i++) s[i] = a.Get(i).As<Napi::Number>().Int64Value();
  return s;
}

std::array<int64_t, 2> pairOf(const Napi::Value& v, const char* what) {
  auto s = shapeOf(v, 2, what);
  return {s[0], s[1]};
}

Napi::Float32Array floats(const Napi::Value& v, const char* what) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw Napi::TypeError::New(v.Env(), std::string(what) + ": expected a Float32Array");
  return v.As<Napi::Float32Array>();
}

int64_t numel(const Shape& s) {
  int64_t n = 1;
  for (auto d : s) n *= d;
  return n;
}

// A raw view over a JS buffer with the given (row-major) shape; checks the element count.
at::Tensor view(const Napi::Value& v, const Shape& shape, const char* what) {
  auto a = floats(v, what);
  if (static_cast<int64_t>(a.ElementLength()) != numel(shape))
    throw Napi::RangeError::New(v.Env(), std::string(what) + ": buffer has " + std::to_string(a.ElementLength()) +
                                             " elements, shape needs " + std::to_string(numel(shape)));
  return at::from_blob(a.Data(), shape, at::TensorOptions().dtype(at::kFloat));
}

// [B, H, W, C] buffer -> NCHW tensor with channels-last strides (no copy).
at::Tensor nhwc(const Napi::Value& v, const Shape& shape, const char* what) { return view(v, shape, what).permute({0, 3, 1, 2}); }

// [kh, kw, Cin/g, Cout] buffer -> [Cout, Cin/g, kh, kw] (no copy).
at::Tensor hwio(const Napi::Value& v, const Shape& shape, const char* what) { return view(v, shape, what).permute({3, 2, 0, 1}); }

bool isNull(const Napi::Value& v) { return v.IsNull() || v.IsUndefined(); }

// Threads. libtorch parallelises with OpenMP. A parallel region wakes the other threads, which costs tens of
// microseconds once they sleep (addon.ts sets OMP_WAIT_POLICY=PASSIVE before this library loads, so idle
// threads sleep instead of spinning on cores other processes need), and a small kernel gains less than that
// from a second core. So a kernel runs on one thread unless the tensors it touches hold at least
// `parallelMin` elements (measured: tools/bench, `nx run tools:bench-threads`).
int gThreads = 1;
int64_t gParallelMin = 4 << 20;

int64_t elementsOf(const Napi::Value& v) {
  if (v.IsTypedArray()) return static_cast<int64_t>(v.As<Napi::TypedArray>().ElementLength());
  if (!v.IsArray()) return 0;
  auto a = v.As<Napi::Array>();
  int64_t n = 0;
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Value e = a.Get(i);
    if (e.IsTypedArray()) n += static_cast<int64_t>(e.As<Napi::TypedArray>().ElementLength());
  }
  return n;
}

void chooseThreads(const Napi::CallbackInfo& info) {
  if (gThreads <= 1) return;
  int64_t n = 0;
  for (size_t i = 0; i < info.Length(); i++) n += elementsOf(info[i]);
  omp_set_num_threads(n >= gParallelMin ? gThreads : 1);
}

template <typename F>
Napi::Value guarded(const Napi::CallbackInfo& info, F&& body) {
  chooseThreads(info);
  try {
    body();
  } catch (const c10::Error& e) {
    throw Napi::Error::New(info.Env(), std::string("libtorch: ") + e.what_without_backtrace());
  } catch (const std::exception& e) {
    if (dynamic_cast<const Napi::Error*>(&e) != nullptr) throw;
    throw Napi::Error::New(info.Env(), std::string("pvnas_torch: ") + e.what());
  }
  return info.Env().Undefined();
}

// A 1x1 convolution with a stride and no padding reads every s-th pixel only: it runs as a stride-1 1x1
// convolution of that strided view of x (the same numbers, less work). This also keeps away from oneDNN 2.6's
// (libtorch 1.13) backward kernel for strided 1x1 convolutions, which writes past a buffer it allocates itself
// (found with valgrind: heap corruption, then a glibc abort, in FactorizedReduce with 2 to 4 channels).
bool stridedPointwise(const at::Tensor& w, std::array<int64_t, 2> s, std::array<int64_t, 2> p) {
  return w.size(2) == 1 && w.size(3) == 1 && p[0] == 0 && p[1] == 0 && (s[0] > 1 || s[1] > 1);
}

at::Tensor everyStride(const at::Tensor& x, std::array<int64_t, 2> s) {
  return x.slice(2, 0, c10::nullopt, s[0]).slice(3, 0, c10::nullopt, s[1]);
}

// conv2d(x, xShape, w, wShape, y, yShape, stride, pad, dilation, groups)
Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    auto x = nhwc(info[0], shapeOf(info[1], 4, "conv2d x"), "conv2d x");
    auto w = hwio(info[2], shapeOf(info[3], 4, "conv2d w"), "conv2d w");
    auto y = nhwc(info[4], shapeOf(info[5], 4, "conv2d y"), "conv2d y");
    auto s = pairOf(info[6], "stride"), p = pairOf(info[7], "pad"), d = pairOf(info[8], "dilation");
    int64_t g = info[9].As<Napi::Number>().Int64Value();
    if (stridedPointwise(w, s, p)) y.copy_(at::conv2d(everyStride(x, s), w, {}, std::array<int64_t, 2>{1, 1}, std::array<int64_t, 2>{0, 0}, d, g));
    else y.copy_(at::conv2d(x, w, {}, s, p, d, g));
  });
}

// conv2dBackward(dy, dyShape, x, xShape, w, wShape, dx|null, dw|null, stride, pad, dilation, groups)
Napi::Value Conv2dBackward(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    auto dy = nhwc(info[0], shapeOf(info[1], 4, "conv2d dy"), "conv2d dy");
    auto xs = shapeOf(info[3], 4, "conv2d x");
    auto ws = shapeOf(info[5], 4, "conv2d w");
    auto x = nhwc(info[2], xs, "conv2d x");
    auto w = hwio(info[4], ws, "conv2d w");
    bool wantDx = !isNull(info[6]), wantDw = !isNull(info[7]);
    auto s = pairOf(info[8], "stride"), p = pairOf(info[9], "pad"), d = pairOf(info[10], "dilation");
    int64_t g = info[11].As<Napi::Number>().Int64Value();
    if (stridedPointwise(w, s, p)) {
      auto grads = at::convolution_backward(dy, everyStride(x, s), w, c10::nullopt, {1, 1}, {0, 0}, d, false, {0, 0}, g, {wantDx, wantDw, false});
      if (wantDx) {
        auto dx = nhwc(info[6], xs, "conv2d dx");
        dx.zero_();
        everyStride(dx, s).copy_(std::get<0>(grads));
      }
      if (wantDw) hwio(info[7], ws, "conv2d dw").copy_(std::get<1>(grads));
      return;
    }
    auto grads = at::convolution_backward(dy, x, w, c10::nullopt, s, p, d, false, {0, 0}, g, {wantDx, wantDw, false});
    if (wantDx) nhwc(info[6], xs, "conv2d dx").copy_(std::get<0>(grads));
    if (wantDw) hwio(info[7], ws, "conv2d dw").copy_(std::get<1>(grads));
  });
}

// The window of a pool call: kernel, stride and pad pairs, from consecutive arguments starting at `at`.
struct PoolWindow {
  std::array<int64_t, 2> k, s, p;
};

PoolWindow windowOf(const Napi::CallbackInfo& info, size_t at) {
  return {pairOf(info[at], "kernel"), pairOf(info[at + 1], "stride"), pairOf(info[at + 2], "pad")};
}

// pool(x, xShape, y, yShape, kernel, stride, pad): y = f(x, window).
template <typename F>
Napi::Value PoolForward(const Napi::CallbackInfo& info, const char* name, F f) {
  return guarded(info, [&] {
    auto x = nhwc(info[0], shapeOf(info[1], 4, name), name);
    auto y = nhwc(info[2], shapeOf(info[3], 4, name), name);
    y.copy_(f(x, windowOf(info, 4)));
  });
}

// poolBackward(dy, dyShape, x, xShape, dx, kernel, stride, pad): dx = f(dy, x, window).
template <typename F>
Napi::Value PoolBackward(const Napi::CallbackInfo& info, const char* name, F f) {
  return guarded(info, [&] {
    auto dy = nhwc(info[0], shapeOf(info[1], 4, name), name);
    auto xs = shapeOf(info[3], 4, name);
    auto x = nhwc(info[2], xs, name);
    nhwc(info[4], xs, name).copy_(f(dy, x, windowOf(info, 5)));
  });
}

// Average pool; padding not counted in the average.
Napi::Value AvgPool(const Napi::CallbackInfo& info) {
  return PoolForward(info, "avgPool", [](const at::Tensor& x, const PoolWindow& w) { return at::avg_pool2d(x, w.k, w.s, w.p, false, false); });
}

Napi::Value AvgPoolBackward(const Napi::CallbackInfo& info) {
  return PoolBackward(info, "avgPool", [](const at::Tensor& dy, const at::Tensor& x, const PoolWindow& w) {
    return at::avg_pool2d_backward(dy, x, w.k, w.s, w.p, false, false, c10::nullopt);
  });
}

// Max pool; -inf padding.
Napi::Value MaxPool(const Napi::CallbackInfo& info) {
  return PoolForward(info, "maxPool", [](const at::Tensor& x, const PoolWindow& w) { return at::max_pool2d(x, w.k, w.s, w.p, {1, 1}, false); });
}

// The gradient of each window goes to one arg-max (the first in scan order, as PyTorch), never split or lost on ties.
Napi::Value MaxPoolBackward(const Napi::CallbackInfo& info) {
  return PoolBackward(info, "maxPool", [](const at::Tensor& dy, const at::Tensor& x, const PoolWindow& w) {
    auto indices = std::get<1>(at::max_pool2d_with_indices(x, w.k, w.s, w.p, {1, 1}, false));
    return at::max_pool2d_with_indices_backward(dy, x, w.k, w.s, w.p, {1, 1}, false, indices);
  });
}

// A [rows, channels] buffer as an NCHW tensor [1, channels, rows, 1] with channels-last strides: ATen's batch
// norm then takes its vectorised channels-last kernels (a plain 2-D [rows, channels] input walks each channel
// with stride `channels`, several times slower).
at::Tensor rowsAsChannelsLast(const Napi::Value& v, int64_t rows, int64_t ch, const char* what) {
  return view(v, {1, rows, 1, ch}, what).permute({0, 3, 1, 2});
}

// batchNorm(x, rows, channels, gamma|null, beta|null, y, mean, invstd, eps): training-mode batch norm of a
// [rows, channels] buffer over its rows; writes y and the batch mean and 1/sqrt(biased var + eps).
Napi::Value BatchNorm(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    int64_t rows = info[1].As<Napi::Number>().Int64Value(), ch = info[2].As<Napi::Number>().Int64Value();
    auto x = rowsAsChannelsLast(info[0], rows, ch, "batchNorm x");
    c10::optional<at::Tensor> gamma, beta;
    if (!isNull(info[3])) gamma = view(info[3], {ch}, "batchNorm gamma");
    if (!isNull(info[4])) beta = view(info[4], {ch}, "batchNorm beta");
    double eps = info[8].As<Napi::Number>().DoubleValue();
    auto out = at::native_batch_norm(x, gamma, beta, c10::nullopt, c10::nullopt, true, 0.0, eps);
    rowsAsChannelsLast(info[5], rows, ch, "batchNorm y").copy_(std::get<0>(out));
    view(info[6], {ch}, "batchNorm mean").copy_(std::get<1>(out));
    view(info[7], {ch}, "batchNorm invstd").copy_(std::get<2>(out));
  });
}

// batchNormBackward(dy, x, rows, channels, mean, invstd, gamma|null, dx, dgamma|null, dbeta|null, eps)
Napi::Value BatchNormBackward(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    int64_t rows = info[2].As<Napi::Number>().Int64Value(), ch = info[3].As<Napi::Number>().Int64Value();
    auto dy = rowsAsChannelsLast(info[0], rows, ch, "batchNorm dy");
    auto x = rowsAsChannelsLast(info[1], rows, ch, "batchNorm x");
    auto mean = view(info[4], {ch}, "batchNorm mean");
    auto invstd = view(info[5], {ch}, "batchNorm invstd");
    c10::optional<at::Tensor> gamma;
    if (!isNull(info[6])) gamma = view(info[6], {ch}, "batchNorm gamma");
    bool wantAffine = !isNull(info[8]);
    double eps = info[10].As<Napi::Number>().DoubleValue();
    auto g = at::native_batch_norm_backward(dy, x, gamma, c10::nullopt, c10::nullopt, mean, invstd, true, eps,
                                            {true, wantAffine, wantAffine});
    rowsAsChannelsLast(info[7], rows, ch, "batchNorm dx").copy_(std::get<0>(g));
    if (wantAffine) {
      view(info[8], {ch}, "batchNorm dgamma").copy_(std::get<1>(g));
      view(info[9], {ch}, "batchNorm dbeta").copy_(std::get<2>(g));
    }
  });
}

// ---- Generic kernels over any-rank buffers (the stock tfjs kernels of the torch backend) ----

at::ScalarType dtypeOf(const Napi::TypedArray& a) {
  switch (a.TypedArrayType()) {
    case napi_float32_array: return at::kFloat;
    case napi_int32_array: return at::kInt;
    case napi_uint8_array: return at::kBool;  // tfjs bool: one byte, 0 or 1
    default: throw Napi::TypeError::New(a.Env(), "expected a Float32Array, Int32Array or Uint8Array");
  }
}

Shape anyShape(const Napi::Value& v) {
  auto a = v.As<Napi::Array>();
  Shape s(a.Length());
  for (uint32_t i = 0; i < a.Length(); i++) s[i] = a.Get(i).As<Napi::Number>().Int64Value();
  return s;
}

// A typed array of any supported dtype with the given shape (no copy).
at::Tensor any(const Napi::Value& v, const Napi::Value& shapeValue, const char* what) {
  if (!v.IsTypedArray()) throw Napi::TypeError::New(v.Env(), std::string(what) + ": expected a typed array");
  auto a = v.As<Napi::TypedArray>();
  auto shape = anyShape(shapeValue);
  if (static_cast<int64_t>(a.ElementLength()) != numel(shape))
    throw Napi::RangeError::New(v.Env(), std::string(what) + ": buffer has " + std::to_string(a.ElementLength()) +
                                             " elements, shape needs " + std::to_string(numel(shape)));
  void* data = static_cast<uint8_t*>(a.ArrayBuffer().Data()) + a.ByteOffset();
  return at::from_blob(data, shape, at::TensorOptions().dtype(dtypeOf(a)));
}

std::vector<int64_t> ints(const Napi::Value& v) { return anyShape(v); }

// unary(op, x, shape, y)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    auto op = info[0].As<Napi::String>().Utf8Value();
    auto x = any(info[1], info[2], "unary x");
    auto y = any(info[3], info[2], "unary y");
    if (op == "relu") at::clamp_min_out(y, x, 0);
    else if (op == "exp") at::exp_out(y, x);
    else if (op == "log") at::log_out(y, x);
    else if (op == "sqrt") at::sqrt_out(y, x);
    else if (op == "rsqrt") at::rsqrt_out(y, x);
    else if (op == "square") at::mul_out(y, x, x);
    else if (op == "neg") at::neg_out(y, x);
    else if (op == "abs") at::abs_out(y, x);
    else if (op == "reciprocal") at::reciprocal_out(y, x);
    else if (op == "sigmoid") at::sigmoid_out(y, x);
    else if (op == "tanh") at::tanh_out(y, x);
    else if (op == "step") at::gt_out(y, x, 0);      // tfjs Step with alpha 0: 1 where x > 0, else 0
    else if (op == "copy") y.copy_(x);              // also casts between dtypes
    else throw Napi::Error::New(info.Env(), "unary: unknown op " + op);
  });
}

// binary(op, a, aShape, b, bShape, y, yShape): broadcasting as numpy.
Napi::Value Binary(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    auto op = info[0].As<Napi::String>().Utf8Value();
    auto a = any(info[1], info[2], "binary a");
    auto b = any(info[3], info[4], "binary b");
    auto y = any(info[5], info[6], "binary y");
    if (op == "add") at::add_out(y, a, b);
    else if (op == "sub") at::sub_out(y, a, b);
    else if (op == "mul") at::mul_out(y, a, b);
    else if (op == "div") at::div_out(y, a, b);
    else if (op == "maximum") at::maximum_out(y, a, b);
    else if (op == "minimum") at::minimum_out(y, a, b);
    else if (op == "pow") at::pow_out(y, a, b);
    else if (op == "sqdiff") { at::sub_out(y, a, b); y.mul_(y); }
    else if (op == "reluGrad") at::threshold_backward_out(y, a, b, 0);  // a = dy, b = x: dy where x > 0
    else if (op == "equal") at::eq_out(y, a, b);
    else if (op == "notEqual") at::ne_out(y, a, b);
    else if (op == "greater") at::gt_out(y, a, b);
    else if (op == "greaterEqual") at::ge_out(y, a, b);
    else if (op == "less") at::lt_out(y, a, b);
    else if (op == "lessEqual") at::le_out(y, a, b);
    else throw Napi::Error::New(info.Env(), "binary: unknown op " + op);
  });
}

// reduce(op, x, xShape, axes, y): over the given axes, without kept dims.
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    auto op = info[0].As<Napi::String>().Utf8Value();
    auto x = any(info[1], info[2], "reduce x");
    auto axes = ints(info[3]);
    auto yArr = info[4].As<Napi::TypedArray>();
    // y holds the reduced shape; view it with kept dims of size 1 so the out variants need no resize
    auto kept = x.sizes().vec();
    for (auto a : axes) kept[a] = 1;
    if (static_cast<int64_t>(yArr.ElementLength()) != numel(kept)) throw Napi::RangeError::New(info.Env(), "reduce y: wrong element count");
    auto y = at::from_blob(static_cast<uint8_t*>(yArr.ArrayBuffer().Data()) + yArr.ByteOffset(), kept, at::TensorOptions().dtype(dtypeOf(yArr)));
    if (op == "sum") at::sum_out(y, x, axes, true);
    else if (op == "mean") at::mean_out(y, x, axes, true);
    else if (op == "max") at::amax_out(y, x, axes, true);
    else if (op == "min") at::amin_out(y, x, axes, true);
    else throw Napi::Error::New(info.Env(), "reduce: unknown op " + op);
  });
}

// addN(inputs[], shape, y)
Napi::Value AddN(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    auto list = info[0].As<Napi::Array>();
    auto y = any(info[2], info[1], "addN y");
    y.copy_(any(list.Get(0u), info[1], "addN x"));
    for (uint32_t i = 1; i < list.Length(); i++) y.add_(any(list.Get(i), info[1], "addN x"));
  });
}

// transpose(x, xShape, perm, y)
Napi::Value Transpose(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    auto x = any(info[0], info[1], "transpose x");
    auto perm = ints(info[2]);
    auto permuted = x.permute(perm);
    auto yArr = info[3].As<Napi::TypedArray>();
    if (static_cast<int64_t>(yArr.ElementLength()) != x.numel()) throw Napi::RangeError::New(info.Env(), "transpose y: wrong element count");
    auto y = at::from_blob(static_cast<uint8_t*>(yArr.ArrayBuffer().Data()) + yArr.ByteOffset(), permuted.sizes().vec(), x.options());
    y.copy_(permuted);
  });
}

// slice(x, xShape, begin, size, y)
Napi::Value Slice(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    auto x = any(info[0], info[1], "slice x");
    auto begin = ints(info[2]), size = ints(info[3]);
    auto v = x;
    for (size_t d = 0; d < begin.size(); d++) v = v.narrow(static_cast<int64_t>(d), begin[d], size[d]);
    any(info[4], info[3], "slice y").copy_(v);
  });
}

// pad(x, xShape, before, after, value, y, yShape)
Napi::Value Pad(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    auto x = any(info[0], info[1], "pad x");
    auto before = ints(info[2]), after = ints(info[3]);
    double value = info[4].As<Napi::Number>().DoubleValue();
    auto y = any(info[5], info[6], "pad y");
    y.fill_(value);
    auto inner = y;
    for (size_t d = 0; d < before.size(); d++) inner = inner.narrow(static_cast<int64_t>(d), before[d], x.size(static_cast<int64_t>(d)));
    inner.copy_(x);
  });
}

// concat(inputs[], shapes[], axis, y, yShape)
Napi::Value Concat(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    auto list = info[0].As<Napi::Array>();
    auto shapes = info[1].As<Napi::Array>();
    int64_t axis = info[2].As<Napi::Number>().Int64Value();
    std::vector<at::Tensor> parts;
    for (uint32_t i = 0; i < list.Length(); i++) parts.push_back(any(list.Get(i), shapes.Get(i), "concat x"));
    auto y = any(info[3], info[4], "concat y");
    at::cat_out(y, parts, axis);
  });
}

// reverse(x, shape, axes, y)
Napi::Value Reverse(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    auto x = any(info[0], info[1], "reverse x");
    any(info[3], info[1], "reverse y").copy_(at::flip(x, ints(info[2])));
  });
}

// tile(x, xShape, reps, y, yShape)
Napi::Value Tile(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    auto x = any(info[0], info[1], "tile x");
    any(info[3], info[4], "tile y").copy_(x.repeat(ints(info[2])));
  });
}

// batchMatMul(a, [B, M, K] or [B, K, M], b, bShape, transposeA, transposeB, y, [B, M, N]); batch broadcast as tfjs.
Napi::Value BatchMatMul(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    auto a = any(info[0], info[1], "matMul a");
    auto b = any(info[2], info[3], "matMul b");
    if (info[4].As<Napi::Boolean>().Value()) a = a.transpose(1, 2);
    if (info[5].As<Napi::Boolean>().Value()) b = b.transpose(1, 2);
    auto y = any(info[6], info[7], "matMul y");
    if (a.size(0) == b.size(0)) at::bmm_out(y, a, b);
    else y.copy_(at::matmul(a, b));
  });
}

// softmax(x, shape, y): over the last axis.
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    auto x = any(info[0], info[1], "softmax x");
    auto y = any(info[2], info[1], "softmax y");
    at::_softmax_out(y, x, -1, false);
  });
}

// select(condition, cShape, t, e, shape, y): y = condition ? t : e (condition broadcast as tfjs: same shape or rank 1).
Napi::Value Select(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    auto c = any(info[0], info[1], "select condition");
    auto t = any(info[2], info[4], "select t");
    auto e = any(info[3], info[4], "select e");
    if (c.dim() == 1 && t.dim() > 1) {
      std::vector<int64_t> s(t.dim(), 1);
      s[0] = c.size(0);
      c = c.view(s);
    }
    any(info[5], info[4], "select y").copy_(at::where(c, t, e));
  });
}

// weightedSum(ys[], shape, weights[], y): y = sum_k weights[k] * ys[k] (a mixed edge's output).
Napi::Value WeightedSum(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    auto list = info[0].As<Napi::Array>();
    auto w = info[2].As<Napi::Array>();
    auto y = any(info[3], info[1], "weightedSum y");
    y.zero_();
    for (uint32_t k = 0; k < list.Length(); k++) y.add_(any(list.Get(k), info[1], "weightedSum x"), w.Get(k).As<Napi::Number>().DoubleValue());
  });
}

// weightedSumBackward(dy, ys[], shape, weights[], dys[], dw): dys[k] = weights[k] * dy, dw[k] = <dy, ys[k]>.
Napi::Value WeightedSumBackward(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    auto dy = any(info[0], info[2], "weightedSum dy").reshape({-1});
    auto list = info[1].As<Napi::Array>();
    auto w = info[3].As<Napi::Array>();
    auto outs = info[4].As<Napi::Array>();
    auto dw = floats(info[5], "weightedSum dw");
    for (uint32_t k = 0; k < list.Length(); k++) {
      auto yk = any(list.Get(k), info[2], "weightedSum x").reshape({-1});
      dw[k] = at::dot(dy, yk).item<float>();
      auto out = any(outs.Get(k), info[2], "weightedSum dx").reshape({-1});
      at::mul_out(out, dy, w.Get(k).As<Napi::Number>().DoubleValue());
    }
  });
}

// threads(n?): the intra-op thread count of large kernels (sets libtorch's too); returns it.
Napi::Value Threads(const Napi::CallbackInfo& info) {
  if (info.Length() > 0 && info[0].IsNumber()) {
    gThreads = std::max(1, info[0].As<Napi::Number>().Int32Value());
    at::set_num_threads(gThreads);
  } else if (gThreads == 1) {
    gThreads = at::get_num_threads();
  }
  return Napi::Number::New(info.Env(), gThreads);
}

// parallelMin(n?): the element count from which a kernel runs on several threads; returns it.
Napi::Value ParallelMin(const Napi::CallbackInfo& info) {
  if (info.Length() > 0 && info[0].IsNumber()) gParallelMin = std::max<int64_t>(0, info[0].As<Napi::Number>().Int64Value());
  return Napi::Number::New(info.Env(), static_cast<double>(gParallelMin));
}

Napi::Value Version(const Napi::CallbackInfo& info) {
  auto o = Napi::Object::New(info.Env());
  o.Set("torch", std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
                     std::to_string(TORCH_VERSION_PATCH));
  o.Set("config", at::show_config());
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2d", Napi::Function::New(env, Conv2d));
  exports.Set("conv2dBackward", Napi::Function::New(env, Conv2dBackward));
  exports.Set("avgPool", Napi::Function::New(env, AvgPool));
  exports.Set("avgPoolBackward", Napi::Function::New(env, AvgPoolBackward));
  exports.Set("maxPool", Napi::Function::New(env, MaxPool));
  exports.Set("maxPoolBackward", Napi::Function::New(env, MaxPoolBackward));
  exports.Set("batchNorm", Napi::Function::New(env, BatchNorm));
  exports.Set("batchNormBackward", Napi::Function::New(env, BatchNormBackward));
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("reduce", Napi::Function::New(env, Reduce));
  exports.Set("addN", Napi::Function::New(env, AddN));
  exports.Set("transpose", Napi::Function::New(env, Transpose));
  exports.Set("slice", Napi::Function::New(env, Slice));
  exports.Set("pad", Napi::Function::New(env, Pad));
  exports.Set("concat", Napi::Function::New(env, Concat));
  exports.Set("reverse", Napi::Function::New(env, Reverse));
  exports.Set("tile", Napi::Function::New(env, Tile));
  exports.Set("batchMatMul", Napi::Function::New(env, BatchMatMul));
  exports.Set("softmax", Napi::Function::New(env, Softmax));
  exports.Set("select", Napi::Function::New(env, Select));
  exports.Set("weightedSum", Napi::Function::New(env, WeightedSum));
  exports.Set("weightedSumBackward", Napi::Function::New(env, WeightedSumBackward));
  exports.Set("threads", Napi::Function::New(env, Threads));
  exports.Set("parallelMin", Napi::Function::New(env, ParallelMin));
  exports.Set("version", Napi::Function::New(env, Version));
  return exports;
}

}  // namespace

NODE_API_MODULE(pvnas_torch, Init)
