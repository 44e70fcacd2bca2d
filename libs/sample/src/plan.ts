/**
 * The plan of a sample dataset: every clip with its seed, length, ids and file paths, and the manifest
 * files of both layouts as text. Pure: the same options give the same plan and byte-identical manifests.
 *
 * Kinetics layout (the official CSVs and the ActivityNet downloader's file names):
 *   kinetics/annotations/train.csv, validate.csv   header `label,youtube_id,time_start,time_end,split`,
 *                                                  split column `train` / `val` (official values)
 *   kinetics/{train,val}/<label_with_underscores>/<youtube_id>_<start:06d>_<end:06d>.mp4   (h264)
 * SSv2 layout (the official file names):
 *   ssv2/labels/something-something-v2-labels.json       {"<template without brackets>": "<index>"}
 *   ssv2/labels/something-something-v2-train.json        [{id, label, template, placeholders}]
 *   ssv2/labels/something-something-v2-validation.json
 *   ssv2/20bn-something-something-v2/<id>.webm           (VP9)
 * As in the official labels file, its keys are the templates with the brackets removed
 * ("Moving something up") and indices follow the templates' alphabetical order; the entries' `template`
 * keeps the brackets ("Moving [something] up").
 */
import { SAMPLE_CLASSES, type SampleClass } from './classes';
import type { SampleOptions } from './options';
import { describeObject, drawScene } from './scene';
import { createRng, deriveSeed } from '@pvnas/base';

export type SampleSplit = 'train' | 'val';

export interface PlannedClip {
  split: SampleSplit;
  /** Index into SAMPLE_CLASSES (= Kinetics order of this generator, not the loader's sorted order). */
  classIndex: number;
  cls: SampleClass;
  /** Clip number within its class and split. */
  index: number;
  /** Seed of the clip's scene (`drawScene(sceneSeed, width, height)`). */
  sceneSeed: number;
  /** T */
  frames: number;
  kinetics: {
    youtubeId: string;
    timeStart: number;
    timeEnd: number;
    /** Relative to the dataset root, `/`-separated. */
    path: string;
  };
  ssv2: {
    id: string;
    /** The object, e.g. "a striped disc". */
    placeholder: string;
    /** The template filled in: "moving a striped disc up". */
    label: string;
    path: string;
  };
}

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
const SSV2_MAX_ID = 220847; // the largest id of the real dataset

export const KINETICS_HEADER = 'label,youtube_id,time_start,time_end,split';
export const SSV2_VIDEO_DIR = 'ssv2/20bn-something-something-v2';
export const SSV2_LABELS = 'ssv2/labels/something-something-v2-labels.json';
export const SSV2_TRAIN = 'ssv2/labels/something-something-v2-train.json';
export const SSV2_VALIDATION = 'ssv2/labels/something-something-v2-validation.json';
export const KINETICS_TRAIN_CSV = 'kinetics/annotations/train.csv';
export const KINETICS_VAL_CSV = 'kinetics/annotations/validate.csv';

function pad6(n: number): string {
  return String(n).padStart(6, '0');
}

/** `[something]` → the placeholder; first letter lowercased, as the crowd-typed SSv2 labels are. */
export function fillTemplate(template: string, placeholder: string): string {
  const text = template.replace('[something]', placeholder);
  return text.charAt(0).toLowerCase() + text.slice(1);
}

export function stripBrackets(template: string): string {
  return template.replace(/\[([^\]]*)\]/g, '$1');
}

