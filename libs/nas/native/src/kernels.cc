// The kernels of the `torch` tfjs backend: each takes tensor handles (tensors.h) and returns the handle of a
// new tensor on the same device. Shapes follow tfjs (channels-last activations [B, H, W, C], conv weights
// [kh, kw, Cin/groups, Cout]); padding follows PyTorch (symmetric `pad` rows and columns) for our own kernels
// and tfjs's explicit [top, bottom, left, right] for its stock ones. No kernel reads device memory on the host.
#include "kernels.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <limits>
#include <mutex>
#include <string>

#include "compat.h"
#include "tensors.h"

namespace pvnas {

namespace {

bool absent(const Napi::Value& v) { return v.IsNull() || v.IsUndefined() || (v.IsNumber() && v.As<Napi::Number>().Int32Value() < 0); }

std::string str(const Napi::Value& v) { return v.As<Napi::String>().Utf8Value(); }
double num(const Napi::Value& v) { return v.As<Napi::Number>().DoubleValue(); }
int64_t int64(const Napi::Value& v) { return v.As<Napi::Number>().Int64Value(); }

// [B, H, W, C] -> NCHW sizes with channels-last strides (no copy), and back.
at::Tensor nchw(const at::Tensor& x) { return x.permute({0, 3, 1, 2}); }
at::Tensor nhwc(const at::Tensor& x) { return x.permute({0, 2, 3, 1}); }
// [kh, kw, Cin/g, Cout] -> [Cout, Cin/g, kh, kw] (no copy).
at::Tensor oihw(const at::Tensor& w) { return w.permute({3, 2, 0, 1}); }
at::Tensor hwio(const at::Tensor& w) { return w.permute({2, 3, 1, 0}); }

Napi::Array handles(const Napi::Env& env, std::initializer_list<at::Tensor> ts) {
  auto a = Napi::Array::New(env);
  uint32_t i = 0;
  for (const auto& t : ts) a.Set(i++, t.defined() ? Napi::Number::New(env, put(t)) : Napi::Number::New(env, -1));
  return a;
}

}  // namespace

// ---- Elementwise ----

Napi::Value Unary(const Napi::CallbackInfo& info) {
  return guarded(info, "unary", [&]() -> Napi::Value {
    auto op = str(info[0]);
    const auto& x = get(info[1], "unary x");
    chooseThreads(x.numel());
    at::Tensor y;
    if (op == "relu") y = at::relu(x);
    else if (op == "exp") y = at::exp(x);
    else if (op == "log") y = at::log(x);
    else if (op == "sqrt") y = at::sqrt(x);
    else if (op == "rsqrt") y = at::rsqrt(x);
    else if (op == "square") y = at::mul(x, x);
    else if (op == "neg") y = at::neg(x);
    else if (op == "abs") y = at::abs(x);
    else if (op == "reciprocal") y = at::reciprocal(x);
    else if (op == "sigmoid") y = at::sigmoid(x);
    else if (op == "tanh") y = at::tanh(x);
    else if (op == "step") y = at::gt(x, 0).to(x.scalar_type());  // tfjs Step with alpha 0
    else if (op == "copy") y = x.clone();
    else throw Napi::Error::New(info.Env(), "unary: unknown op " + op);
    return handleValue(info.Env(), y);
  });
}

// binary(op, a, b, dtype): numpy broadcasting; the result has tfjs's dtype `dtype`.
Napi::Value Binary(const Napi::CallbackInfo& info) {
  return guarded(info, "binary", [&]() -> Napi::Value {
    auto op = str(info[0]);
    const auto& a = get(info[1], "binary a");
    const auto& b = get(info[2], "binary b");
    auto dtype = dtypeNamed(info.Env(), str(info[3]));
    chooseThreads(elementsOf({&a, &b}));
    at::Tensor y;
    if (op == "add") y = at::add(a, b);
    else if (op == "sub") y = at::sub(a, b);
    else if (op == "mul") y = at::mul(a, b);
    else if (op == "div") y = at::div(a, b);
    else if (op == "maximum") y = at::maximum(a, b);
    else if (op == "minimum") y = at::minimum(a, b);
    else if (op == "pow") y = at::pow(a, b);
    else if (op == "sqdiff") {
      y = at::sub(a, b);
      y.mul_(y);
    } else if (op == "reluGrad") y = at::threshold_backward(a, b, 0);  // a = dy, b = x: dy where x > 0
    else if (op == "equal") y = at::eq(a, b);
    else if (op == "notEqual") y = at::ne(a, b);
    else if (op == "greater") y = at::gt(a, b);
    else if (op == "greaterEqual") y = at::ge(a, b);
    else if (op == "less") y = at::lt(a, b);
    else if (op == "lessEqual") y = at::le(a, b);
    else throw Napi::Error::New(info.Env(), "binary: unknown op " + op);
    return handleValue(info.Env(), y.scalar_type() == dtype ? y : y.to(dtype));
  });
}

Napi::Value Cast(const Napi::CallbackInfo& info) {
  return guarded(info, "cast", [&]() -> Napi::Value {
    const auto& x = get(info[0], "cast x");
    return handleValue(info.Env(), x.to(dtypeNamed(info.Env(), str(info[1]))));
  });
}

// where(condition, t, e): condition bool, same shape as t or rank 1 over t's first axis (tfjs's Select).
Napi::Value Where(const Napi::CallbackInfo& info) {
  return guarded(info, "where", [&]() -> Napi::Value {
    auto c = get(info[0], "where condition");
    const auto& t = get(info[1], "where t");
    const auto& e = get(info[2], "where e");
    if (c.dim() == 1 && t.dim() > 1) {
      Shape s(t.dim(), 1);
      s[0] = c.size(0);
      c = c.view(s);
    }
    return handleValue(info.Env(), at::where(c, t, e));
  });
}

// fill(shape, value, dtype)
Napi::Value Fill(const Napi::CallbackInfo& info) {
  return guarded(info, "fill", [&]() -> Napi::Value {
    auto opts = at::TensorOptions().dtype(dtypeNamed(info.Env(), str(info[2]))).device(currentDevice());
    return handleValue(info.Env(), at::full(intsOf(info[0], "fill shape"), num(info[1]), opts));
  });
}

// oneHot(indices int32, depth, on, off, dtype): indices outside [0, depth) give a row of `off`, as tfjs.
Napi::Value OneHot(const Napi::CallbackInfo& info) {
  return guarded(info, "oneHot", [&]() -> Napi::Value {
    const auto& idx = get(info[0], "oneHot indices");
    int64_t depth = int64(info[1]);
    auto dtype = dtypeNamed(info.Env(), str(info[4]));
    auto range = at::arange(depth, idx.options().dtype(at::kInt));
    auto hit = at::eq(idx.unsqueeze(-1), range);
    auto opts = idx.options().dtype(dtype);
    return handleValue(info.Env(), at::where(hit, at::scalar_tensor(num(info[2]), opts), at::scalar_tensor(num(info[3]), opts)));
  });
}

// randomUniform(shape, seed): uniform [0, 1) float32 on the device, from a generator seeded with `seed` (the
// same numbers for the same seed on one kind of device; the CPU and CUDA streams differ).
Napi::Value RandomUniform(const Napi::CallbackInfo& info) {
  return guarded(info, "randomUniform", [&]() -> Napi::Value {
    auto shape = intsOf(info[0], "randomUniform shape");
    auto seed = static_cast<uint64_t>(num(info[1]));
    auto opts = at::TensorOptions().dtype(at::kFloat).device(currentDevice());
    if (currentDevice().is_cpu()) return handleValue(info.Env(), at::rand(shape, at::make_generator<at::CPUGeneratorImpl>(seed), opts));
    auto gen = at::globalContext().defaultGenerator(currentDevice());
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_current_seed(seed);
    return handleValue(info.Env(), at::rand(shape, gen, opts));
  });
}

// ---- Reductions ----

// reduce(op, x, axes, keepDims, dtype)
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  return guarded(info, "reduce", [&]() -> Napi::Value {
    auto op = str(info[0]);
    const auto& x = get(info[1], "reduce x");
    auto axes = intsOf(info[2], "reduce axes");
    bool keep = info[3].As<Napi::Boolean>().Value();
    auto dtype = dtypeNamed(info.Env(), str(info[4]));
    chooseThreads(x.numel());
    at::Tensor y;
    if (op == "sum") y = at::sum(x, axes, keep);
    else if (op == "mean") y = at::mean(x, axes, keep);
    else if (op == "max") y = at::amax(x, axes, keep);
    else if (op == "min") y = at::amin(x, axes, keep);
    else throw Napi::Error::New(info.Env(), "reduce: unknown op " + op);
    return handleValue(info.Env(), y.scalar_type() == dtype ? y : y.to(dtype));
  });
}

