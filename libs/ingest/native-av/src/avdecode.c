/*
 * pvnas_avdecode: probing and frame-exact decoding in process with the system's libavformat/libavcodec/libswscale, for
 * the loader's and the cache builder's workers (synchronous, in the calling thread: each worker thread does its own
 * files). The video stream is always the file's first one (ffmpeg's `-map 0:v:0`).
 *
 *   probe(path) -> { format, startUs, durationUs, video: {...} | null, pts, dts: Float64Array, flags: Uint8Array,
 *                    readError, log }
 *     The container's facts as ffmpeg's header prints them, and one entry per packet of the video stream (pts/dts in
 *     stream ticks, NaN when absent; AV_PKT_FLAG_* bits), read without decoding. `log` holds the warnings and errors
 *     libav logged while reading the packets; `readError` the error that ended reading early (null at end of file).
 *
 *   decodePts(path, wantedPts, seekSeconds, width, height, { threads, onFrame, hwaccel, bgr })
 *     -> { data: Buffer | null, found: boolean[], decoded: number }
 *     Frames are named by their timestamp as stored in the file (best_effort_timestamp, what ffmpeg -copyts shows):
 *     frame k of the result is the one whose pts equals wantedPts[k] (ascending, distinct). `seekSeconds` (seconds
 *     from the container start, as ffmpeg's -ss) seeks to the keyframe at or before that point (avformat_seek_file,
 *     as ffmpeg does); null decodes from the start. Decoding stops after the last wanted pts; packets that fail to
 *     decode are skipped (a damaged GOP), so a frame that never comes out is just not `found`: the caller retries
 *     further back or falls back. Scaling: swscale bilinear to width x height, RGB24 (BGR24 with `bgr`: swscale has
 *     SIMD for that output and not for RGB24, half the cost; the cache build takes it, as its JPEG encoder does).
 *     Without `onFrame` (null) every frame lands in `data` (zeros where missing). With it, each wanted frame is passed
 *     as it is decoded, `onFrame(rgb: Buffer, k)`, in a fresh buffer, and `data` is null: a whole video never has to
 *     be held (the cache build).
 *     `hwaccel` (null, or a libavutil device type such as "cuda") decodes on that device (NVDEC for "cuda") where
 *     the codec supports it, and copies the frames back for scaling.
 *
 *   openDevice(type) -> true: opens and closes a hardware device (the check before a `--hwaccel` cache build).
 *
 * Errors: an Error naming the step that failed (open, stream info, no video stream, codec, device) with libav's
 * message. libav's own log lines never reach stderr.
 */
#include <node_api.h>
#include <math.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/error.h>
#include <libavutil/hwcontext.h>
#include <libswscale/swscale.h>

/* ---- libav's log, captured per thread while a probe reads packets ---- */

static _Thread_local char *log_buf = NULL;
static _Thread_local size_t log_len = 0, log_cap = 0;
static _Thread_local int log_on = 0;

static void log_callback(void *avcl, int level, const char *fmt, va_list vl) {
  if (!log_on || level > AV_LOG_WARNING) return;
  char line[1024];
  int prefix = 1;
  av_log_format_line2(avcl, level, fmt, vl, line, sizeof line, &prefix);
  size_t n = strlen(line);
  if (log_len + n + 1 > log_cap) {
    size_t cap = (log_len + n + 1) * 2;
    char *grown = realloc(log_buf, cap);
    if (!grown) return;
    log_buf = grown;
    log_cap = cap;
  }
  memcpy(log_buf + log_len, line, n + 1);
  log_len += n;
}

static void log_start(void) {
  log_len = 0;
  if (log_buf) log_buf[0] = 0;
  log_on = 1;
}

static void log_stop(void) { log_on = 0; }

/* ---- helpers ---- */

static napi_value throw_av(napi_env env, const char *step, int err) {
  char msg[AV_ERROR_MAX_STRING_SIZE + 512];
  char av[AV_ERROR_MAX_STRING_SIZE] = "";
  if (err) av_strerror(err, av, sizeof av);
  snprintf(msg, sizeof msg, "%s%s%s", step, err ? ": " : "", av);
  napi_throw_error(env, NULL, msg);
  return NULL;
}

