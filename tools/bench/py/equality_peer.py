"""PyTorch side of the equality check of libs/nas against PyTorch (test/pytorch-equality.test.ts): the same
networks as the benchmark's peers (nas_torch_peer.SearchNetwork, nas_steps_peer.DerivedNetwork), loaded with
OUR initial weights and alphas, run on OUR batch; prints what they compute, in our layouts, for the test to compare.

  python3 equality_peer.py IN_DIR OUT_DIR

IN_DIR/job.json: {"kind", "config", "optim", "tensors": [{"name", "shape", "offset", "layout"}]} with the
float32 values in IN_DIR/tensors.bin: the network's trainable weights in our parameter order, each with its "role"
(conv, gamma, beta, linear, bias, alpha: matched to the k-th PyTorch parameter of that role), then (search) the four
alpha matrices, then "x" [N, T, H, W, C] and "labels" (as float32); a derived network's genotype in
IN_DIR/genotype.json. Our layouts ("layout" of each tensor): "conv" weights [a, b, Cin/g, Cout]
(spatial 1 x kh x kw: a, b = kh, kw; temporal kt x 1 x 1: a, b = kt, 1), "linear" [in, out]; PyTorch's are
[Cout, Cin/g, kt, kh, kw] and [out, in]. The parameters are matched by position (both networks create them in the
same order within a role); the element counts are checked one by one.

OUT_DIR/result.json + result.bin: "loss0" (the loss at the initial weights), "grad/<name>" (its gradients w.r.t.
every weight and alpha), then one step and "loss1"/"after/<name>" (every weight and alpha after it):
  search   the one-level step of libs/nas searchStep (alternating): Adam on the alphas from the loss at the current
           weights, then SGD (momentum, weight decay) on the weights from the loss with the new alphas, the weight
           gradients clipped to global norm `grad_clip` (torch.nn.utils.clip_grad_norm_);
  derived  forward, cross-entropy, backward, SGD (momentum, weight decay).
"""
import json
import os
import sys

import torch
import torch.nn.functional as F

from nas_steps_peer import DerivedNetwork
from nas_torch_peer import SearchNetwork