// argMax(x, axis) -> int32
Napi::Value ArgMax(const Napi::CallbackInfo& info) {
  return guarded(info, "argMax", [&]() -> Napi::Value {
    const auto& x = get(info[0], "argMax x");
    return handleValue(info.Env(), at::argmax(x, int64(info[1]), false).to(at::kInt));
  });
}

Napi::Value AddN(const Napi::CallbackInfo& info) {
  return guarded(info, "addN", [&]() -> Napi::Value {
    auto xs = tensorsOf(info[0], "addN x");
    chooseThreads(xs[0].numel() * static_cast<int64_t>(xs.size()));
    if (xs.size() == 1) return handleValue(info.Env(), xs[0].clone());
    auto y = at::add(xs[0], xs[1]);
    for (size_t i = 2; i < xs.size(); i++) y.add_(xs[i]);
    return handleValue(info.Env(), y);
  });
}

// ---- Layout ----

// view(x, shape): the same storage under another shape (no copy).
Napi::Value View(const Napi::CallbackInfo& info) {
  return guarded(info, "view", [&]() -> Napi::Value { return handleValue(info.Env(), get(info[0], "view x").view(intsOf(info[1], "view shape"))); });
}

Napi::Value Transpose(const Napi::CallbackInfo& info) {
  return guarded(info, "transpose", [&]() -> Napi::Value {
    const auto& x = get(info[0], "transpose x");
    chooseThreads(x.numel());
    return handleValue(info.Env(), x.permute(intsOf(info[1], "transpose perm")).contiguous());
  });
}

