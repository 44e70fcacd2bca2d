"""PyTorch peer of tools/bench/nas/nas-steps.ts: one-level search steps of the search network and training
steps of a derived network (DARTS-style evaluation cells from a genotype file), timed on CPU.

A small server: one JSON request per stdin line, one JSON reply per stdout line, so the TypeScript side can
interleave its own rounds with this process's (both processes stay alive; only one computes at a time).
Requests:
  {"cmd": "hello", "threads": n}                             -> {"torch", "threads"}
  {"cmd": "build", "kind": "search"|"derived", ...}          -> {"weights"}   (builds the item, drops the previous)
  {"cmd": "steps", "n": k}                                   -> {"ms": [...], "cpu_sec", "loss", "max_rss_mib"}
  {"cmd": "count", "genotype", "layout", "channels", "classes", "stem_stride", "frames", "size", "macs": bool}
                                                             -> {"params", "macs"?} (MACs counted by forward hooks)
Debian python3-torch (1.13) on the CPU, or a PyTorch with CUDA ({"cmd": "hello", "device": "cuda"}: the networks and
the batch move there, cuDNN benchmark mode on, each timed step ends with torch.cuda.synchronize()); benchmarks only.
Layout NCTHW (PyTorch's); ours is NTHWC: the arithmetic is the same.
"""
import gc
import json
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from nas_torch_peer import FactorizedReduce, ReLUConvBN, SearchNetwork, bn, conv, make_op, weight_count


class DerivedCell(nn.Module):
    """DARTS' evaluation cell: the genotype's two ops per node (affine BN), node = sum, concat. No drop-path."""

    def __init__(self, kind, cell, cpp, cp, c, reduction_prev):
        super().__init__()
        self.reduction = kind.endswith('_reduce')
        self.pre0 = FactorizedReduce(cpp, c, True) if reduction_prev else ReLUConvBN(cpp, c, True)
        self.pre1 = ReLUConvBN(cp, c, True)
        self.inputs = [i for _, i in cell['edges']]
        self.ops = nn.ModuleList([make_op(op, c, 2 if self.reduction and i < 2 else 1, True) for op, i in cell['edges']])
        self.concat = cell['concat']

    def forward(self, s0, s1):
        states = [self.pre0(s0), self.pre1(s1)]
        for node in range(len(self.ops) // 2):
            a, b = 2 * node, 2 * node + 1
            states.append(self.ops[a](states[self.inputs[a]]) + self.ops[b](states[self.inputs[b]]))
        return torch.cat([states[i] for i in self.concat], 1)


class DerivedNetwork(nn.Module):
    """Stem (1x3x3 conv, stride stem_stride, 3C channels, affine BN), the layout's cells, global average pool,
    linear; dropout off (timing)."""

    def __init__(self, genotype, layout, c, classes, stem_stride):
        super().__init__()
        cs = 3 * c
        self.stem = nn.Sequential(conv(3, cs, (1, 3, 3), (1, stem_stride, stem_stride), (0, 1, 1)), bn(cs, True))
        cpp, cp, cur, red_prev = cs, cs, c, False
        self.cells = nn.ModuleList()
        for kind in layout:
            red = kind.endswith('_reduce')
            if red:
                cur *= 2
            cell = genotype['cells'][kind]
            self.cells.append(DerivedCell(kind, cell, cpp, cp, cur, red_prev))
            cpp, cp, red_prev = cp, len(cell['concat']) * cur, red
        self.fc = nn.Linear(cp, classes)

    def forward(self, x):
        s0 = s1 = self.stem(x)
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1)
        return self.fc(s1.mean((2, 3, 4)))


def read_genotype(path):
    with open(path) as f:
        return json.load(f)


DEVICE = torch.device('cpu')


def sync():
    if DEVICE.type == 'cuda':
        torch.cuda.synchronize(DEVICE)


def batch(job):
    n, t, h, w, c = job['input']
    g = torch.Generator().manual_seed(1)
    return torch.randn(n, c, t, h, w, generator=g).to(DEVICE), (torch.arange(n) % job['classes']).to(DEVICE)


