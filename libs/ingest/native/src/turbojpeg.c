/*
 * pvnas_turbojpeg: decodes the frame cache's JPEGs with libjpeg-turbo's TurboJPEG API, synchronously in the
 * calling thread (no libuv hop), into a fresh Node Buffer of packed RGB; and encodes them for a cache build.
 *
 *   decode(jpeg: Uint8Array) -> { data: Buffer, width, height } | undefined
 *   encode(rgb: Uint8Array, width, height, quality, bgr?) -> Buffer   (baseline JPEG, 4:2:0, accurate DCT, as sharp's;
 *     `bgr`: the pixels are in B, G, R order)
 *
 * undefined: not a 3-component colour JPEG (greyscale, CMYK); the caller decodes those another way.
 * Throws on anything libjpeg reports, warnings included (a truncated or corrupt stream), so that the caller's
 * fallback (sharp) decides and words the error as it always did.
 * Flags: accurate integer IDCT and fancy upsampling, libjpeg's defaults, as sharp/libvips decode: equal pixels.
 * One decompress and one compress tjhandle per thread (per N-API environment: the main thread and each worker
 * get their own).
 */
#include <node_api.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <turbojpeg.h>

typedef struct {
  tjhandle decompress;
  tjhandle compress;
} handles_t;

static void destroy_handles(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  handles_t *h = (handles_t *)data;
  if (!h) return;
  if (h->decompress) tjDestroy(h->decompress);
  if (h->compress) tjDestroy(h->compress);
  free(h);
}

/* This thread's handles, created on first use; NULL (with an exception pending) when that fails. */
static handles_t *handles(napi_env env) {
  handles_t *h = NULL;
  if (napi_get_instance_data(env, (void **)&h) != napi_ok) return NULL;
  if (h) return h;
  h = (handles_t *)calloc(1, sizeof(handles_t));
  if (!h || napi_set_instance_data(env, h, destroy_handles, NULL) != napi_ok) {
    free(h);
    napi_throw_error(env, NULL, "pvnas_turbojpeg: could not keep per-thread handles");
    return NULL;
  }
  return h;
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

  handles_t *hs = handles(env);
  if (!hs) return NULL;
  if (!hs->decompress && !(hs->decompress = tjInitDecompress())) return fail(env, "tjInitDecompress failed");
  tjhandle handle = hs->decompress;

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

static napi_value encode(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4) return fail(env, "encode(rgb, width, height, quality): missing arguments");
  bool is_typed = false;
  napi_typedarray_type type;
  size_t length;
  void *src;
  if (napi_is_typedarray(env, argv[0], &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, argv[0], &type, &length, &src, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    return fail(env, "encode(rgb, ...): expected a Uint8Array");
  }
  int32_t width = 0, height = 0, quality = 0;
  if (napi_get_value_int32(env, argv[1], &width) != napi_ok || napi_get_value_int32(env, argv[2], &height) != napi_ok ||
      napi_get_value_int32(env, argv[3], &quality) != napi_ok) {
    return fail(env, "encode(rgb, width, height, quality): width, height and quality must be integers");
  }
  if (width <= 0 || height <= 0 || (uint64_t)width * (uint64_t)height > (uint64_t)1 << 28) return fail(env, "encode: unreasonable dimensions");
  if (length != (size_t)width * (size_t)height * 3) return fail(env, "encode: rgb must hold width x height x 3 bytes");
  if (quality < 1 || quality > 100) return fail(env, "encode: quality must be 1..100");
  bool bgr = false;
  napi_valuetype bgrType = napi_undefined;
  if (argc > 4 && napi_typeof(env, argv[4], &bgrType) == napi_ok && bgrType == napi_boolean) napi_get_value_bool(env, argv[4], &bgr);

  handles_t *h = handles(env);
  if (!h) return NULL;
  if (!h->compress && !(h->compress = tjInitCompress())) return fail(env, "tjInitCompress failed");
  unsigned char *jpeg = NULL;
  unsigned long size = 0;
  if (tjCompress2(h->compress, (const unsigned char *)src, width, 0, height, bgr ? TJPF_BGR : TJPF_RGB, &jpeg, &size, TJSAMP_420, quality, TJFLAG_ACCURATEDCT) != 0) {
    if (jpeg) tjFree(jpeg);
    return fail(env, tjGetErrorStr2(h->compress));
  }
  napi_value buffer;
  napi_status st = napi_create_buffer_copy(env, size, jpeg, NULL, &buffer);
  tjFree(jpeg);
  if (st != napi_ok) return fail(env, "encode: out of memory");
  return buffer;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "decode", NAPI_AUTO_LENGTH, decode, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "decode", fn) != napi_ok) return NULL;
  if (napi_create_function(env, "encode", NAPI_AUTO_LENGTH, encode, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "encode", fn) != napi_ok) return NULL;
  return exports;
}
