"""PyTorch peer of libs/nas for tools/bench/nas: the same candidate ops, mixed edge and search network
(same channels, strides, padding, BN placement and parameter count), timed forward+backward on CPU.

Reads a JSON job on stdin, prints a JSON result on stdout. Debian python3-torch (1.13); benchmarks only.
Layout NCTHW (PyTorch's); ours is NTHWC: the arithmetic is the same.
"""
import json
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

SPATIAL = ['none', 'skip_connect', 'avg_pool_1x3x3', 'max_pool_1x3x3', 'sep_conv_1x3x3', 'dil_conv_1x3x3']
TEMPORAL = SPATIAL + ['temporal_conv_3+3x3', 'temporal_conv_3+1x1']
CELLS = ['spatial_normal', 'spatial_reduce', 'temporal_normal', 'temporal_reduce']


def bn(c, affine=False):
    return nn.BatchNorm3d(c, affine=affine)


def conv(ci, co, k, s=1, p=0, d=1, g=1):
    return nn.Conv3d(ci, co, k, stride=s, padding=p, dilation=d, groups=g, bias=False)


class FactorizedReduce(nn.Module):
    def __init__(self, ci, co, affine=False):
        super().__init__()
        self.c1, self.c2, self.bn = conv(ci, co // 2, 1, (1, 2, 2)), conv(ci, co // 2, 1, (1, 2, 2)), bn(co, affine)

    def forward(self, x):
        x = F.relu(x)
        shifted = F.pad(x, (0, 1, 0, 1))[:, :, :, 1:, 1:]
        return self.bn(torch.cat([self.c1(x), self.c2(shifted)], 1))


class Pool(nn.Module):
    """1x3x3 pool; BN (no affine) after it in search edges only, as DARTS (derived cells: no BN)."""

    def __init__(self, kind, c, s, with_bn=True):
        super().__init__()
        self.pool = (nn.AvgPool3d((1, 3, 3), (1, s, s), (0, 1, 1), count_include_pad=False) if kind == 'avg'
                     else nn.MaxPool3d((1, 3, 3), (1, s, s), (0, 1, 1)))
        self.bn = bn(c) if with_bn else nn.Identity()

    def forward(self, x):
        return self.bn(self.pool(x))


def make_op(name, c, s, affine=False):
    """affine=False: a search edge's op (BN without affine, BN after pools); True: a derived cell's."""
    st = (1, s, s)
    if name == 'skip_connect':
        return nn.Identity() if s == 1 else FactorizedReduce(c, c, affine)
    if name == 'avg_pool_1x3x3':
        return Pool('avg', c, s, not affine)
    if name == 'max_pool_1x3x3':
        return Pool('max', c, s, not affine)
    if name == 'sep_conv_1x3x3':
        return nn.Sequential(nn.ReLU(), conv(c, c, (1, 3, 3), st, (0, 1, 1), g=c), conv(c, c, 1), bn(c, affine),
                             nn.ReLU(), conv(c, c, (1, 3, 3), 1, (0, 1, 1), g=c), conv(c, c, 1), bn(c, affine))
    if name == 'dil_conv_1x3x3':
        return nn.Sequential(nn.ReLU(), conv(c, c, (1, 3, 3), st, (0, 2, 2), (1, 2, 2), g=c), conv(c, c, 1), bn(c, affine))
    if name == 'temporal_conv_3+3x3':
        return nn.Sequential(nn.ReLU(), conv(c, c, (1, 3, 3), st, (0, 1, 1)), conv(c, c, (3, 1, 1), 1, (1, 0, 0)), bn(c, affine))
    if name == 'temporal_conv_3+1x1':
        return nn.Sequential(nn.ReLU(), conv(c, c, 1, st), conv(c, c, (3, 1, 1), 1, (1, 0, 0)), bn(c, affine))
    raise ValueError(name)


class MixedOp(nn.Module):
    """Weighted sum of the ops; `none` adds zeros and is left out, as in libs/nas."""

    def __init__(self, names, c, s):
        super().__init__()
        self.idx = [i for i, n in enumerate(names) if n != 'none']
        self.ops = nn.ModuleList([make_op(names[i], c, s) for i in self.idx])

    def forward(self, x, w):
        return sum(w[i] * op(x) for i, op in zip(self.idx, self.ops))


class ReLUConvBN(nn.Module):
    def __init__(self, ci, co, affine=False):
        super().__init__()
        self.c, self.bn = conv(ci, co, 1), bn(co, affine)

    def forward(self, x):
        return self.bn(self.c(F.relu(x)))


class Cell(nn.Module):
    def __init__(self, kind, cpp, cp, c, reduction_prev):
        super().__init__()
        self.reduction = kind.endswith('_reduce')
        names = SPATIAL if kind.startswith('spatial') else TEMPORAL
        self.pre0 = FactorizedReduce(cpp, c) if reduction_prev else ReLUConvBN(cpp, c)
        self.pre1 = ReLUConvBN(cp, c)
        self.edges = nn.ModuleList()
        for i in range(4):
            for j in range(2 + i):
                self.edges.append(MixedOp(names, c, 2 if self.reduction and j < 2 else 1))

    def forward(self, s0, s1, weights):
        states, off = [self.pre0(s0), self.pre1(s1)], 0
        for i in range(4):
            states.append(sum(self.edges[off + j](h, weights[off + j]) for j, h in enumerate(states)))
            off += len(states) - 1
        return torch.cat(states[2:], 1)


class SearchNetwork(nn.Module):
    def __init__(self, c, classes, stem_stride):
        super().__init__()
        cs = 3 * c
        self.stem = nn.Sequential(conv(3, cs, (1, 3, 3), (1, stem_stride, stem_stride), (0, 1, 1)), bn(cs, True))
        cpp, cp, cur, red_prev = cs, cs, c, False
        self.cells = nn.ModuleList()
        for kind in CELLS:
            red = kind.endswith('_reduce')
            if red:
                cur *= 2
            self.cells.append(Cell(kind, cpp, cp, cur, red_prev))
            cpp, cp, red_prev = cp, 4 * cur, red
        self.fc = nn.Linear(cp, classes)
        self.alphas = nn.ParameterList([nn.Parameter(1e-3 * torch.randn(14, len(SPATIAL if k.startswith('spatial') else TEMPORAL))) for k in CELLS])

    def forward(self, x):
        s0 = s1 = self.stem(x)
        for cell, a in zip(self.cells, self.alphas):
            s0, s1 = s1, cell(s0, s1, F.softmax(a, -1))
        return self.fc(s1.mean((2, 3, 4)))


def weight_count(m):
    alphas = {id(p) for p in getattr(m, 'alphas', [])}
    return sum(p.numel() for p in m.parameters() if id(p) not in alphas)


def timed(fn, runs, warmup):
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t) * 1000)
    return {'median_ms': statistics.median(ts), 'min_ms': min(ts), 'runs': runs}


