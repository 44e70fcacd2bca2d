/**
 * The evaluation section of a run's markdown report: top-1/top-5 at 30 views and at a single view, which videos
 * were scored on fewer views (or not at all), a per-class table and the confusion matrix.
 *
 * Percentages have two decimals. Class names are escaped for tables (`|` and line breaks). The confusion
 * matrix is a full markdown table (rows = true class, columns = predicted top-1, both by name) up to
 * `maxConfusionClasses` classes (default 50); beyond that a C x C table is unreadable (Kinetics-400 would be
 * 160,000 cells), so the section lists the most frequent confusions instead and says the full matrix is in the
 * metrics (`Metrics.confusion`).
 */
import { EvaluationError, videoLabel } from './errors';
import type { ClassAccuracy, TopK } from './metrics';
import type { ViewEvaluation } from './view-metrics';
import { clipAndCrop, CROP_NAMES, CROPS_PER_CLIP } from '@pvnas/base';

export interface ReportOptions {
  /** One name per class, in class-index order. */
  classNames: readonly string[];
  /** Heading of the section (default `## Evaluation`). Sub-sections use one more `#`. */
  title?: string;
  /** Video names (indexed by video) for the lists of incomplete videos. */
  videoNames?: readonly string[];
  /** Full confusion table up to this many classes, else the most frequent confusions (default 50). */
  maxConfusionClasses?: number;
  /** Most frequent confusions listed when the table is not drawn (default 20). */
  topConfusions?: number;
  /** Videos listed by name in each note before "... and N more" (default 20). */
  maxListed?: number;
}

/** A table cell: `|` escaped, line breaks made spaces. */
export function escapeCell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n|\r/g, ' ');
}

export function formatPercent(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}

function row(cells: readonly (string | number)[]): string {
  return `| ${cells.join(' | ')} |`;
}

function topKCell(t: TopK): string {
  return formatPercent(t.accuracy);
}

function classCell(pc: ClassAccuracy): string {
  return pc.accuracy === null ? 'no videos' : `${formatPercent(pc.accuracy)} (${pc.correct}/${pc.videos})`;
}

function viewsLabel(views: number): string {
  return views % CROPS_PER_CLIP === 0 ? `${views}-view (${plural(views / CROPS_PER_CLIP, 'clip')} x ${CROPS_PER_CLIP} crops)` : `${views}-view`;
}

function singleLabel(view: number): string {
  const { clip, crop } = clipAndCrop(view);
  return `single view (view ${view}: clip ${clip}, ${CROP_NAMES[crop]} crop)`;
}