// stridedSlice(x, begin, end, strides): positive strides (slice(x, begin, size) is strides 1).
Napi::Value StridedSlice(const Napi::CallbackInfo& info) {
  return guarded(info, "stridedSlice", [&]() -> Napi::Value {
    auto v = get(info[0], "slice x");
    auto begin = intsOf(info[1], "slice begin"), end = intsOf(info[2], "slice end"), strides = intsOf(info[3], "slice strides");
    for (size_t d = 0; d < begin.size(); d++) v = v.slice(static_cast<int64_t>(d), begin[d], std::max(begin[d], end[d]), strides[d]);
    chooseThreads(v.numel());
    return handleValue(info.Env(), v.contiguous());
  });
}

// pad(x, before, after, value)
Napi::Value Pad(const Napi::CallbackInfo& info) {
  return guarded(info, "pad", [&]() -> Napi::Value {
    const auto& x = get(info[0], "pad x");
    auto before = intsOf(info[1], "pad before"), after = intsOf(info[2], "pad after");
    Shape pads;  // constant_pad_nd: last dimension first
    for (size_t d = before.size(); d-- > 0;) {
      pads.push_back(before[d]);
      pads.push_back(after[d]);
    }
    chooseThreads(x.numel());
    return handleValue(info.Env(), at::constant_pad_nd(x, pads, num(info[3])));
  });
}

Napi::Value Concat(const Napi::CallbackInfo& info) {
  return guarded(info, "concat", [&]() -> Napi::Value {
    auto xs = tensorsOf(info[0], "concat x");
    int64_t n = 0;
    for (const auto& x : xs) n += x.numel();
    chooseThreads(n);
    return handleValue(info.Env(), at::cat(xs, int64(info[1])));
  });
}

Napi::Value Reverse(const Napi::CallbackInfo& info) {
  return guarded(info, "reverse", [&]() -> Napi::Value { return handleValue(info.Env(), at::flip(get(info[0], "reverse x"), intsOf(info[1], "reverse axes"))); });
}