static char *get_string(napi_env env, napi_value v) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t != napi_string) return NULL;
  size_t len = 0;
  napi_get_value_string_utf8(env, v, NULL, 0, &len);
  char *s = malloc(len + 1);
  napi_get_value_string_utf8(env, v, s, len + 1, &len);
  return s;
}

static int first_video_stream(const AVFormatContext *fmt) {
  for (unsigned s = 0; s < fmt->nb_streams; s++)
    if (fmt->streams[s]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO) return (int)s;
  return -1;
}

static napi_value num(napi_env env, double d) {
  napi_value v;
  napi_create_double(env, d, &v);
  return v;
}

static napi_value rational(napi_env env, AVRational q) {
  napi_value a;
  napi_create_array_with_length(env, 2, &a);
  napi_set_element(env, a, 0, num(env, q.num));
  napi_set_element(env, a, 1, num(env, q.den));
  return a;
}

static napi_value str_or_null(napi_env env, const char *s) {
  napi_value v;
  if (s) napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  else napi_get_null(env, &v);
  return v;
}

static double ts_or_nan(int64_t t) { return t == AV_NOPTS_VALUE ? NAN : (double)t; }

/* ---- probe ---- */

typedef struct {
  double *pts, *dts;
  uint8_t *flags;
  size_t n, cap;
} packets_t;

static int packets_push(packets_t *p, const AVPacket *pkt) {
  if (p->n == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 1024;
    double *pts = realloc(p->pts, cap * sizeof(double));
    if (pts) p->pts = pts;
    double *dts = realloc(p->dts, cap * sizeof(double));
    if (dts) p->dts = dts;
    uint8_t *flags = realloc(p->flags, cap);
    if (flags) p->flags = flags;
    if (!pts || !dts || !flags) return AVERROR(ENOMEM);
    p->cap = cap;
  }
  p->pts[p->n] = ts_or_nan(pkt->pts);
  p->dts[p->n] = ts_or_nan(pkt->dts);
  p->flags[p->n] = (uint8_t)pkt->flags;
  p->n++;
  return 0;
}

static napi_value typed(napi_env env, napi_typedarray_type type, const void *src, size_t n, size_t elem) {
  void *data = NULL;
  napi_value buf, arr;
  napi_create_arraybuffer(env, n * elem, &data, &buf);
  if (n) memcpy(data, src, n * elem);
  napi_create_typedarray(env, type, n, buf, 0, &arr);
  return arr;
}

static napi_value video_facts(napi_env env, const AVStream *st) {
  const AVCodecParameters *par = st->codecpar;
  napi_value v;
  napi_create_object(env, &v);
  napi_set_named_property(env, v, "index", num(env, st->index));
  napi_set_named_property(env, v, "codec", str_or_null(env, avcodec_get_name(par->codec_id)));
  napi_set_named_property(env, v, "width", num(env, par->width));
  napi_set_named_property(env, v, "height", num(env, par->height));
  napi_set_named_property(env, v, "avgFrameRate", rational(env, st->avg_frame_rate));
  napi_set_named_property(env, v, "rFrameRate", rational(env, st->r_frame_rate));
  napi_set_named_property(env, v, "timeBase", rational(env, st->time_base));
  const AVDictionaryEntry *rotate = av_dict_get(st->metadata, "rotate", NULL, 0);
  napi_set_named_property(env, v, "rotateTag", str_or_null(env, rotate ? rotate->value : NULL));
  const int32_t *matrix = (const int32_t *)av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, NULL);
  napi_set_named_property(env, v, "matrixRotation", matrix ? num(env, av_display_rotation_get(matrix)) : str_or_null(env, NULL));
  napi_value pic;
  napi_get_boolean(env, (st->disposition & AV_DISPOSITION_ATTACHED_PIC) != 0, &pic);
  napi_set_named_property(env, v, "attachedPic", pic);
  return v;
}

