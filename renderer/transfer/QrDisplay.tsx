/**
 * Shows a message's frames as an animated QR code (docs/qr-format.md, "QR symbols"): all frames
 * pre-rendered once at one integer scale (crisp on any panel, `image-rendering: pixelated`), cycled
 * at ~10 frames/s, with pause and resume so a witness can hold a single frame for a slow camera.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { qrVersionFor } from '../../src/core/transfer/qr-symbol.js';
import { frameMatrix, matrixPixels } from './qr-raster.js';

export interface QrDisplayProps {
  /** Frames from encodeMessage, shown in order, looping. */
  readonly frames: readonly Uint8Array[];
  /** Frames per second (default 10). */
  readonly fps?: number;
  /** Largest side in CSS pixels; the scale is the largest integer that fits (default 480). */
  readonly maxSize?: number;
  readonly label?: string;
}

export function QrDisplay({ frames, fps = 10, maxSize = 480, label = 'Message QR code' }: QrDisplayProps) {
  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const [index, setIndex] = useState(0);
  const [paused, setPaused] = useState(false);

  const rendered = useMemo(() => {
    if (frames.length === 0) return { images: [] as ImageData[], side: 0 };
    const version = qrVersionFor(Math.max(...frames.map((f) => f.length)));
    const matrices = frames.map((f) => frameMatrix(f, version));
    // One version for every frame, so every matrix has the first one's size.
    const [first] = matrices;
    if (!first) return { images: [] as ImageData[], side: 0 };
    const scale = Math.max(1, Math.floor(maxSize / first.size));
    const images = matrices.map((m) => {
      const p = matrixPixels(m, scale);
      return new ImageData(p.data as Uint8ClampedArray<ArrayBuffer>, p.width, p.height);
    });
    return { images, side: first.size * scale };
  }, [frames, maxSize]);

  useEffect(() => {
    setIndex(0);
  }, [rendered]);

  useEffect(() => {
    if (paused || rendered.images.length < 2) return;
    const period = 1000 / Math.min(Math.max(fps, 1), 30);
    const timer = setInterval(() => setIndex((i) => (i + 1) % rendered.images.length), period);
    return () => clearInterval(timer);
  }, [paused, fps, rendered]);

  useEffect(() => {
    const image = rendered.images[index];
    const ctx = canvasRef.current?.getContext('2d');
    if (image && ctx) ctx.putImageData(image, 0, 0);
  }, [index, rendered]);

  if (frames.length === 0) return null;
  return (
    <figure className="kw-qr-display">
      <canvas
        ref={canvasRef}
        width={rendered.side}
        height={rendered.side}
        role="img"
        aria-label={label}
        data-frame={index}
        style={{ imageRendering: 'pixelated', width: rendered.side, height: rendered.side }}
      />
      <figcaption>
        {frames.length > 1 ? `Frame ${index + 1} of ${frames.length}` : 'Single frame'}
        {frames.length > 1 && (
          <button type="button" onClick={() => setPaused((p) => !p)}>
            {paused ? 'Resume' : 'Pause'}
          </button>
        )}
      </figcaption>
    </figure>
  );
}