def main():
    job = json.load(sys.stdin)
    torch.set_num_threads(job['threads'])
    torch.manual_seed(0)
    out = {'torch': torch.__version__, 'threads': torch.get_num_threads(), 'ops': {}}
    n, t, h, w, c = job['op_input']
    x = torch.randn(n, c, t, h, w, requires_grad=True)
    for name in job['ops']:
        if name == 'mixed':
            m, a = MixedOp(TEMPORAL, c, 1), torch.zeros(8, requires_grad=True)
            fn = lambda: m(x, F.softmax(a, -1)).sum().backward()
        elif name == 'none':
            fn = lambda: (x * 0).sum().backward()  # never computed in a mixed edge; timed for reference
            m = nn.Identity()
        else:
            m = make_op(name, c, 1)
            fn = lambda: m(x).sum().backward()
        out['ops'][name] = {**timed(fn, job['runs'], job['warmup']), 'weights': weight_count(m)}
    if job.get('supernet'):
        s = job['supernet']
        net = SearchNetwork(s['channels'], s['classes'], s['stem_stride'])
        xn, tn, hn, wn, cn = s['input']
        xs = torch.randn(xn, cn, tn, hn, wn)
        labels = torch.randint(0, s['classes'], (xn,))
        fn = lambda: F.cross_entropy(net(xs), labels).backward()
        out['supernet'] = {**timed(fn, s['runs'], 1), 'weights': weight_count(net)}
    out['max_rss_mib'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main()