Napi::Value Tile(const Napi::CallbackInfo& info) {
  return guarded(info, "tile", [&]() -> Napi::Value { return handleValue(info.Env(), get(info[0], "tile x").repeat(intsOf(info[1], "tile reps"))); });
}

// ---- Matrices ----

// matMul(a [B, M, K], b [B, K, N], transposeA, transposeB): batch broadcast as tfjs.
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  return guarded(info, "matMul", [&]() -> Napi::Value {
    auto a = get(info[0], "matMul a");
    auto b = get(info[1], "matMul b");
    if (info[2].As<Napi::Boolean>().Value()) a = a.transpose(-2, -1);
    if (info[3].As<Napi::Boolean>().Value()) b = b.transpose(-2, -1);
    chooseThreads(elementsOf({&a, &b}));
    return handleValue(info.Env(), at::matmul(a, b));
  });
}

Napi::Value Softmax(const Napi::CallbackInfo& info) {
  return guarded(info, "softmax", [&]() -> Napi::Value {
    const auto& x = get(info[0], "softmax x");
    chooseThreads(x.numel());
    return handleValue(info.Env(), at::_softmax(x, int64(info[1]), false));
  });
}

// ---- Convolution ----

namespace {

// A 1x1 convolution with a stride and no padding reads every s-th pixel only: it runs as a stride-1 1x1
// convolution of that strided view (the same numbers, less work). This also keeps away from oneDNN 2.6's
// (libtorch 1.13) backward kernel for strided 1x1 convolutions, which writes past a buffer it allocates itself
// (found with valgrind: heap corruption, then a glibc abort, in FactorizedReduce with 2 to 4 channels).
bool stridedPointwise(const at::Tensor& w, Pair s, Pair p) {
  return w.size(2) == 1 && w.size(3) == 1 && p[0] == 0 && p[1] == 0 && (s[0] > 1 || s[1] > 1);
}

at::Tensor everyStride(const at::Tensor& x, Pair s) {
  return x.slice(2, 0, std::numeric_limits<int64_t>::max(), s[0]).slice(3, 0, std::numeric_limits<int64_t>::max(), s[1]);
}

const Pair kOne{1, 1};
const Pair kZero{0, 0};

// The memory format convolutions run in: channels-last (the stored layout, seen as NCHW without a copy; oneDNN's
// and cuDNN's channels-last kernels) or contiguous NCHW (a copy in and out per convolution, for a device where
// those kernels are faster). Chosen by measurement per device: convFormat(), PVNAS_TORCH_CONV_FORMAT.
bool gContiguousConv = false;

at::Tensor convInput(const at::Tensor& t) { return gContiguousConv ? t.contiguous() : t; }

}  // namespace

Napi::Value ConvFormat(const Napi::CallbackInfo& info) {
  if (info.Length() > 0 && info[0].IsString()) {
    auto f = str(info[0]);
    if (f != "channels-last" && f != "nchw") throw Napi::Error::New(info.Env(), "convFormat: channels-last or nchw, not " + f);
    gContiguousConv = f == "nchw";
  }
  return Napi::String::New(info.Env(), gContiguousConv ? "nchw" : "channels-last");
}

// conv2d(x, w, stride, [top, bottom, left, right], dilation, groups)
Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  return guarded(info, "conv2d", [&]() -> Napi::Value {
    auto x = convInput(nchw(get(info[0], "conv2d x")));
    auto w = convInput(oihw(get(info[1], "conv2d w")));
    auto s = pairOf(info[2], "conv2d stride");
    auto pads = intsOf(info[3], "conv2d pad");
    auto d = pairOf(info[4], "conv2d dilation");
    int64_t g = int64(info[5]);
    chooseThreads(elementsOf({&x, &w}));
    Pair p{pads[0], pads[2]};
    if (pads[0] != pads[1] || pads[2] != pads[3]) {  // tfjs 'same' with an even window: pad explicitly
      x = at::constant_pad_nd(x, {pads[2], pads[3], pads[0], pads[1]}, 0);
      p = kZero;
    }
    at::Tensor y = stridedPointwise(w, s, p) ? at::conv2d(everyStride(x, s), w, {}, kOne, kZero, d, g) : at::conv2d(x, w, {}, s, p, d, g);
    return handleValue(info.Env(), nhwc(y));
  });
}

