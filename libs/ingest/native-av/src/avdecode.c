/*
 * pvnas_avdecode: frame-exact window decoding in process with the system's libavformat/libavcodec/libswscale, for the
 * loader's workers (synchronous, in the calling thread: each worker thread decodes its own clips).
 *
 *   decodePts(path, wantedPts: number[], seekSeconds: number | null, width, height, threads)
 *     -> { data: Buffer (wantedPts.length frames of RGB24 width x height, zeros where missing), found: boolean[],
 *          decoded: number }
 *
 * Frames are named by their timestamp as stored in the file (best_effort_timestamp, what ffmpeg -copyts shows): frame
 * k of the result is the one whose pts equals wantedPts[k] (ascending, distinct). `seekSeconds` (seconds from the
 * container start, as ffmpeg's -ss) seeks to the keyframe at or before that point (avformat_seek_file, as ffmpeg
 * does); null decodes from the start. Decoding stops after the last wanted pts; packets that fail to decode are
 * skipped (a damaged GOP), so a frame that never comes out is just not `found`: the caller retries further back or
 * falls back. Scaling: swscale bilinear to width x height, RGB24. Throws an Error naming the step that failed (open,
 * stream info, no video stream, codec) with libav's message.
 */
#include <node_api.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/error.h>
#include <libswscale/swscale.h>

typedef struct {
  AVFormatContext *fmt;
  AVCodecContext *ctx;
  AVPacket *pkt;
  AVFrame *frame;
  struct SwsContext *sws;
  int64_t *want;
} job_t;

static void job_free(job_t *j) {
  sws_freeContext(j->sws);
  av_frame_free(&j->frame);
  av_packet_free(&j->pkt);
  avcodec_free_context(&j->ctx);
  avformat_close_input(&j->fmt);
  free(j->want);
}

static napi_value throw_av(napi_env env, const char *step, int err) {
  char msg[AV_ERROR_MAX_STRING_SIZE + 128];
  char av[AV_ERROR_MAX_STRING_SIZE] = "";
  if (err) av_strerror(err, av, sizeof av);
  snprintf(msg, sizeof msg, "%s%s%s", step, err ? ": " : "", av);
  napi_throw_error(env, NULL, msg);
  return NULL;
}

/* Converts `f` into frame slot `k` of `out` when its pts is wanted. Returns 1 when it was the last wanted one. */
static int take(job_t *j, const AVFrame *f, uint32_t n, int width, int height, uint8_t *out, int *found, int *left) {
  int64_t pts = f->best_effort_timestamp;
  if (pts == AV_NOPTS_VALUE) return 0;
  for (uint32_t k = 0; k < n; k++) {
    if (j->want[k] != pts || found[k]) continue;
    j->sws = sws_getCachedContext(j->sws, f->width, f->height, f->format, width, height, AV_PIX_FMT_RGB24, SWS_BILINEAR, NULL, NULL, NULL);
    if (!j->sws) return 0;
    uint8_t *dst[4] = {out + (size_t)k * width * height * 3, NULL, NULL, NULL};
    int stride[4] = {width * 3, 0, 0, 0};
    sws_scale(j->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, dst, stride);
    found[k] = 1;
    (*left)--;
  }
  return pts >= j->want[n - 1];
}

