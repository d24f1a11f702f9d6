'use client';

import type { Thumbnail } from './thumbnail';

export interface TemplateChoice {
  id: string;
  name: string;
  description: string;
  summary: string;
  thumbnail: Thumbnail;
}

/** A template's main graph, small: boxes where its nodes are, in their colours, and its edges. */
function GraphPicture({ picture, name }: { picture: Thumbnail; name: string }) {
  return (
    <svg className="template-picture" viewBox={`-10 -10 ${picture.width + 20} ${picture.height + 20}`} preserveAspectRatio="xMidYMid meet" role="img" aria-label={`The graph of ${name}`}>
      {picture.lines.map((l, i) => (
        <line key={i} {...l} stroke="currentColor" strokeOpacity={0.35} strokeWidth={6} />
      ))}
      {picture.boxes.map((b, i) => (
        <rect key={i} x={b.x} y={b.y} width={b.width} height={b.height} rx={14} fill={b.color}>
          <title>{b.label}</title>
        </rect>
      ))}
    </svg>
  );
}

/**
 * The templates as cards, each with a picture of its graph and what it is in
 * a sentence; choosing one sets the form's template (the select beside it
 * stays the one field the form sends).
 */
export function TemplatePicker({ templates, chosen, onChoose }: { templates: readonly TemplateChoice[]; chosen: string; onChoose(id: string): void }) {
  return (
    <ul className="template-gallery" aria-label="Starting graphs">
      <li>
        <button type="button" className="template-card" aria-pressed={chosen === ''} onClick={() => onChoose('')}>
          <svg className="template-picture" viewBox="0 0 100 30" role="img" aria-label="An empty canvas">
            <rect x={2} y={2} width={96} height={26} rx={3} fill="none" stroke="currentColor" strokeOpacity={0.3} strokeDasharray="3 2" />
          </svg>
          <strong>Blank canvas</strong>
          <span>Start from nothing: drag kinds from the palette and wire them.</span>
        </button>
      </li>
      {templates.map((t) => (
        <li key={t.id}>
          <button type="button" className="template-card" data-template={t.id} aria-pressed={chosen === t.id} onClick={() => onChoose(t.id)} title={t.description}>
            <GraphPicture picture={t.thumbnail} name={t.name} />
            <strong>{t.name}</strong>
            <span>{t.summary}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}