// conv2dBackward(dy, x, w, stride, pad, dilation, groups, wantDx, wantDw) -> [dx | -1, dw | -1]
Napi::Value Conv2dBackward(const Napi::CallbackInfo& info) {
  return guarded(info, "conv2dBackward", [&]() -> Napi::Value {
    auto dy = convInput(nchw(get(info[0], "conv2d dy")));
    auto x = convInput(nchw(get(info[1], "conv2d x")));
    auto w = convInput(oihw(get(info[2], "conv2d w")));
    auto s = pairOf(info[3], "conv2d stride"), p = pairOf(info[4], "conv2d pad"), d = pairOf(info[5], "conv2d dilation");
    int64_t g = int64(info[6]);
    bool wantDx = info[7].As<Napi::Boolean>().Value(), wantDw = info[8].As<Napi::Boolean>().Value();
    chooseThreads(elementsOf({&dy, &x}));
    std::array<bool, 3> mask{wantDx, wantDw, false};
    at::Tensor dx, dw;
    if (stridedPointwise(w, s, p)) {
      auto grads = at::convolution_backward(dy, everyStride(x, s), w, PVNAS_NULLOPT, kOne, kZero, d, false, kZero, g, mask);
      if (wantDx) {
        dx = at::zeros_like(x);
        everyStride(dx, s).copy_(std::get<0>(grads));
      }
      dw = std::get<1>(grads);
    } else {
      auto grads = at::convolution_backward(dy, x, w, PVNAS_NULLOPT, s, p, d, false, kZero, g, mask);
      dx = std::get<0>(grads);
      dw = std::get<1>(grads);
    }
    return handles(info.Env(), {wantDx ? nhwc(dx) : at::Tensor(), wantDw ? hwio(dw) : at::Tensor()});
  });
}

// ---- Pooling ----

// pool(kind, x, kernel, stride, [top, bottom, left, right]): "avg" leaves padding out of the average, "max"
// pads with -inf.
Napi::Value Pool(const Napi::CallbackInfo& info) {
  return guarded(info, "pool", [&]() -> Napi::Value {
    bool avg = str(info[0]) == "avg";
    auto x = nchw(get(info[1], "pool x"));
    auto k = pairOf(info[2], "pool kernel"), s = pairOf(info[3], "pool stride");
    auto pads = intsOf(info[4], "pool pad");
    chooseThreads(x.numel());
    bool symmetric = pads[0] == pads[1] && pads[2] == pads[3] && 2 * pads[0] <= k[0] && 2 * pads[2] <= k[1];
    at::Tensor y;
    if (symmetric) {
      Pair p{pads[0], pads[2]};
      y = avg ? at::avg_pool2d(x, k, s, p, false, false) : at::max_pool2d(x, k, s, p, kOne, false);
    } else if (avg) {  // sum over the zero-padded window / count of real pixels in it
      Shape padList{pads[2], pads[3], pads[0], pads[1]};
      auto ones = at::ones({1, 1, x.size(2), x.size(3)}, x.options());
      y = at::avg_pool2d(at::constant_pad_nd(x, padList, 0), k, s, kZero, false, true) /
          at::avg_pool2d(at::constant_pad_nd(ones, padList, 0), k, s, kZero, false, true);
    } else {
      y = at::max_pool2d(at::constant_pad_nd(x, {pads[2], pads[3], pads[0], pads[1]}, -std::numeric_limits<double>::infinity()), k, s, kZero, kOne, false);
    }
    return handleValue(info.Env(), nhwc(y));
  });
}

