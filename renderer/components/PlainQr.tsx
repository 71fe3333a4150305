/**
 * A plain QR code of text (a script hash, for phones and ordinary readers such as zbarimg), drawn
 * crisp at an integer scale like the message display.
 */
import { useEffect, useMemo, useRef } from 'react';
import { matrixPixels, textMatrix } from '../transfer/qr-raster.js';

export function PlainQr({ text, label, maxSize = 280 }: { text: string; label: string; maxSize?: number }) {
  const ref = useRef<HTMLCanvasElement | null>(null);
  const image = useMemo(() => {
    const m = textMatrix(text, 'M');
    const p = matrixPixels(m, Math.max(1, Math.floor(maxSize / m.size)));
    return new ImageData(p.data as Uint8ClampedArray<ArrayBuffer>, p.width, p.height);
  }, [text, maxSize]);
  useEffect(() => {
    ref.current?.getContext('2d')?.putImageData(image, 0, 0);
  }, [image]);
  return (
    <canvas ref={ref} className="kw-plain-qr" width={image.width} height={image.height} role="img" aria-label={label} />
  );
}
