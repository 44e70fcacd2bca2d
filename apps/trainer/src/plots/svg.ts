/**
 * Minimal SVG text building: every attribute and text node is escaped here, so a plot cannot produce
 * malformed XML whatever its labels hold.
 */

export type Attrs = Record<string, string | number | undefined>;

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Coordinates with at most 2 decimals (smaller files, same picture). */
export function num(v: number): string {
  return String(Math.round(v * 100) / 100);
}

function attrText(attrs: Attrs): string {
  return Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(typeof v === 'number' ? num(v) : String(v))}"`)
    .join('');
}

/** An element; `children` are already-built SVG strings. */
export function el(tag: string, attrs: Attrs, children: readonly string[] = []): string {
  return children.length === 0 ? `<${tag}${attrText(attrs)}/>` : `<${tag}${attrText(attrs)}>${children.join('')}</${tag}>`;
}

export function textEl(content: string, attrs: Attrs): string {
  return `<text${attrText(attrs)}>${escapeXml(content)}</text>`;
}

export function svgDocument(width: number, height: number, title: string, children: readonly string[]): string {
  const root = el(
    'svg',
    { xmlns: 'http://www.w3.org/2000/svg', width, height, viewBox: `0 0 ${num(width)} ${num(height)}`, 'font-family': 'Helvetica, Arial, sans-serif' },
    [el('title', {}, [escapeXml(title)]), el('rect', { width, height, fill: 'white' }), ...children],
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n${root}\n`;
}