// poolBackward(kind, dy, x, kernel, stride, pad): symmetric PyTorch padding. A max window's gradient goes to
// its first arg-max (scan order, as PyTorch), never split or lost on ties.
Napi::Value PoolBackward(const Napi::CallbackInfo& info) {
  return guarded(info, "poolBackward", [&]() -> Napi::Value {
    bool avg = str(info[0]) == "avg";
    auto dy = nchw(get(info[1], "pool dy"));
    auto x = nchw(get(info[2], "pool x"));
    auto k = pairOf(info[3], "pool kernel"), s = pairOf(info[4], "pool stride"), p = pairOf(info[5], "pool pad");
    chooseThreads(elementsOf({&dy, &x}));
    at::Tensor dx;
    if (avg) {
      dx = at::avg_pool2d_backward(dy, x, k, s, p, false, false, PVNAS_NULLOPT);
    } else {
      auto indices = std::get<1>(at::max_pool2d_with_indices(x, k, s, p, kOne, false));
      dx = at::max_pool2d_with_indices_backward(dy, x, k, s, p, kOne, false, indices);
    }
    return handleValue(info.Env(), nhwc(dx));
  });
}

// ---- Batch norm ----

namespace {

// A [rows, channels] tensor as NCHW [1, channels, rows, 1] with channels-last strides: ATen's batch norm then
// takes its vectorised channels-last kernels (a plain [rows, channels] input walks each channel with stride
// `channels`, several times slower).
at::Tensor rowsAsImage(const at::Tensor& x) { return x.view({1, x.size(0), 1, x.size(1)}).permute({0, 3, 1, 2}); }
at::Tensor imageAsRows(const at::Tensor& y) { return y.permute({0, 2, 3, 1}).reshape({y.size(2), y.size(1)}); }

c10::optional<at::Tensor> optionalTensor(const Napi::Value& v, const char* what) {
  if (absent(v)) return PVNAS_NULLOPT;
  return get(v, what);
}

}  // namespace

// batchNorm(x [P, C], gamma | null, beta | null, eps) -> [y, mean, invstd]: training mode, over the rows.
Napi::Value BatchNorm(const Napi::CallbackInfo& info) {
  return guarded(info, "batchNorm", [&]() -> Napi::Value {
    const auto& x = get(info[0], "batchNorm x");
    auto gamma = optionalTensor(info[1], "batchNorm gamma");
    auto beta = optionalTensor(info[2], "batchNorm beta");
    chooseThreads(x.numel());
    auto out = at::native_batch_norm(rowsAsImage(x), gamma, beta, PVNAS_NULLOPT, PVNAS_NULLOPT, true, 0.0, num(info[3]));
    return handles(info.Env(), {imageAsRows(std::get<0>(out)), std::get<1>(out), std::get<2>(out)});
  });
}

// batchNormBackward(dy, x, mean, invstd, gamma | null, eps) -> [dx, dgamma | -1, dbeta | -1]
Napi::Value BatchNormBackward(const Napi::CallbackInfo& info) {
  return guarded(info, "batchNormBackward", [&]() -> Napi::Value {
    const auto& dy = get(info[0], "batchNorm dy");
    const auto& x = get(info[1], "batchNorm x");
    const auto& mean = get(info[2], "batchNorm mean");
    const auto& invstd = get(info[3], "batchNorm invstd");
    auto gamma = optionalTensor(info[4], "batchNorm gamma");
    bool affine = gamma.has_value();
    chooseThreads(elementsOf({&dy, &x}));
    auto g = at::native_batch_norm_backward(rowsAsImage(dy), rowsAsImage(x), gamma, PVNAS_NULLOPT, PVNAS_NULLOPT, mean, invstd, true, num(info[5]),
                                            {true, affine, affine});
    return handles(info.Env(), {imageAsRows(std::get<0>(g)), affine ? std::get<1>(g) : at::Tensor(), affine ? std::get<2>(g) : at::Tensor()});
  });
}

// normalize(x [..., C], mean, variance, offset | null, scale | null, eps): inference batch norm (tfjs FusedBatchNorm).
Napi::Value Normalize(const Napi::CallbackInfo& info) {
  return guarded(info, "normalize", [&]() -> Napi::Value {
    const auto& x = get(info[0], "normalize x");
    const auto& mean = get(info[1], "normalize mean");
    const auto& var = get(info[2], "normalize variance");
    chooseThreads(x.numel());
    auto y = at::mul(at::sub(x, mean), at::rsqrt(at::add(var, num(info[5]))));
    if (!absent(info[4])) y.mul_(get(info[4], "normalize scale"));
    if (!absent(info[3])) y.add_(get(info[3], "normalize offset"));
    return handleValue(info.Env(), y);
  });
}

