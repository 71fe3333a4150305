/**
 * One or more signed messages of a session as one animated QR loop (docs/qr-format.md,
 * "Receiving"): a statement with the blob messages carrying its evidence, or an exception with the
 * statement and blobs it needs. Each message keeps its own frames (the receiver's assembler keys
 * them by message id), so they can share a loop; every frame is drawn at the version of the largest
 * so the code keeps its size.
 */
import { useMemo } from 'react';
import type { SignedMessage } from '../../src/core/protocol/message.js';
import { encodeMessage } from '../../src/core/transfer/encoder.js';
import { QrDisplay } from '../transfer/QrDisplay.js';
import { useProjector } from './use-projector.js';

export function MessageQr({ messages, label }: { messages: readonly SignedMessage[]; label: string }) {
  const projector = useProjector();
  const frames = useMemo(
    () => messages.flatMap((m) => encodeMessage(m.wire, { sessionId: m.envelope.sid }).frames),
    [messages],
  );
  const parts = messages.map((m) => m.envelope.t).join(' + ');
  return (
    <div className="kw-message-qr" data-testid="message-qr" data-messages={messages.length}>
      <QrDisplay frames={frames} maxSize={projector ? 720 : 460} label={`${label} (${parts})`} />
      <p className="kw-muted">
        Carries: {parts}. Keep the camera on the code until the receiving device says the message is complete.
      </p>
    </div>
  );
}
