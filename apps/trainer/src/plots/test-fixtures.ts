/**
 * Test helpers of the plots: a small run folder made with the real file schemas, and a strict SVG parser
 * (fast-xml-parser's validator, then its ordered tree) with element queries.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { CELL_TYPES, randomGenotype, SPATIAL_OPS, TEMPORAL_OPS, writeAlphas, writeGenotype, type Alphas, type Genotype } from '@pvnas/nas';
import { appendMetric, type AlphaSoftmax, type Phase } from '../run/metrics';
import { softmax } from './alpha-trajectory';

export interface FakeRunOptions {
  phase: Phase;
  epochs: number;
  stepsPerEpoch: number;
  /** Search runs: alphas in the step records, alphas/epoch-NNN.json snapshots (0..epochs). */
  alphasInMetrics: boolean;
  alphasFiles: boolean;
  genotype: Genotype | null;
  valAcc: boolean;
}

const SEARCH: FakeRunOptions = {
  phase: 'search',
  epochs: 2,
  stepsPerEpoch: 5,
  alphasInMetrics: true,
  alphasFiles: true,
  genotype: randomGenotype(3),
  valAcc: true,
};

/** Raw alphas drifting with time t: on edge e, op (e mod n) gains weight. */
export function fakeRawAlphas(t: number, seed: number): Omit<Alphas, 'source'> {
  const noise = (e: number, j: number) => 1e-3 * Math.sin(seed + 7 * e + 13 * j);
  const rows = (n: number) => Array.from({ length: 14 }, (_, e) => Array.from({ length: n }, (_, j) => noise(e, j) + (j === e % n ? 0.3 * t : 0)));
  return {
    ops: { spatial: [...SPATIAL_OPS], temporal: [...TEMPORAL_OPS] } as Alphas['ops'],
    spatial_normal: rows(6),
    spatial_reduce: rows(6),
    temporal_normal: rows(8),
    temporal_reduce: rows(8),
  };
}

export function softmaxOf(raw: Omit<Alphas, 'source'>): AlphaSoftmax {
  return Object.fromEntries(CELL_TYPES.map((c) => [c, raw[c].map(softmax)])) as AlphaSoftmax;
}

export function makeFakeRun(dir: string, options: Partial<FakeRunOptions> = {}): FakeRunOptions {
  const o = { ...SEARCH, ...options };
  fs.mkdirSync(dir, { recursive: true });
  const metrics = path.join(dir, 'metrics.jsonl');
  fs.writeFileSync(metrics, '');
  const time = new Date(0).toISOString();
  const total = o.epochs * o.stepsPerEpoch;
  let step = 0;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const lr = { weights: 0.025 * 0.5 ** epoch, alphas: o.phase === 'search' ? 3e-4 : undefined };
    for (let s = 0; s < o.stepsPerEpoch; s++, step++) {
      const alphas = o.alphasInMetrics ? softmaxOf(fakeRawAlphas(step / o.stepsPerEpoch, 1)) : undefined;
      const p = step / total,
        wiggle = 0.1 * Math.sin(step);
      appendMetric(metrics, {
        kind: 'step',
        phase: o.phase,
        epoch,
        step,
        loss: 2.3 - 1.5 * p + wiggle,
        alphaLoss: o.phase === 'search' ? 2.4 - 1.4 * p + wiggle : undefined,
        acc: 0.9 * p,
        lr,
        clipsPerSec: 10,
        dataWait: 0.1,
        alphas,
        time,
      });
    }
    const p = (epoch + 1) / o.epochs;
    appendMetric(metrics, {
      kind: 'epoch',
      phase: o.phase,
      epoch,
      step,
      loss: 2.3 - 1.5 * p,
      acc: 0.8 * p,
      valAcc: o.valAcc ? 0.7 * p : undefined,
      lr,
      clipsPerSec: 10,
      dataWait: 0.1,
      skipped: 0,
      time,
    });
  }
  if (o.alphasFiles) {
    for (let epoch = 0; epoch <= o.epochs; epoch++) {
      writeAlphas(path.join(dir, 'alphas', `epoch-${String(epoch).padStart(3, '0')}.json`), {
        ...fakeRawAlphas(epoch, 2),
        source: { run: path.basename(dir), epoch },
      });
    }
  }
  if (o.genotype !== null) writeGenotype(path.join(dir, 'genotype.json'), o.genotype);
  return o;
}

export interface XmlElement {
  tag: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Own text (text nodes directly inside). */
  text: string;
}

type Ordered = Array<Record<string, unknown>>;

function toElements(nodes: Ordered): XmlElement[] {
  const out: XmlElement[] = [];
  for (const node of nodes) {
    const tag = Object.keys(node).find((k) => k !== ':@');
    if (tag === undefined || tag === '#text' || tag.startsWith('?') || tag === '#comment') continue;
    const childNodes = node[tag] as Ordered;
    const attrs = (node[':@'] ?? {}) as Record<string, string>;
    const text = childNodes
      .filter((c) => '#text' in c)
      .map((c) => String(c['#text']))
      .join('');
    out.push({ tag, attrs, children: toElements(childNodes), text });
  }
  return out;
}

/** Parses an SVG document; throws when it is not well-formed XML or its root is not <svg>. */
export function parseSvg(text: string): XmlElement {
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new Error(`not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: false,
    htmlEntities: true,
  });
  const roots = toElements(parser.parse(text) as Ordered);
  if (roots.length !== 1 || roots[0].tag !== 'svg') throw new Error(`root is ${roots.map((r) => r.tag).join(', ')}, not a single <svg>`);
  return roots[0];
}

export function findAll(root: XmlElement, match: (e: XmlElement) => boolean): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    if (match(e)) out.push(e);
    e.children.forEach(walk);
  };
  walk(root);
  return out;
}

/** All text under an element, in document order. */
export function textOf(e: XmlElement): string {
  return e.text + e.children.map(textOf).join('');
}

export const byClass =
  (cls: string) =>
  (e: XmlElement): boolean =>
    (e.attrs.class ?? '').split(/\s+/).includes(cls);
