'use client';

import { useState } from 'react';

/** A Delete button that asks first: “Delete “name” for good?” with Yes and Keep. */
export function ConfirmDelete({ name, onConfirm }: { name: string; onConfirm(): void }) {
  const [asking, setAsking] = useState(false);
  if (!asking) return <button onClick={() => setAsking(true)}>Delete</button>;
  return (
    <>
      <span>Delete “{name}” for good?</span>
      <button
        className="danger"
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        Yes, delete
      </button>
      <button onClick={() => setAsking(false)}>Keep</button>
    </>
  );
}
