import type { BackendInfo } from '@pvnas/nas';
import { WASM_SLOWDOWN, warnIfSlowBackend } from './session';

const info = (name: BackendInfo['name'], skipped: BackendInfo['skipped']): BackendInfo => ({
  name,
  tfjsBackend: name,
  requested: 'auto',
  threads: 1,
  device: 'cpu',
  versions: {},
  skipped,
});

describe('without the fast backend', () => {
  it('a run says so before it starts: what runs instead, how much slower, and the one command that fixes it', () => {
    const lines: string[] = [];
    warnIfSlowBackend(info('wasm', [{ name: 'torch', reason: 'libs/nas/native/build/Release/pvnas_torch.node is not built (install libtorch: ...)' }]), (l) =>
      lines.push(l),
    );
    const text = lines.join('\n');
    expect(text).toMatch(/WARNING: the fast CPU backend is not available \(libs\/nas\/native\/build\/Release\/pvnas_torch\.node is not built/);
    expect(text).toMatch(new RegExp(`tfjs's wasm backend: about ${WASM_SLOWDOWN}x slower`));
    expect(text).toMatch(/\n {4}\.\/system-deps\.sh && npm run build:native\n/);
  });

  it('stays quiet on the torch backend, and when the user forced a slow backend', () => {
    const log = jest.fn();
    warnIfSlowBackend(info('torch', []), log);
    warnIfSlowBackend(info('cpu', []), log); // --backend cpu: torch was never tried
    expect(log).not.toHaveBeenCalled();
  });
});
