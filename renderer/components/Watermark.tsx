/**
 * The rehearsal watermark: diagonal bands across the whole window, drawn by CSS generated content
 * so they never take focus or hide controls from the keyboard; printed too. The header carries the
 * same word for screen readers.
 */
export function Watermark({ on }: { on: boolean }) {
  if (!on) return null;
  return <div className="kw-watermark" aria-hidden="true" data-testid="watermark" />;
}
