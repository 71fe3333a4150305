/**
 * A Y4M video of one QR code, for Chromium's fake camera (--use-file-for-fake-video-capture).
 * Y4M is raw 4:2:0 frames after a one-line header, so the QR modules are painted straight into
 * the luma plane; chroma is neutral grey.
 */
import { writeFile } from 'node:fs/promises';
import QRCode from 'qrcode';

/** Write `frames` identical frames showing `text` as a QR code (ECC L, byte mode). */
export async function writeQrY4m(path: string, text: string, width = 640, height = 480, frames = 10): Promise<void> {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'L' });
  const size = qr.modules.size;
  const scale = Math.floor(Math.min(width, height) / (size + 8));
  const x0 = Math.floor((width - size * scale) / 2);
  const y0 = Math.floor((height - size * scale) / 2);
  const luma = new Uint8Array(width * height).fill(235);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      if (!qr.modules.get(r, c)) continue;
      for (let dy = 0; dy < scale; dy++)
        luma.fill(
          16,
          (y0 + r * scale + dy) * width + x0 + c * scale,
          (y0 + r * scale + dy) * width + x0 + (c + 1) * scale,
        );
    }
  }
  const chroma = new Uint8Array((width / 2) * (height / 2) * 2).fill(128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  await writeFile(path, Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]));
}
