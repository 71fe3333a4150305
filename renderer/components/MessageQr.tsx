/**
 * One or more signed messages of a session as one animated QR loop (docs/qr-format.md,
 * "Receiving"): a statement with the blob messages carrying its evidence, or an exception with the
 * statement and blobs it needs. Each message keeps its own frames (the receiver's assembler keys
 * them by message id), so they can share a loop; every frame is drawn at the version of the largest
 * so the code keeps its size.
 */
import { useMemo, useRef } from 'react';
import type { SignedMessage } from '../../src/core/protocol/message.js';
import { encodeMessage } from '../../src/core/transfer/encoder.js';
import { QrDisplay } from '../transfer/QrDisplay.js';
import { useFitHeight } from './use-fit-height.js';
import { useProjector } from './use-projector.js';

export function MessageQr({
  messages,
  label,
  carries,
}: {
  messages: readonly SignedMessage[];
  label: string;
  /** What the code carries in the reader's words (e.g. "your signed objection to step 3.2"); the message types otherwise. */
  carries?: string;
}) {
  const projector = useProjector();
  const box = useRef<HTMLDivElement | null>(null);
  // Whole in the window: below its heading, above its caption, as large as the screen allows.
  const side = useFitHeight(box, { min: projector ? 400 : 320, max: projector ? 900 : 460, reserveRem: 3.5 }, [
    projector,
    messages,
  ]);
  const frames = useMemo(
    () => messages.flatMap((m) => encodeMessage(m.wire, { sessionId: m.envelope.sid }).frames),
    [messages],
  );
  const parts = messages.map((m) => m.envelope.t).join(' + ');
  return (
    <div className="kw-message-qr" data-testid="message-qr" data-messages={messages.length} ref={box}>
      <QrDisplay frames={frames} maxSize={side} label={`${label} (${parts})`} />
      <p className="kw-muted">
        {carries ? `Carries ${carries}` : `Carries: ${parts}`}. Keep the camera on the code until the receiving device
        says the message is complete.
      </p>
    </div>
  );
}
