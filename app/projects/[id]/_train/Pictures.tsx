'use client';
import { useState } from 'react';
import type { PictureRef } from './useTrainer';

/** Saved grids with a timeline to scrub through them; follows the newest unless the user picked one. */
export function Pictures({ title, pictures }: { title: string; pictures: PictureRef[] }) {
  const [picked, setPicked] = useState<number>();
  if (pictures.length === 0) return null;
  const sorted = [...pictures].sort((a, b) => a.index - b.index);
  const shown = picked !== undefined && picked < sorted.length ? picked : sorted.length - 1;
  const current = sorted[shown]!;
  return (
    <figure className="pictures" aria-label={title}>
      <figcaption>
        {title} · iteration {current.step.toLocaleString()}
      </figcaption>
      {/* eslint-disable-next-line @next/next/no-img-element */}
      <img src={current.src} alt={`${title} at iteration ${current.step}`} data-step={current.step} />
      <input
        type="range"
        min={0}
        max={sorted.length - 1}
        value={shown}
        aria-label={`${title} timeline`}
        onChange={(e) => {
          const value = Number(e.target.value);
          setPicked(value === sorted.length - 1 ? undefined : value);
        }}
      />
    </figure>
  );
}
