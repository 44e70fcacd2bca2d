/**
 * `pvnas doctor`: what the torch backend has to work with here (the addon, the libtorch it was built against,
 * CUDA, GPUs, threads) and, for anything missing, the command that fixes it. `diagnose` is pure over what
 * `torchDoctor` gathers, so each case is testable without the machine it describes.
 */
import { spawnSync } from 'node:child_process';
import { defaultThreads, selectBackend } from '../select';
import { resolveDevice } from './device';
import { addonPath, libtorchBuild, loadTorchAddon, type LibtorchBuild, type TorchNative } from './native';

export interface GpuInfo {
  index: number;
  name: string;
  memoryMiB: number;
  driver: string;
}

export interface DoctorReport {
  /** The backend `--backend auto` takes here. */
  backend: string;
  /** The device `--device auto` takes here. */
  device: string;
  libtorch: { version: string; source: string; cuda: string | null; cudnn: boolean } | null;
  gpus: GpuInfo[];
  threads: number;
  addon: { path: string; loaded: boolean; reason?: string };
  /** One line per problem: what is wrong and the command that fixes it. */
  fixes: string[];
}

export interface DoctorFacts {
  addonPath: string;
  load: { ok: true; version: ReturnType<TorchNative['version']> } | { ok: false; reason: string };
  build: LibtorchBuild | undefined;
  /** nvidia-smi's GPUs, or undefined when nvidia-smi is absent. */
  gpus: GpuInfo[] | undefined;
  backend: string;
  threads: number;
}

const BUILD_FIX =
  'build the addon: apt-get install libtorch-dev && npm run build:native (or against a PyTorch: PVNAS_PYTHON=/path/to/python3 npm run build:native; or LIBTORCH=/path/to/libtorch npm run build:native)';

export function diagnose(f: DoctorFacts): DoctorReport {
  const fixes: string[] = [];
  let libtorch: DoctorReport['libtorch'] = null;
  let device = 'cpu';
  if (!f.load.ok) {
    fixes.push(`the torch addon does not load (${f.load.reason}); ${BUILD_FIX}`);
  } else {
    const v = f.load.version;
    libtorch = { version: v.torch, source: f.build?.source ?? 'unknown', cuda: v.cuda ? (f.build?.cuda ?? 'yes') : null, cudnn: v.cudnn };
    if (!f.build) fixes.push('the addon has no build record (libtorch.json): rebuild it with npm run build:native to record which libtorch it uses');
    device = resolveDevice('auto', { version: () => v });
    const smiGpus = f.gpus?.length ?? 0;
    if (!v.cuda && smiGpus > 0)
      fixes.push(
        `${smiGpus} NVIDIA GPU(s) here, but the addon was built against a libtorch without CUDA (${libtorch.source}): rebuild it against a PyTorch with CUDA (PVNAS_PYTHON=/path/to/python3 npm run build:native) or a CUDA libtorch (LIBTORCH=/path npm run build:native)`,
      );
    if (v.cuda && v.gpus === 0)
      fixes.push(`the addon has CUDA but sees no GPU: check nvidia-smi and CUDA_VISIBLE_DEVICES (${process.env.CUDA_VISIBLE_DEVICES ?? 'unset'})`);
  }
  if (f.backend !== 'torch' && f.load.ok) fixes.push(`auto chose ${f.backend}, not torch: run with --backend torch to see why`);
  return {
    backend: f.backend,
    device: f.backend === 'torch' ? device : 'cpu',
    libtorch,
    gpus: f.gpus ?? [],
    threads: f.threads,
    addon: { path: f.addonPath, loaded: f.load.ok, ...(f.load.ok ? {} : { reason: f.load.reason }) },
    fixes,
  };
}

/** nvidia-smi's view of the GPUs, or undefined when it is not installed. */
export function nvidiaGpus(): GpuInfo[] | undefined {
  const r = spawnSync('nvidia-smi', ['--query-gpu=index,name,memory.total,driver_version', '--format=csv,noheader,nounits'], {
    encoding: 'utf8',
    timeout: 20000,
  });
  if (r.error || r.status !== 0) return undefined;
  return r.stdout
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [index, name, mem, driver] = l.split(',').map((s) => s.trim());
      return { index: Number(index), name, memoryMiB: Number(mem), driver };
    });
}

export async function torchDoctor(): Promise<DoctorReport> {
  const load = loadTorchAddon();
  const backend = await selectBackend({ backend: 'auto', log: null });
  return diagnose({
    addonPath: addonPath(),
    load: load.ok ? { ok: true, version: load.addon.version() } : { ok: false, reason: load.reason },
    build: load.ok ? libtorchBuild() : undefined,
    gpus: nvidiaGpus(),
    backend: backend.name,
    threads: backend.name === 'torch' ? backend.threads : defaultThreads(),
  });
}

/** The human summary `pvnas doctor` writes to stderr beside its JSON. */
export function doctorSummary(r: DoctorReport): string[] {
  const lines = [
    `backend ${r.backend} on ${r.device}, ${r.threads} thread${r.threads === 1 ? '' : 's'}`,
    r.libtorch
      ? `libtorch ${r.libtorch.version} from ${r.libtorch.source} (${r.libtorch.cuda ? `CUDA ${r.libtorch.cuda}${r.libtorch.cudnn ? ', cuDNN' : ''}` : 'CPU only'}), addon ${r.addon.path}`
      : `no torch addon (${r.addon.reason})`,
    r.gpus.length
      ? r.gpus.map((g) => `GPU ${g.index}: ${g.name}, ${g.memoryMiB} MiB, driver ${g.driver}`).join('; ')
      : 'no NVIDIA GPU (nvidia-smi absent or lists none)',
  ];
  for (const f of r.fixes) lines.push(`fix: ${f}`);
  if (r.fixes.length === 0) lines.push('nothing to fix');
  return lines;
}
