'use client';

import { closestCenter, DndContext, KeyboardSensor, PointerSensor, useSensor, useSensors, type DragEndEvent } from '@dnd-kit/core';
import { SortableContext, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { drawnNetworks, nodeLabel, type Analysis } from '@/lib/graph/analyse';
import { moveScheduleStep, setScheduleRepeat } from '@/lib/graph/edit';
import type { GraphDoc } from '@/lib/graph/schema';

interface StepView {
  /** Position in the schedule: also the sortable id (schedule entries may repeat an optimizer). */
  index: number;
  optimizer: string;
  label: string;
  title: string;
  loss?: string;
  networks: string[];
  repeat: number;
}

/** The optimizer steps of one iteration, in order: drag (or move) to reorder, set each step's rounds (d_steps). */
export function ScheduleEditor({ doc, analysis, disabled, onChange, onMessage }: { doc: GraphDoc; analysis: Analysis; disabled: boolean; onChange(doc: GraphDoc): void; onMessage(message: string): void }) {
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 4 } }), useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }));
  const steps: StepView[] = doc.training.schedule.map((step, index) => {
    const info = analysis.main.nodes.get(step.optimizer);
    const optimizer = analysis.optimizers.find((o) => o.node === step.optimizer);
    const loss = optimizer && analysis.main.nodes.get(optimizer.loss.node);
    return {
      index,
      optimizer: step.optimizer,
      label: info ? nodeLabel(info) : step.optimizer,
      title: info?.kind?.title ?? 'missing node',
      loss: loss && nodeLabel(loss),
      networks: drawnNetworks(analysis, optimizer?.networks ?? []).map((id) => doc.networks.find((n) => n.id === id)?.name ?? id),
      repeat: step.repeat,
    };
  });
  const move = (from: number, to: number) => onChange(moveScheduleStep(doc, from, to));
  const onDragEnd = ({ active, over }: DragEndEvent) => {
    if (over && active.id !== over.id) move(Number(active.id) - 1, Number(over.id) - 1);
  };
  if (steps.length === 0) return <p className="muted">No optimizer yet: add one and connect a loss to it; it joins the schedule.</p>;
  return (
    <DndContext sensors={sensors} collisionDetection={closestCenter} onDragEnd={onDragEnd}>
      {/* Sortable ids start at 1: dnd-kit treats 0 as no id. */}
      <SortableContext items={steps.map((s) => s.index + 1)} strategy={verticalListSortingStrategy}>
        <ol className="schedule" aria-label="Schedule">
          {steps.map((step) => (
            <ScheduleRow
              key={`${step.index}:${step.optimizer}`}
              step={step}
              count={steps.length}
              disabled={disabled}
              onMove={move}
              onRepeat={(repeat) => {
                const next = setScheduleRepeat(doc, step.index, repeat);
                if (next.ok) onChange(next.value);
                else onMessage(`Schedule step ${step.index + 1}: ${next.error}`);
              }}
            />
          ))}
        </ol>
      </SortableContext>
    </DndContext>
  );
}

function ScheduleRow({ step, count, disabled, onMove, onRepeat }: { step: StepView; count: number; disabled: boolean; onMove(from: number, to: number): void; onRepeat(repeat: number): void }) {
  const { attributes, listeners, setNodeRef, transform, transition, isDragging } = useSortable({ id: step.index + 1, disabled });
  return (
    <li ref={setNodeRef} style={{ transform: CSS.Transform.toString(transform), transition }} className={isDragging ? 'dragging' : undefined} data-optimizer={step.optimizer}>
      <button className="handle" aria-label={`Drag ${step.label} to reorder`} title="Drag to reorder" disabled={disabled} {...attributes} {...listeners}>
        ⠿
      </button>
      <span className="step-text">
        <strong>{step.label}</strong> <span className="muted">({step.title})</span>
        <small>
          lowers {step.loss ?? <em>no loss</em>} · updates {step.networks.length ? step.networks.join(', ') : <em>nothing</em>}
        </small>
      </span>
      <label className="repeat" title="Rounds of this step per iteration (d_steps)">
        ×
        <input
          type="number"
          min={1}
          max={1000}
          aria-label={`Repeat ${step.label}`}
          key={step.repeat}
          defaultValue={step.repeat}
          disabled={disabled}
          onBlur={(e) => Number(e.target.value) !== step.repeat && onRepeat(Number(e.target.value))}
          onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
        />
      </label>
      <span className="moves">
        <button aria-label={`Move ${step.label} up`} disabled={disabled || step.index === 0} onClick={() => onMove(step.index, step.index - 1)}>
          ↑
        </button>
        <button aria-label={`Move ${step.label} down`} disabled={disabled || step.index === count - 1} onClick={() => onMove(step.index, step.index + 1)}>
          ↓
        </button>
      </span>
    </li>
  );
}
