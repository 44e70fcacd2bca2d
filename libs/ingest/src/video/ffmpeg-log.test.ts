/** The parsers of ffmpeg 4.1's text, on lines it printed for real files (copied from runs of the bundled binary). */
import { parseInputHeader, parsePacketTable, parseRate, parseShowinfo, snapNtscRate } from './ffmpeg-log';

const MP4_HEADER = `Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'file:/tmp/a.mp4':
  Metadata:
    major_brand     : isom
    encoder         : Lavf58.24.100
  Duration: 00:01:03.50, start: 1.466667, bitrate: 16 kb/s
    Stream #0:0(und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, mono, fltp, 69 kb/s (default)
    Stream #0:1(und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(tv, bt709), 340x256 [SAR 1:1 DAR 85:64], 357 kb/s, 29.97 fps, 29.97 tbr, 30k tbn, 59.94 tbc (default)
    Metadata:
      rotate          : 270
      handler_name    : VideoHandler
    Side data:
      displaymatrix: rotation of 90.00 degrees
Output #0, framecrc, to 'pipe:':
    Stream #0:0(und): Video: h264 (High) (avc1 / 0x31637661), yuv420p, 99x77, q=2-31, 1 fps, 1 tbr, 1 tbn
`;

describe('parseInputHeader', () => {
  it('reads the container, duration, start and each stream of Input #0 only', () => {
    const h = parseInputHeader(MP4_HEADER);
    expect(h).toMatchObject({ format: 'mov,mp4,m4a,3gp,3g2,mj2', durationSec: 63.5, startTime: 1.466667 });
    expect(h?.streams.map((s) => [s.index, s.type, s.codec])).toEqual([
      [0, 'Audio', 'aac'],
      [1, 'Video', 'h264'],
    ]);
    // The codec tag `0x31637661` is not taken for a size; rates with decimals and `k` suffixes are read.
    expect(h?.streams[1]).toMatchObject({ width: 340, height: 256, fps: 29.97, tbr: 29.97, tbn: 30000, rotation: 270, attachedPic: false });
  });

  it('handles N/A durations, missing fps, webm lines, attached pictures and the display matrix alone', () => {
    const h = parseInputHeader(`Input #0, matroska,webm, from 'x.webm':
  Duration: N/A, bitrate: N/A
    Stream #0:0: Video: vp9 (Profile 0), yuv420p(tv), 64x48, SAR 1:1 DAR 4:3, 1k tbr, 1k tbn, 1k tbc (default)
    Side data:
      displaymatrix: rotation of -90.00 degrees
    Stream #0:1: Video: mjpeg, yuvj420p(pc, bt470bg/unknown/unknown), 300x300, 90k tbr, 90k tbn, 90k tbc (attached pic)
`);
    expect(h).toMatchObject({ format: 'matroska,webm', durationSec: 0, startTime: 0 });
    expect(h?.streams[0]).toMatchObject({ codec: 'vp9', width: 64, height: 48, fps: 0, tbr: 1000, rotation: 90 });
    expect(h?.streams[1]).toMatchObject({ codec: 'mjpeg', attachedPic: true });
  });

  it('returns undefined when ffmpeg could not open the file', () => {
    expect(parseInputHeader('file:/tmp/x.mp4: Invalid data found when processing input\n')).toBeUndefined();
  });
});

describe('parsePacketTable', () => {
  it('reads the time base, pts, dts and flags (no F= means key), NOPTS and side data', () => {
    const t = parsePacketTable(`#extradata 0:       41, 0xe4410c20
#tb 0: 1/15360
#media_type 0: video
0,      -1024,          0,      512,     1709, 0x29c7d7fe
0,       -512,       2048,      512,       86, 0xf3bc25e0, F=0x0
0,     -16384,     -15360,      512,     1709, 0x29c7d7fe, F=0x5
0,          3, -9223372036854775808,        1,       61, 0x95822008, F=0x0
0,      -6000,          0,     3000,     1751, 0xc931e104, S=1,        1, 0x00e000e0
`);
    expect(t.timeBase).toEqual([1, 15360]);
    expect(t.packets).toEqual([
      { dts: -1024, pts: 0, flags: 1 },
      { dts: -512, pts: 2048, flags: 0 },
      { dts: -16384, pts: -15360, flags: 5 },
      { dts: 3, pts: null, flags: 0 },
      { dts: -6000, pts: 0, flags: 1 },
    ]);
  });
});

describe('parseShowinfo', () => {
  it('reads n, pts and pts_time of each frame line', () => {
    const f = parseShowinfo(`[Parsed_showinfo_1 @ 0x28576f80] config in time_base: 1/15360, frame_rate: 30/1
[Parsed_showinfo_0 @ 0x137123c0] n:   0 pts:      0 pts_time:0       pos:     1330 fmt:yuv420p sar:1/1 s:64x48 i:P iskey:0 type:B checksum:48D5626D
[Parsed_showinfo_0 @ 0x137123c0] n:  12 pts:   1001 pts_time:0.0333667 pos:     1362 fmt:yuv420p
[Parsed_showinfo_0 @ 0x137123c0] n:  13 pts:  NOPTS pts_time:NOPTS   pos:     1362 fmt:yuv420p
`);
    expect(f.slice(0, 2)).toEqual([
      { n: 0, pts: 0, ptsTime: 0 },
      { n: 12, pts: 1001, ptsTime: 0.0333667 },
    ]);
    expect(f[2]).toMatchObject({ n: 13, pts: null });
  });
});

describe('rates', () => {
  it('parses printed rates and snaps NTSC rates to n*1000/1001', () => {
    expect([parseRate('30'), parseRate('29.97'), parseRate('90k'), parseRate('x')]).toEqual([30, 29.97, 90000, 0]);
    expect(snapNtscRate(29.97)).toBe(30000 / 1001);
    expect(snapNtscRate(23.98)).toBe(24000 / 1001);
    expect(snapNtscRate(59.94)).toBe(60000 / 1001);
    expect([snapNtscRate(25), snapNtscRate(12.5), snapNtscRate(30.18), snapNtscRate(0)]).toEqual([25, 12.5, 30.18, 0]);
  });
});