static napi_value Probe(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char *path = argc >= 1 ? get_string(env, argv[0]) : NULL;
  if (!path) return throw_av(env, "probe: expected a path", 0);
  AVFormatContext *fmt = NULL;
  int err = avformat_open_input(&fmt, path, NULL, NULL);
  free(path);
  if (err < 0) return throw_av(env, "cannot open the file", err);
  if ((err = avformat_find_stream_info(fmt, NULL)) < 0) {
    avformat_close_input(&fmt);
    return throw_av(env, "cannot read the stream info", err);
  }
  int si = first_video_stream(fmt);
  napi_value result;
  napi_create_object(env, &result);
  napi_set_named_property(env, result, "format", str_or_null(env, fmt->iformat->name));
  napi_set_named_property(env, result, "startUs", num(env, ts_or_nan(fmt->start_time)));
  napi_set_named_property(env, result, "durationUs", num(env, ts_or_nan(fmt->duration)));
  napi_set_named_property(env, result, "video", si >= 0 ? video_facts(env, fmt->streams[si]) : str_or_null(env, NULL));

  packets_t p = {0};
  const char *readError = NULL;
  char errbuf[AV_ERROR_MAX_STRING_SIZE] = "";
  if (si >= 0) {
    for (unsigned s = 0; s < fmt->nb_streams; s++)
      if ((int)s != si) fmt->streams[s]->discard = AVDISCARD_ALL;
    AVPacket *pkt = av_packet_alloc();
    log_start();
    while (pkt) {
      int r = av_read_frame(fmt, pkt);
      if (r < 0) {
        if (r != AVERROR_EOF) readError = av_make_error_string(errbuf, sizeof errbuf, r);
        break;
      }
      if (pkt->stream_index == si && packets_push(&p, pkt) < 0) readError = "out of memory";
      av_packet_unref(pkt);
      if (readError) break;
    }
    log_stop();
    av_packet_free(&pkt);
  }
  napi_set_named_property(env, result, "pts", typed(env, napi_float64_array, p.pts, p.n, sizeof(double)));
  napi_set_named_property(env, result, "dts", typed(env, napi_float64_array, p.dts, p.n, sizeof(double)));
  napi_set_named_property(env, result, "flags", typed(env, napi_uint8_array, p.flags, p.n, 1));
  napi_set_named_property(env, result, "readError", str_or_null(env, readError));
  napi_set_named_property(env, result, "log", str_or_null(env, si >= 0 && log_len ? log_buf : ""));
  free(p.pts);
  free(p.dts);
  free(p.flags);
  avformat_close_input(&fmt);
  return result;
}

/* ---- decodePts ---- */

typedef struct {
  AVFormatContext *fmt;
  AVCodecContext *ctx;
  AVPacket *pkt;
  AVFrame *frame;
  AVFrame *sw;  /* a hardware frame copied to memory */
  AVBufferRef *hwdev;
  enum AVPixelFormat hwfmt;
  struct SwsContext *sws;
  int64_t *want;
  uint32_t n;
  int width, height;
  enum AVPixelFormat outfmt;
  uint8_t *out;  /* all frames (no onFrame) */
  int *found;
  int left;
  napi_env env;
  napi_value onFrame;  /* or NULL */
  int failed;          /* onFrame threw */
} job_t;

static void job_free(job_t *j) {
  sws_freeContext(j->sws);
  av_frame_free(&j->frame);
  av_frame_free(&j->sw);
  av_packet_free(&j->pkt);
  avcodec_free_context(&j->ctx);
  av_buffer_unref(&j->hwdev);
  avformat_close_input(&j->fmt);
  free(j->want);
  free(j->found);
}

static enum AVPixelFormat pick_hw_format(AVCodecContext *ctx, const enum AVPixelFormat *fmts) {
  const job_t *j = ctx->opaque;
  for (const enum AVPixelFormat *f = fmts; *f != AV_PIX_FMT_NONE; f++)
    if (*f == j->hwfmt) return *f;
  return fmts[0];  // this stream cannot be decoded on the device (profile, size): in software
}