def read_job(d):
    with open(os.path.join(d, 'job.json')) as f:
        job = json.load(f)
    raw = torch.from_file(os.path.join(d, 'tensors.bin'), size=os.path.getsize(os.path.join(d, 'tensors.bin')) // 4, dtype=torch.float32)
    tensors = {}
    for t in job['tensors']:
        n = 1
        for s in t['shape']:
            n *= s
        tensors[t['name']] = raw[t['offset']:t['offset'] + n].reshape(t['shape']).clone()
    return job, tensors


def to_torch(ours, layout, p):
    """Our layout -> the shape of PyTorch parameter p."""
    if layout == 'conv':  # [a, b, Cin/g, Cout] -> [Cout, Cin/g, a, b] -> [Cout, Cin/g, kt, kh, kw]
        return ours.permute(3, 2, 0, 1).reshape(p.shape)
    if layout == 'linear':  # [in, out] -> [out, in]
        return ours.t()
    return ours.reshape(p.shape)


def to_ours(t, layout, shape):
    if layout == 'conv':
        return t.reshape(t.shape[0], t.shape[1], shape[0], shape[1]).permute(2, 3, 1, 0)
    if layout == 'linear':
        return t.t()
    return t.reshape(shape)


def role_of(net, alphas):
    """Each parameter's role: conv, gamma, beta (batch norm), linear, bias (the classifier's), alpha."""
    out = {}
    for a in alphas:
        out[id(a)] = 'alpha'
    for m in net.modules():
        for k, p in m.named_parameters(recurse=False):
            if id(p) in out:
                continue
            if isinstance(m, torch.nn.Conv3d):
                out[id(p)] = 'conv'
            elif isinstance(m, torch.nn.BatchNorm3d):
                out[id(p)] = 'gamma' if k == 'weight' else 'beta'
            elif isinstance(m, torch.nn.Linear):
                out[id(p)] = 'linear' if k == 'weight' else 'bias'
    return out


def match(names, roles, net, alphas):
    """The PyTorch parameter of each of our tensors: the k-th of a role here is the k-th of that role in libs/nas
    (both networks create each kind of parameter in the same order; a block's batch-norm parameters may come at
    another place among its convolutions)."""
    role = role_of(net, alphas)
    params = [p for p in net.parameters() if id(p) not in {id(a) for a in alphas}] + list(alphas)
    streams = {}
    for p in params:
        streams.setdefault(role[id(p)], []).append(p)
    taken = {}
    out = []
    for name in names:
        r = roles[name]
        k = taken.get(r, 0)
        if k >= len(streams.get(r, [])):
            raise SystemExit(f'{name}: libs/nas has more {r} parameters than the PyTorch network')
        out.append(streams[r][k])
        taken[r] = k + 1
    for r, ps in streams.items():
        if taken.get(r, 0) != len(ps):
            raise SystemExit(f'the PyTorch network has {len(ps)} {r} parameters, libs/nas {taken.get(r, 0)}')
    return out


def main():
    in_dir, out_dir = sys.argv[1], sys.argv[2]
    torch.set_num_threads(1)
    job, tensors = read_job(in_dir)
    c = job['config']
    if job['kind'] == 'search':
        net = SearchNetwork(c['channels'], c['classes'], c['stem_stride'])
        alphas = list(net.alphas)
        ids = {id(a) for a in alphas}
        weights = [p for p in net.parameters() if id(p) not in ids]
    else:
        with open(os.path.join(in_dir, 'genotype.json')) as f:
            genotype = json.load(f)
        net = DerivedNetwork(genotype, c['layout'], c['channels'], c['classes'], c['stem_stride'])
        alphas, weights = [], list(net.parameters())
    names = [t['name'] for t in job['tensors'] if t['name'] not in ('x', 'labels')]
    layouts = {t['name']: t.get('layout', 'plain') for t in job['tensors']}
    roles = {t['name']: t['role'] for t in job['tensors'] if 'role' in t}
    params = match(names, roles, net, alphas)
    with torch.no_grad():
        for name, p in zip(names, params):
            ours = tensors[name]
            if ours.numel() != p.numel():
                raise SystemExit(f'{name}: {list(ours.shape)} in libs/nas, {list(p.shape)} here (parameter order differs?)')
            p.copy_(to_torch(ours, layouts[name], p))
    x = tensors['x'].permute(0, 4, 1, 2, 3).contiguous()  # [N, T, H, W, C] -> [N, C, T, H, W]
    y = tensors['labels'].long()
    net.train()

    out = {}
    loss = F.cross_entropy(net(x), y)
    out['loss0'] = loss.detach().reshape(1)
    for name, g in zip(names, torch.autograd.grad(loss, params)):
        out['grad/' + name] = to_ours(g, layouts[name], tensors[name].shape)

    o = job['optim']
    wopt = torch.optim.SGD(weights, lr=o['lr'], momentum=o['momentum'], weight_decay=o['weight_decay'])
    if job['kind'] == 'search':
        aopt = torch.optim.Adam(alphas, lr=o['alpha_lr'], betas=(o['beta1'], o['beta2']), eps=o['eps'], weight_decay=0)
        loss = F.cross_entropy(net(x), y)
        for p, g in zip(alphas, torch.autograd.grad(loss, alphas)):
            p.grad = g
        aopt.step()
        loss = F.cross_entropy(net(x), y)
        for p, g in zip(weights, torch.autograd.grad(loss, weights)):
            p.grad = g
        if o.get('grad_clip') is not None:
            torch.nn.utils.clip_grad_norm_(weights, o['grad_clip'])
        wopt.step()
    else:
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        wopt.step()
    out['loss1'] = loss.detach().reshape(1)
    with torch.no_grad():
        for name, p in zip(names, params):
            out['after/' + name] = to_ours(p.detach(), layouts[name], tensors[name].shape)

    os.makedirs(out_dir, exist_ok=True)
    meta, offset, chunks = [], 0, []
    for name, t in out.items():
        flat = t.detach().contiguous().reshape(-1).float()
        meta.append({'name': name, 'shape': list(t.shape), 'offset': offset})
        offset += flat.numel()
        chunks.append(flat)
    torch.cat(chunks).numpy().tofile(os.path.join(out_dir, 'result.bin'))
    with open(os.path.join(out_dir, 'result.json'), 'w') as f:
        json.dump({'torch': torch.__version__, 'tensors': meta}, f)


if __name__ == '__main__':
    main()
