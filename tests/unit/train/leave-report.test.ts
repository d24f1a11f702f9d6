import { describe, expect, it } from 'vitest';
import { leaveReport, MAX_LEAVE_REPORT_BYTES } from '../../../lib/train/leave-report';
import type { MetricPoint } from '../../../lib/train/protocol';

const bytes = (text: string) => new TextEncoder().encode(text).byteLength;
const points = (n: number): MetricPoint[] => Array.from({ length: n }, (_, step) => ({ step, values: { D_loss: 1.2345678901234, G_loss: 0.123456789, 'mean σ(D_real)': 0.5 } }));
const progress = { iteration: 120, itPerSec: 48.5, seconds: 2.5, diagnoses: [] };

describe("a closing page's last report", () => {
  it('carries every unsent point when they fit a beacon', () => {
    const { body, carried } = leaveReport(progress, points(120));
    expect(carried).toBe(120);
    expect(JSON.parse(body)).toEqual({ ...progress, points: points(120) });
  });

  it('is cut to what a beacon carries, oldest points first, to the byte (names in UTF-8 count as such)', () => {
    const many = points(5000);
    const { body, carried } = leaveReport(progress, many);
    expect(bytes(body)).toBeLessThanOrEqual(MAX_LEAVE_REPORT_BYTES);
    expect(carried).toBeGreaterThan(100);
    expect(carried).toBeLessThan(5000);
    expect(JSON.parse(body).points).toEqual(many.slice(0, carried));
    // One point more would not have fitted.
    expect(bytes(JSON.stringify({ ...progress, points: many.slice(0, carried + 1) }))).toBeGreaterThan(MAX_LEAVE_REPORT_BYTES);
  });

  it('drops its scores and diagnoses, never its progress, when those alone are too large', () => {
    const diagnosis = { id: 'mode-collapse' as const, step: 1, title: 't', evidence: 'e'.repeat(1000), meaning: 'm'.repeat(1000), remedy: 'r'.repeat(1000) };
    const { body } = leaveReport({ ...progress, diagnoses: [diagnosis] }, points(3), 2000);
    expect(JSON.parse(body)).toMatchObject({ iteration: 120, seconds: 2.5, diagnoses: [] });
    expect(bytes(body)).toBeLessThanOrEqual(2000);
  });
});