/* Sets up decoding on a `hw` device. Returns NULL, or the failed step for the error message. */
static const char *use_hwaccel(job_t *j, const AVCodec *codec, const char *hw, int *err) {
  enum AVHWDeviceType type = av_hwdevice_find_type_by_name(hw);
  if (type == AV_HWDEVICE_TYPE_NONE) return "this libavutil knows no such hardware device type";
  for (int i = 0;; i++) {
    const AVCodecHWConfig *cfg = avcodec_get_hw_config(codec, i);
    if (!cfg) return "the video's decoder cannot use this device type in this libavcodec";
    if ((cfg->methods & AV_CODEC_HW_CONFIG_METHOD_HW_DEVICE_CTX) && cfg->device_type == type) {
      j->hwfmt = cfg->pix_fmt;
      break;
    }
  }
  if ((*err = av_hwdevice_ctx_create(&j->hwdev, type, NULL, NULL, 0)) < 0) return "cannot open the device";
  j->ctx->hw_device_ctx = av_buffer_ref(j->hwdev);
  j->ctx->opaque = j;
  j->ctx->get_format = pick_hw_format;
  j->sw = av_frame_alloc();
  return NULL;
}

/* Scales `f` into frame slot `k` (or a fresh buffer passed to onFrame). Returns 0, or -1 when it failed. */
static int deliver(job_t *j, const AVFrame *f, uint32_t k) {
  if (j->hwdev && f->format == j->hwfmt) {
    av_frame_unref(j->sw);
    if (av_hwframe_transfer_data(j->sw, f, 0) < 0) return -1;
    f = j->sw;
  }
  j->sws = sws_getCachedContext(j->sws, f->width, f->height, f->format, j->width, j->height, j->outfmt, SWS_BILINEAR, NULL, NULL, NULL);
  if (!j->sws) return -1;
  size_t bytes = (size_t)j->width * j->height * 3;
  uint8_t *dst0 = j->out ? j->out + (size_t)k * bytes : NULL;
  napi_value buf = NULL;
  if (!dst0 && napi_create_buffer(j->env, bytes, (void **)&dst0, &buf) != napi_ok) return -1;
  uint8_t *dst[4] = {dst0, NULL, NULL, NULL};
  int stride[4] = {j->width * 3, 0, 0, 0};
  sws_scale(j->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, dst, stride);
  if (buf) {
    napi_value global, args[2], ret;
    napi_get_global(j->env, &global);
    args[0] = buf;
    napi_create_uint32(j->env, k, &args[1]);
    if (napi_call_function(j->env, global, j->onFrame, 2, args, &ret) != napi_ok) {
      j->failed = 1;
      return -1;
    }
  }
  return 0;
}

/* Takes `f` when its pts is wanted. Returns 1 when decoding can stop (the last wanted pts passed, or a failure). */
static int take(job_t *j, const AVFrame *f) {
  int64_t pts = f->best_effort_timestamp;
  if (pts == AV_NOPTS_VALUE) return 0;
  for (uint32_t k = 0; k < j->n; k++) {
    if (j->want[k] != pts || j->found[k]) continue;
    if (deliver(j, f, k) < 0) return j->failed;  // a frame that cannot be converted stays missing
    j->found[k] = 1;
    j->left--;
  }
  return pts >= j->want[j->n - 1];
}

/* The named property of an options object, or NULL when absent (undefined or null). */
static napi_value option(napi_env env, napi_value opts, const char *name, napi_valuetype want) {
  napi_valuetype t;
  napi_value v;
  if (napi_typeof(env, opts, &t) != napi_ok || t != napi_object) return NULL;
  if (napi_get_named_property(env, opts, name, &v) != napi_ok || napi_typeof(env, v, &t) != napi_ok || t != want) return NULL;
  return v;
}