def build(job):
    """Returns (module, step function) for a job; the step reads the loss, as ours does."""
    torch.manual_seed(0)
    x, y = batch(job)
    if job['kind'] == 'search':
        net = SearchNetwork(job['channels'], job['classes'], job['stem_stride']).to(DEVICE)
        alphas = list(net.alphas)
        ids = {id(a) for a in alphas}
        weights = [p for p in net.parameters() if id(p) not in ids]
        aopt = torch.optim.Adam(alphas, lr=1e-3, betas=(0.0, 0.999), eps=1e-8, weight_decay=0)
        wopt = torch.optim.SGD(weights, lr=0.1, momentum=0.9, weight_decay=1e-4)

        def step():
            # paper Alg. 1 / libs/nas searchStep: Adam on the alphas (weights fixed), then SGD on the weights
            loss = F.cross_entropy(net(x), y)
            for p, g in zip(alphas, torch.autograd.grad(loss, alphas)):
                p.grad = g
            aopt.step()
            loss.item()
            loss = F.cross_entropy(net(x), y)
            for p, g in zip(weights, torch.autograd.grad(loss, weights)):
                p.grad = g
            torch.nn.utils.clip_grad_norm_(weights, job['grad_clip'])
            wopt.step()
            return loss.item()

        return net, step
    net = DerivedNetwork(read_genotype(job['genotype']), job['layout'], job['channels'], job['classes'], job['stem_stride']).to(DEVICE)
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    return net, step


def count(job):
    """Parameters and, with job['macs'], multiply-accumulates of one view (batch 1), counted by hooks on every
    conv and linear (fvcore's convention: one multiply-add = one flop; BN, pools, ReLU, sums not counted)."""
    net = DerivedNetwork(read_genotype(job['genotype']), job['layout'], job['channels'], job['classes'], job['stem_stride'])
    out = {'params': sum(p.numel() for p in net.parameters())}
    if job.get('macs'):
        macs = [0]

        def hook(m, inputs, y):
            if isinstance(m, nn.Conv3d):
                k = m.kernel_size[0] * m.kernel_size[1] * m.kernel_size[2]
                macs[0] += y.numel() * (m.in_channels // m.groups) * k
            else:
                macs[0] += m.in_features * m.out_features

        for m in net.modules():
            if isinstance(m, (nn.Conv3d, nn.Linear)):
                m.register_forward_hook(hook)
        net.eval()
        with torch.no_grad():
            net(torch.zeros(1, 3, job['frames'], job['size'], job['size']))
        out['macs'] = macs[0]
    return out


def main():
    item = None
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        cmd = req['cmd']
        if cmd == 'hello':
            global DEVICE
            torch.set_num_threads(req['threads'])
            DEVICE = torch.device(req.get('device', 'cpu'))
            if DEVICE.type == 'cuda':
                torch.backends.cudnn.benchmark = True
            reply = {'torch': torch.__version__, 'threads': torch.get_num_threads(), 'device': str(DEVICE)}
        elif cmd == 'build':
            item = None
            gc.collect()
            net, step = build(req)
            item = (net, step)
            reply = {'weights': weight_count(net)}
        elif cmd == 'steps':
            step = item[1]
            ms, loss = [], None
            c0 = time.process_time()
            for _ in range(req['n']):
                t = time.perf_counter()
                loss = step()
                sync()
                ms.append((time.perf_counter() - t) * 1000)
            reply = {'ms': ms, 'cpu_sec': time.process_time() - c0, 'loss': loss}
        elif cmd == 'count':
            reply = count(req)
        elif cmd == 'free':
            item = None
            gc.collect()
            reply = {}
        else:
            raise ValueError(f'unknown request {cmd}')
        reply['max_rss_mib'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        sys.stdout.write(json.dumps(reply) + '\n')
        sys.stdout.flush()


if __name__ == '__main__':
    main()