static napi_value DecodePts(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 6) return throw_av(env, "decodePts: expected 6 arguments", 0);
  size_t len = 0;
  napi_get_value_string_utf8(env, argv[0], NULL, 0, &len);
  char *path = malloc(len + 1);
  napi_get_value_string_utf8(env, argv[0], path, len + 1, &len);
  uint32_t n = 0;
  napi_get_array_length(env, argv[1], &n);
  napi_valuetype seekType;
  napi_typeof(env, argv[2], &seekType);
  double seek = 0;
  if (seekType == napi_number) napi_get_value_double(env, argv[2], &seek);
  int32_t width = 0, height = 0, threads = 1;
  napi_get_value_int32(env, argv[3], &width);
  napi_get_value_int32(env, argv[4], &height);
  napi_get_value_int32(env, argv[5], &threads);
  if (n == 0 || width <= 0 || height <= 0) {
    free(path);
    return throw_av(env, "decodePts: no wanted frames, or a size that is not positive", 0);
  }

  job_t j = {0};
  j.want = calloc(n, sizeof(int64_t));
  for (uint32_t k = 0; k < n; k++) {
    napi_value v;
    double d = 0;
    napi_get_element(env, argv[1], k, &v);
    napi_get_value_double(env, v, &d);
    j.want[k] = (int64_t)llround(d);
  }
  int err = avformat_open_input(&j.fmt, path, NULL, NULL);
  free(path);
  if (err < 0) {
    job_free(&j);
    return throw_av(env, "cannot open the file", err);
  }
  if ((err = avformat_find_stream_info(j.fmt, NULL)) < 0) {
    job_free(&j);
    return throw_av(env, "cannot read the stream info", err);
  }
  int si = av_find_best_stream(j.fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
  if (si < 0) {
    job_free(&j);
    return throw_av(env, "no video stream", si);
  }
  const AVCodec *codec = avcodec_find_decoder(j.fmt->streams[si]->codecpar->codec_id);
  if (!codec) {
    job_free(&j);
    return throw_av(env, "no decoder for the video codec", 0);
  }
  j.ctx = avcodec_alloc_context3(codec);
  j.pkt = av_packet_alloc();
  j.frame = av_frame_alloc();
  if (!j.ctx || !j.pkt || !j.frame || avcodec_parameters_to_context(j.ctx, j.fmt->streams[si]->codecpar) < 0) {
    job_free(&j);
    return throw_av(env, "out of memory", 0);
  }
  j.ctx->thread_count = threads > 0 ? threads : 0;
  if ((err = avcodec_open2(j.ctx, codec, NULL)) < 0) {
    job_free(&j);
    return throw_av(env, "cannot open the decoder", err);
  }
  for (int s = 0; s < (int)j.fmt->nb_streams; s++)
    if (s != si) j.fmt->streams[s]->discard = AVDISCARD_ALL;
  if (seekType == napi_number) {
    int64_t ts = llround(seek * AV_TIME_BASE) + (j.fmt->start_time != AV_NOPTS_VALUE ? j.fmt->start_time : 0);
    if ((err = avformat_seek_file(j.fmt, -1, INT64_MIN, ts, ts, 0)) < 0) {
      job_free(&j);
      return throw_av(env, "cannot seek", err);
    }
  }

  size_t frameBytes = (size_t)width * height * 3;
  void *outData = NULL;
  napi_value outBuf;
  if (napi_create_buffer(env, frameBytes * n, &outData, &outBuf) != napi_ok) {
    job_free(&j);
    return NULL;
  }
  memset(outData, 0, frameBytes * n);
  int *found = calloc(n, sizeof(int));
  int left = (int)n, done = 0;
  int64_t decoded = 0;
  while (!done && left > 0) {
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
      done = take(&j, j.frame, n, width, height, outData, found, &left);
      av_frame_unref(j.frame);
    }
    if (r < 0) break;
  }
  napi_value result, foundArr, decodedVal;
  napi_create_object(env, &result);
  napi_create_array_with_length(env, n, &foundArr);
  for (uint32_t k = 0; k < n; k++) {
    napi_value b;
    napi_get_boolean(env, found[k] != 0, &b);
    napi_set_element(env, foundArr, k, b);
  }
  napi_create_int64(env, decoded, &decodedVal);
  napi_set_named_property(env, result, "data", outBuf);
  napi_set_named_property(env, result, "found", foundArr);
  napi_set_named_property(env, result, "decoded", decodedVal);
  free(found);
  job_free(&j);
  return result;
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
  av_log_set_level(AV_LOG_QUIET);  // errors come back as return codes, not as lines on stderr
  napi_value f;
  napi_create_function(env, "decodePts", NAPI_AUTO_LENGTH, DecodePts, NULL, &f);
  napi_set_named_property(env, exports, "decodePts", f);
  napi_create_function(env, "version", NAPI_AUTO_LENGTH, Version, NULL, &f);
  napi_set_named_property(env, exports, "version", f);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
