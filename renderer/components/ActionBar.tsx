/**
 * The screen's next action, kept in view: a bar that sticks to the bottom of the window while the
 * screen's content scrolls behind it, so at 1280×800 (and in projector mode) the person running
 * the step never has to hunt for the button below the fold.
 */
import type { ReactNode } from 'react';

export function ActionBar({ children, label }: { children: ReactNode; label: string }) {
  return (
    <div className="kw-actionbar" role="group" aria-label={label} data-testid="action-bar">
      {children}
    </div>
  );
}
