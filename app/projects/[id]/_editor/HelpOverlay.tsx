'use client';

export const SHORTCUTS: readonly [keys: string, action: string][] = [
  ['Ctrl+Z', 'Undo'],
  ['Ctrl+Shift+Z / Ctrl+Y', 'Redo'],
  ['Ctrl+C / Ctrl+V', 'Copy / paste the selection'],
  ['Ctrl+A', 'Select all'],
  ['Delete / Backspace', 'Delete the selection'],
  ['G', 'Create a network from the selection'],
  ['L', 'Auto-layout'],
  ['F', 'Fit the view'],
  ['Double-click a call', 'Open its network'],
  ['Enter on a palette item', 'Add it to the canvas'],
  ['?', 'This help'],
];

export function HelpOverlay({ shortcuts, onClose }: { shortcuts: typeof SHORTCUTS; onClose(): void }) {
  return (
    <div className="overlay" role="dialog" aria-label="Keyboard shortcuts" onClick={onClose}>
      <div className="overlay-body" onClick={(e) => e.stopPropagation()}>
        <h2>Keyboard shortcuts</h2>
        <table>
          <tbody>
            {shortcuts.map(([keys, action]) => (
              <tr key={keys}>
                <td>
                  <kbd>{keys}</kbd>
                </td>
                <td>{action}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <button onClick={onClose}>Close</button>
      </div>
    </div>
  );
}