function listVideos(videos: readonly string[], max: number): string {
  const shown = videos.slice(0, max).join(', ');
  return videos.length > max ? `${shown}, ... and ${videos.length - max} more` : shown;
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** The report section, ending with a newline. */
export function renderEvaluationMarkdown(ev: ViewEvaluation, opts: ReportOptions): string {
  const m = ev.multiView;
  const C = m.numClasses;
  const names = opts.classNames;
  if (names.length !== C) throw new EvaluationError(`${names.length} class names for ${C} classes`);
  const title = opts.title ?? '## Evaluation';
  const sub = `${title.match(/^#*/)![0] || '##'}#`;
  const maxListed = opts.maxListed ?? 20;
  const cls = names.map(escapeCell);
  const s = ev.singleView;
  const out: string[] = [title, ''];

  // headline figures
  out.push(row(['views', 'videos', 'top-1', 'top-5', 'mean class accuracy']), row(['---', '---:', '---:', '---:', '---:']));
  out.push(row([viewsLabel(ev.views), m.videos, topKCell(m.top1), topKCell(m.top5), formatPercent(m.meanClassAccuracy)]));
  if (s && ev.singleViewIndex !== null) {
    out.push(row([singleLabel(ev.singleViewIndex), s.videos, topKCell(s.top1), topKCell(s.top5), formatPercent(s.meanClassAccuracy)]));
  }
  out.push('');

  // notes
  const notes: string[] = [];
  if (m.top5.effectiveK < 5) notes.push(`top-5 is top-${m.top5.effectiveK}: there are only ${C} classes.`);
  if (m.classesWithVideos < C) {
    notes.push(`${plural(C - m.classesWithVideos, 'class', 'classes')} of ${C} had no videos; mean class accuracy is over the other ${m.classesWithVideos}.`);
  }
  const vname = (v: number): string => escapeCell(videoLabel(v, opts.videoNames));
  if (ev.incomplete.length > 0) {
    const items = ev.incomplete.map((iv) => `${vname(iv.video)}: ${iv.views} of ${ev.views} views`);
    notes.push(
      `${plural(ev.incomplete.length, 'video')} got fewer than ${ev.views} views and ${ev.incomplete.length === 1 ? 'was' : 'were'} scored over the views ${ev.incomplete.length === 1 ? 'it has' : 'they have'}: ${listVideos(items, maxListed)}.`,
    );
  }
  if (ev.unseen.length > 0) {
    notes.push(
      `${plural(ev.unseen.length, 'video')} got no view and ${ev.unseen.length === 1 ? 'is' : 'are'} not scored: ${listVideos(ev.unseen.map(vname), maxListed)}.`,
    );
  }
  if (ev.singleViewIndex !== null && ev.singleViewMissing.length > 0) {
    notes.push(
      `${plural(ev.singleViewMissing.length, 'video')} ${ev.singleViewMissing.length === 1 ? 'lacks' : 'lack'} view ${ev.singleViewIndex} and ${ev.singleViewMissing.length === 1 ? 'is' : 'are'} left out of the single-view figures: ${listVideos(ev.singleViewMissing.map(vname), maxListed)}.`,
    );
  }
  if (notes.length > 0) out.push(...notes.map((n) => `- ${n}`), '');

  // per class
  out.push(`${sub} Per class`, '');
  const head = ['#', 'class', 'videos', `${ev.views}-view top-1`];
  const align = ['---:', '---', '---:', '---:'];
  if (s) {
    head.push('single-view top-1');
    align.push('---:');
  }
  out.push(row(head), row(align));
  for (let c = 0; c < C; c++) {
    const cells: (string | number)[] = [c, cls[c], m.perClass[c].videos, classCell(m.perClass[c])];
    if (s) cells.push(classCell(s.perClass[c]));
    out.push(row(cells));
  }
  out.push('');

  // confusion
  const maxC = opts.maxConfusionClasses ?? 50;
  if (C <= maxC) {
    out.push(`${sub} Confusion matrix (${ev.views}-view; rows: true class, columns: predicted top-1)`, '');
    out.push(row(['true \\ predicted', ...cls]), row(['---', ...cls.map(() => '---:')]));
    m.confusion.forEach((r, t) => out.push(row([cls[t], ...r])));
  } else {
    const pairs: Array<{ t: number; p: number; n: number }> = [];
    m.confusion.forEach((r, t) => r.forEach((n, p) => t !== p && n > 0 && pairs.push({ t, p, n })));
    pairs.sort((a, b) => b.n - a.n || a.t - b.t || a.p - b.p);
    const top = pairs.slice(0, opts.topConfusions ?? 20);
    out.push(
      `${sub} Most frequent confusions (${ev.views}-view)`,
      '',
      `${C} classes are too many for a readable confusion table (over ${maxC}); the full matrix is in the metrics.`,
      '',
    );
    out.push(row(['true class', 'predicted', 'videos', 'share of the true class']), row(['---', '---', '---:', '---:']));
    for (const { t, p, n } of top) out.push(row([cls[t], cls[p], n, formatPercent(n / m.perClass[t].videos)]));
    if (top.length === 0) out.push(row(['(none)', '', 0, '']));
  }
  out.push('');
  return out.join('\n');
}
