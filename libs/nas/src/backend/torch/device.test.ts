/** Which device a request resolves to, for a build with or without CUDA and a number of GPUs (a made-up addon). */
import { resolveDevice } from './device';

const addon = (cuda: boolean, gpus: number) => ({ version: () => ({ cuda, gpus }) }) as unknown as Parameters<typeof resolveDevice>[1];

describe('resolveDevice', () => {
  it('auto is the GPU when the build has CUDA and sees one, else the CPU; cpu is the CPU', () => {
    expect(resolveDevice('auto', addon(true, 2))).toBe('cuda:0');
    expect(resolveDevice('auto', addon(true, 0))).toBe('cpu');
    expect(resolveDevice('auto', addon(false, 0))).toBe('cpu');
    expect(resolveDevice('cpu', addon(true, 2))).toBe('cpu');
  });

  it('data parallel: auto and cuda take GPU LOCAL_RANK; cuda:N stays N', () => {
    expect(resolveDevice('auto', addon(true, 4), 3)).toBe('cuda:3');
    expect(resolveDevice('cuda', addon(true, 4), 1)).toBe('cuda:1');
    expect(resolveDevice('cuda:2', addon(true, 4), 1)).toBe('cuda:2');
    expect(resolveDevice('auto', addon(false, 0), 3)).toBe('cpu');
  });

  it('says why a GPU asked for is not there', () => {
    expect(() => resolveDevice('cuda', addon(false, 0))).toThrow(/device cuda: the torch addon was built against a libtorch without CUDA/);
    expect(() => resolveDevice('cuda', addon(true, 0))).toThrow(/device cuda: 0 GPU\(s\) visible/);
    expect(() => resolveDevice('cuda:2', addon(true, 2))).toThrow(/device cuda:2: 2 GPU\(s\) visible/);
    expect(() => resolveDevice('auto', addon(true, 2), 2)).toThrow(
      /process 2 of this node takes GPU 2, but 2 GPU\(s\) are visible .*start at most 2 processes per node/,
    );
  });
});