static napi_value DecodePts(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 5) return throw_av(env, "decodePts: expected 5 or 6 arguments", 0);
  job_t j = {0};
  j.env = env;
  j.outfmt = AV_PIX_FMT_RGB24;
  char *path = get_string(env, argv[0]);
  napi_get_array_length(env, argv[1], &j.n);
  napi_valuetype seekType;
  napi_typeof(env, argv[2], &seekType);
  double seek = 0;
  if (seekType == napi_number) napi_get_value_double(env, argv[2], &seek);
  int32_t threads = 1;
  napi_get_value_int32(env, argv[3], &j.width);
  napi_get_value_int32(env, argv[4], &j.height);
  napi_value opts = argc > 5 ? argv[5] : NULL, v;
  if (opts && (v = option(env, opts, "threads", napi_number))) napi_get_value_int32(env, v, &threads);
  if (opts) j.onFrame = option(env, opts, "onFrame", napi_function);
  char *hw = opts && (v = option(env, opts, "hwaccel", napi_string)) ? get_string(env, v) : NULL;
  bool bgr = false;
  if (opts && (v = option(env, opts, "bgr", napi_boolean))) napi_get_value_bool(env, v, &bgr);
  if (bgr) j.outfmt = AV_PIX_FMT_BGR24;
  if (!path || j.n == 0 || j.width <= 0 || j.height <= 0) {
    free(path);
    free(hw);
    return throw_av(env, "decodePts: no path, no wanted frames, or a size that is not positive", 0);
  }
  j.want = calloc(j.n, sizeof(int64_t));
  j.found = calloc(j.n, sizeof(int));
  j.left = (int)j.n;
  for (uint32_t k = 0; k < j.n; k++) {
    napi_value v;
    double d = 0;
    napi_get_element(env, argv[1], k, &v);
    napi_get_value_double(env, v, &d);
    j.want[k] = (int64_t)llround(d);
  }

  const char *failedStep = NULL;
  int err = avformat_open_input(&j.fmt, path, NULL, NULL);
  free(path);
  int si = -1;
  const AVCodec *codec = NULL;
  if (err < 0) failedStep = "cannot open the file";
  else if ((err = avformat_find_stream_info(j.fmt, NULL)) < 0) failedStep = "cannot read the stream info";
  else if ((si = first_video_stream(j.fmt)) < 0) failedStep = "no video stream";
  else if (!(codec = avcodec_find_decoder(j.fmt->streams[si]->codecpar->codec_id))) failedStep = "no decoder for the video codec";
  else {
    j.ctx = avcodec_alloc_context3(codec);
    j.pkt = av_packet_alloc();
    j.frame = av_frame_alloc();
    if (!j.ctx || !j.pkt || !j.frame || avcodec_parameters_to_context(j.ctx, j.fmt->streams[si]->codecpar) < 0) failedStep = "out of memory";
  }
  if (!failedStep && hw) {
    const char *why = use_hwaccel(&j, codec, hw, &err);
    if (why) {
      char msg[320];
      snprintf(msg, sizeof msg, "hwaccel %s: %s", hw, why);
      free(hw);
      job_free(&j);
      return throw_av(env, msg, err);
    }
  }
  free(hw);
  if (!failedStep) {
    j.ctx->thread_count = threads > 0 ? threads : 0;
    if ((err = avcodec_open2(j.ctx, codec, NULL)) < 0) failedStep = "cannot open the decoder";
  }
  if (!failedStep) {
    for (int s = 0; s < (int)j.fmt->nb_streams; s++)
      if (s != si) j.fmt->streams[s]->discard = AVDISCARD_ALL;
    if (seekType == napi_number) {
      int64_t ts = llround(seek * AV_TIME_BASE) + (j.fmt->start_time != AV_NOPTS_VALUE ? j.fmt->start_time : 0);
      if ((err = avformat_seek_file(j.fmt, -1, INT64_MIN, ts, ts, 0)) < 0) failedStep = "cannot seek";
    }
  }
  if (failedStep) {
    job_free(&j);
    return throw_av(env, failedStep, err);
  }

  napi_value outBuf;
  if (j.onFrame) {
    napi_get_null(env, &outBuf);
  } else {
    size_t bytes = (size_t)j.width * j.height * 3 * j.n;
    if (napi_create_buffer(env, bytes, (void **)&j.out, &outBuf) != napi_ok) {
      job_free(&j);
      return NULL;
    }
    memset(j.out, 0, bytes);
  }
  int done = 0;
  int64_t decoded = 0;
  while (!done && j.left > 0) {
    int r = av_read_frame(j.fmt, j.pkt);
    if (r < 0) {
      avcodec_send_packet(j.ctx, NULL);  // end of file: drain the frames the decoder still holds
    } else if (j.pkt->stream_index != si || avcodec_send_packet(j.ctx, j.pkt) < 0) {
      av_packet_unref(j.pkt);  // another stream, or a packet that does not decode: skipped
      continue;
    }
    av_packet_unref(j.pkt);
    while (!done && avcodec_receive_frame(j.ctx, j.frame) >= 0) {
      decoded++;
      done = take(&j, j.frame);
      av_frame_unref(j.frame);
    }
    if (r < 0) break;
  }
  if (j.failed) {  // onFrame threw: its exception is pending and propagates to the caller
    job_free(&j);
    return NULL;
  }
  napi_value result, foundArr, decodedVal;
  napi_create_object(env, &result);
  napi_create_array_with_length(env, j.n, &foundArr);
  for (uint32_t k = 0; k < j.n; k++) {
    napi_value b;
    napi_get_boolean(env, j.found[k] != 0, &b);
    napi_set_element(env, foundArr, k, b);
  }
  napi_create_int64(env, decoded, &decodedVal);
  napi_set_named_property(env, result, "data", outBuf);
  napi_set_named_property(env, result, "found", foundArr);
  napi_set_named_property(env, result, "decoded", decodedVal);
  job_free(&j);
  return result;
}