/** Every clip of the dataset: train then val, class by class. */
export function planSampleDataset(o: SampleOptions): PlannedClip[] {
  const clips: PlannedClip[] = [];
  const youtubeIds = new Set<string>();
  const ssv2Ids = new Set<string>();
  for (const split of ['train', 'val'] as const) {
    const perClass = split === 'train' ? o.trainPerClass : o.valPerClass;
    for (let c = 0; c < o.classes; c++) {
      const cls = SAMPLE_CLASSES[c]!;
      for (let i = 0; i < perClass; i++) {
        const key = [split, cls.name, i] as const;
        const sceneSeed = deriveSeed(o.seed, 'scene', ...key);
        const lengthRng = createRng(deriveSeed(o.seed, 'length', ...key));
        const seconds = o.seconds[0] + (o.seconds[1] - o.seconds[0]) * lengthRng.next();
        const frames = Math.max(2, Math.round(seconds * o.fps));

        let youtubeId = '';
        for (let attempt = 0; youtubeId === '' || youtubeIds.has(youtubeId); attempt++) {
          const rng = createRng(deriveSeed(o.seed, 'youtube-id', ...key, attempt));
          youtubeId = Array.from({ length: 11 }, () => ID_CHARS[rng.int(0, ID_CHARS.length - 1)]).join('');
        }
        youtubeIds.add(youtubeId);
        const timeStart = lengthRng.int(0, 290);
        const timeEnd = timeStart + Math.max(1, Math.round(frames / o.fps));
        const kPath = `kinetics/${split}/${cls.name.replace(/ /g, '_')}/${youtubeId}_${pad6(timeStart)}_${pad6(timeEnd)}.mp4`;

        let ssv2Id = '';
        for (let attempt = 0; ssv2Id === '' || ssv2Ids.has(ssv2Id); attempt++) {
          ssv2Id = String(createRng(deriveSeed(o.seed, 'ssv2-id', ...key, attempt)).int(1, SSV2_MAX_ID));
        }
        ssv2Ids.add(ssv2Id);
        const placeholder = describeObject(drawScene(sceneSeed, o.width, o.height));

        clips.push({
          split,
          classIndex: c,
          cls,
          index: i,
          sceneSeed,
          frames,
          kinetics: { youtubeId, timeStart, timeEnd, path: kPath },
          ssv2: { id: ssv2Id, placeholder, label: fillTemplate(cls.template, placeholder), path: `${SSV2_VIDEO_DIR}/${ssv2Id}.webm` },
        });
      }
    }
  }
  return clips;
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A Kinetics CSV of one split, rows sorted by label then youtube id (as the official files are). */
export function kineticsCsv(clips: readonly PlannedClip[], split: SampleSplit): string {
  const rows = clips
    .filter((c) => c.split === split)
    .map((c) => ({ label: c.cls.name, id: c.kinetics.youtubeId, c }))
    .sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const lines = rows.map(({ c }) => [csvField(c.cls.name), csvField(c.kinetics.youtubeId), c.kinetics.timeStart, c.kinetics.timeEnd, split].join(','));
  return [KINETICS_HEADER, ...lines].join('\n') + '\n';
}

/** The SSv2 labels object: bracket-free template → index string, indices in alphabetical template order. */
export function ssv2Labels(classes: number): Record<string, string> {
  const templates = SAMPLE_CLASSES.slice(0, classes)
    .map((c) => stripBrackets(c.template))
    .sort();
  return Object.fromEntries(templates.map((t, i) => [t, String(i)]));
}

export interface Ssv2Entry {
  id: string;
  label: string;
  template: string;
  placeholders: string[];
}

/** The SSv2 entries of one split, in a seeded shuffled order (the official files are not sorted). */
export function ssv2Entries(clips: readonly PlannedClip[], split: SampleSplit, seed: number): Ssv2Entry[] {
  const entries = clips
    .filter((c) => c.split === split)
    .map((c) => ({ id: c.ssv2.id, label: c.ssv2.label, template: c.cls.template, placeholders: [c.ssv2.placeholder] }));
  const rng = createRng(deriveSeed(seed, 'ssv2-order', split));
  for (let i = entries.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [entries[i], entries[j]] = [entries[j]!, entries[i]!];
  }
  return entries;
}

/** Every manifest file of the chosen layouts: path relative to the root → file text. */
export function manifestFiles(clips: readonly PlannedClip[], o: SampleOptions): Record<string, string> {
  const files: Record<string, string> = {};
  if (o.layouts.includes('kinetics')) {
    files[KINETICS_TRAIN_CSV] = kineticsCsv(clips, 'train');
    files[KINETICS_VAL_CSV] = kineticsCsv(clips, 'val');
  }
  if (o.layouts.includes('ssv2')) {
    files[SSV2_LABELS] = JSON.stringify(ssv2Labels(o.classes), null, 1) + '\n';
    files[SSV2_TRAIN] = JSON.stringify(ssv2Entries(clips, 'train', o.seed)) + '\n';
    files[SSV2_VALIDATION] = JSON.stringify(ssv2Entries(clips, 'val', o.seed)) + '\n';
  }
  return files;
}