// ---- A mixed edge ----

// weightedSum(ys[], w [numOps], indices[]): sum_k w[indices[k]] * ys[k]. The weights stay on the device.
Napi::Value WeightedSum(const Napi::CallbackInfo& info) {
  return guarded(info, "weightedSum", [&]() -> Napi::Value {
    auto ys = tensorsOf(info[0], "weightedSum y");
    const auto& w = get(info[1], "weightedSum w");
    auto idx = intsOf(info[2], "weightedSum indices");
    chooseThreads(ys[0].numel() * static_cast<int64_t>(ys.size()));
    auto y = at::mul(ys[0], w.select(0, idx[0]));
    for (size_t k = 1; k < ys.size(); k++) y.addcmul_(ys[k], w.select(0, idx[k]));
    return handleValue(info.Env(), y);
  });
}

// weightedSumBackward(dy, ys[], w, indices[]) -> [dw, dys...]: dys[k] = w[indices[k]] dy, dw[indices[k]] = <dy, ys[k]>.
Napi::Value WeightedSumBackward(const Napi::CallbackInfo& info) {
  return guarded(info, "weightedSumBackward", [&]() -> Napi::Value {
    const auto& dy = get(info[0], "weightedSum dy");
    auto ys = tensorsOf(info[1], "weightedSum y");
    const auto& w = get(info[2], "weightedSum w");
    auto idx = intsOf(info[3], "weightedSum indices");
    chooseThreads(dy.numel() * static_cast<int64_t>(ys.size()));
    auto flat = dy.reshape({-1});
    auto dw = at::zeros_like(w);
    auto out = Napi::Array::New(info.Env());
    for (size_t k = 0; k < ys.size(); k++) {
      dw.select(0, idx[k]).add_(at::dot(flat, ys[k].reshape({-1})));
      out.Set(static_cast<uint32_t>(k + 1), Napi::Number::New(info.Env(), put(at::mul(dy, w.select(0, idx[k])))));
    }
    out.Set(0u, Napi::Number::New(info.Env(), put(dw)));
    return out;
  });
}

void registerKernels(Napi::Env env, Napi::Object exports) {
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("cast", Napi::Function::New(env, Cast));
  exports.Set("where", Napi::Function::New(env, Where));
  exports.Set("fill", Napi::Function::New(env, Fill));
  exports.Set("oneHot", Napi::Function::New(env, OneHot));
  exports.Set("randomUniform", Napi::Function::New(env, RandomUniform));
  exports.Set("reduce", Napi::Function::New(env, Reduce));
  exports.Set("argMax", Napi::Function::New(env, ArgMax));
  exports.Set("addN", Napi::Function::New(env, AddN));
  exports.Set("view", Napi::Function::New(env, View));
  exports.Set("transpose", Napi::Function::New(env, Transpose));
  exports.Set("stridedSlice", Napi::Function::New(env, StridedSlice));
  exports.Set("pad", Napi::Function::New(env, Pad));
  exports.Set("concat", Napi::Function::New(env, Concat));
  exports.Set("reverse", Napi::Function::New(env, Reverse));
  exports.Set("tile", Napi::Function::New(env, Tile));
  exports.Set("matMul", Napi::Function::New(env, MatMul));
  exports.Set("softmax", Napi::Function::New(env, Softmax));
  exports.Set("convFormat", Napi::Function::New(env, ConvFormat));
  exports.Set("conv2d", Napi::Function::New(env, Conv2d));
  exports.Set("conv2dBackward", Napi::Function::New(env, Conv2dBackward));
  exports.Set("pool", Napi::Function::New(env, Pool));
  exports.Set("poolBackward", Napi::Function::New(env, PoolBackward));
  exports.Set("batchNorm", Napi::Function::New(env, BatchNorm));
  exports.Set("batchNormBackward", Napi::Function::New(env, BatchNormBackward));
  exports.Set("normalize", Napi::Function::New(env, Normalize));
  exports.Set("weightedSum", Napi::Function::New(env, WeightedSum));
  exports.Set("weightedSumBackward", Napi::Function::New(env, WeightedSumBackward));
}

}  // namespace pvnas