/* openDevice(type): opens and closes a hardware device of that type (a check before a cache build); throws when it
 * cannot, naming the types this libavutil knows. */
static napi_value OpenDevice(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char *hw = argc >= 1 ? get_string(env, argv[0]) : NULL;
  if (!hw) return throw_av(env, "openDevice: expected a device type", 0);
  char msg[512];
  enum AVHWDeviceType type = av_hwdevice_find_type_by_name(hw);
  if (type == AV_HWDEVICE_TYPE_NONE) {
    int n = snprintf(msg, sizeof msg, "hwaccel %s: this libavutil knows no such device type (it knows:", hw);
    for (enum AVHWDeviceType t = av_hwdevice_iterate_types(AV_HWDEVICE_TYPE_NONE); t != AV_HWDEVICE_TYPE_NONE && n < (int)sizeof msg - 32;
         t = av_hwdevice_iterate_types(t))
      n += snprintf(msg + n, sizeof msg - n, " %s", av_hwdevice_get_type_name(t));
    snprintf(msg + n, sizeof msg - n, ")");
    free(hw);
    return throw_av(env, msg, 0);
  }
  AVBufferRef *dev = NULL;
  int err = av_hwdevice_ctx_create(&dev, type, NULL, NULL, 0);
  snprintf(msg, sizeof msg, "hwaccel %s: cannot open the device", hw);
  free(hw);
  if (err < 0) return throw_av(env, msg, err);
  av_buffer_unref(&dev);
  napi_value ok;
  napi_get_boolean(env, 1, &ok);
  return ok;
}

static napi_value Version(napi_env env, napi_callback_info info) {
  napi_value s;
  char v[160];
  snprintf(v, sizeof v, "libavformat %u.%u.%u, libavcodec %u.%u.%u", LIBAVFORMAT_VERSION_MAJOR, LIBAVFORMAT_VERSION_MINOR, LIBAVFORMAT_VERSION_MICRO,
           LIBAVCODEC_VERSION_MAJOR, LIBAVCODEC_VERSION_MINOR, LIBAVCODEC_VERSION_MICRO);
  napi_create_string_utf8(env, v, NAPI_AUTO_LENGTH, &s);
  return s;
}

static napi_value Init(napi_env env, napi_value exports) {
  // errors come back as return codes; warnings are kept only while a probe reads packets (log_callback)
  av_log_set_callback(log_callback);
  napi_value f;
  napi_create_function(env, "probe", NAPI_AUTO_LENGTH, Probe, NULL, &f);
  napi_set_named_property(env, exports, "probe", f);
  napi_create_function(env, "decodePts", NAPI_AUTO_LENGTH, DecodePts, NULL, &f);
  napi_set_named_property(env, exports, "decodePts", f);
  napi_create_function(env, "openDevice", NAPI_AUTO_LENGTH, OpenDevice, NULL, &f);
  napi_set_named_property(env, exports, "openDevice", f);
  napi_create_function(env, "version", NAPI_AUTO_LENGTH, Version, NULL, &f);
  napi_set_named_property(env, exports, "version", f);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
