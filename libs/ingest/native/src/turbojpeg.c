/*
 * pvnas_turbojpeg: decodes the frame cache's JPEGs with libjpeg-turbo's TurboJPEG API, synchronously in the
 * calling thread (no libuv hop), into a fresh Node Buffer of packed RGB.
 *
 *   decode(jpeg: Uint8Array) -> { data: Buffer, width, height } | undefined
 *
 * undefined: not a 3-component colour JPEG (greyscale, CMYK); the caller decodes those another way.
 * Throws on anything libjpeg reports, warnings included (a truncated or corrupt stream), so that the caller's
 * fallback (sharp) decides and words the error as it always did.
 * Flags: accurate integer IDCT and fancy upsampling, libjpeg's defaults, as sharp/libvips decode: equal pixels.
 * One tjhandle per thread (per N-API environment: the main thread and each worker get their own).
 */
#include <node_api.h>
#include <limits.h>
#include <stdint.h>
#include <turbojpeg.h>

static void destroy_handle(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  if (data) tjDestroy((tjhandle)data);
}

static napi_value fail(napi_env env, const char *msg) {
  napi_throw_error(env, NULL, msg);
  return NULL;
}

static napi_value decode(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return fail(env, "decode(jpeg): missing argument");
  bool is_typed = false;
  if (napi_is_typedarray(env, argv[0], &is_typed) != napi_ok || !is_typed) return fail(env, "decode(jpeg): expected a Uint8Array");
  napi_typedarray_type type;
  size_t length;
  void *src;
  if (napi_get_typedarray_info(env, argv[0], &type, &length, &src, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    return fail(env, "decode(jpeg): expected a Uint8Array");
  }
  if (length == 0 || length > (size_t)ULONG_MAX) return fail(env, "decode(jpeg): empty or oversized input");

  tjhandle handle = NULL;
  if (napi_get_instance_data(env, (void **)&handle) != napi_ok) return fail(env, "napi_get_instance_data failed");
  if (!handle) {
    handle = tjInitDecompress();
    if (!handle) return fail(env, "tjInitDecompress failed");
    if (napi_set_instance_data(env, handle, destroy_handle, NULL) != napi_ok) {
      tjDestroy(handle);
      return fail(env, "napi_set_instance_data failed");
    }
  }

  int width = 0, height = 0, subsamp = 0, colorspace = 0;
  if (tjDecompressHeader3(handle, (const unsigned char *)src, (unsigned long)length, &width, &height, &subsamp, &colorspace) != 0) {
    return fail(env, tjGetErrorStr2(handle));
  }
  if (colorspace != TJCS_YCbCr && colorspace != TJCS_RGB) {
    napi_value undef;
    napi_get_undefined(env, &undef);
    return undef;
  }
  if (width <= 0 || height <= 0 || (uint64_t)width * (uint64_t)height > (uint64_t)1 << 28) return fail(env, "decode(jpeg): unreasonable dimensions");

  void *dst = NULL;
  napi_value buffer;
  if (napi_create_buffer(env, (size_t)width * (size_t)height * 3, &dst, &buffer) != napi_ok) return fail(env, "decode(jpeg): out of memory");
  if (tjDecompress2(handle, (const unsigned char *)src, (unsigned long)length, (unsigned char *)dst, width, 0, height, TJPF_RGB,
                    TJFLAG_ACCURATEDCT | TJFLAG_STOPONWARNING) != 0) {
    return fail(env, tjGetErrorStr2(handle));
  }

  napi_value result, w, h;
  if (napi_create_object(env, &result) != napi_ok || napi_create_int32(env, width, &w) != napi_ok || napi_create_int32(env, height, &h) != napi_ok ||
      napi_set_named_property(env, result, "data", buffer) != napi_ok || napi_set_named_property(env, result, "width", w) != napi_ok ||
      napi_set_named_property(env, result, "height", h) != napi_ok) {
    return fail(env, "decode(jpeg): could not build the result");
  }
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "decode", NAPI_AUTO_LENGTH, decode, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "decode", fn) != napi_ok) return NULL;
  return exports;
}
