/**
 * Scanning from files, for when the camera fails or the room filmed the screen on another device:
 * still images (a photo or screenshot of a QR code, one file per frame of an animated code) and
 * recorded videos. Both are decoded by this renderer alone — images with createImageBitmap, videos
 * by Chromium's own <video> pipeline from a blob: URL of the chosen file, so WebM and H.264 MP4
 * play as Chromium plays them and nothing is fetched — and every frame goes through the same
 * scanner worker and assembler as camera frames, so a message surfaces only after its signature
 * check, exactly as from the camera.
 */
import { FrameScanner, type FrameScannerOptions } from './scanner-client.js';

/** Largest image file read (a camera photo is a few MiB; a QR screenshot far less). */
export const MAX_SCAN_IMAGE_BYTES = 32 * 1024 * 1024;
/** Largest video file played: Chromium streams it from the file, nothing of it is copied here. */
export const MAX_SCAN_VIDEO_BYTES = 1024 * 1024 * 1024;
/** Images larger than this on their longest side are scaled down before decoding. */
const MAX_IMAGE_SIDE = 2000;
/** A video is played this many times at most, so frames skipped while the decoder was busy are read on a later pass. */
const VIDEO_PASSES = 3;
/** Time allowed per frame: a still photo is larger than a camera frame. */
const FILE_BUDGET_MS = 3000;

/** What a file gave: how many frames were decoded and how many QR codes they held. */
export interface FileScanSummary {
  readonly file: string;
  readonly kind: 'image' | 'video';
  readonly frames: number;
  readonly codes: number;
}

const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(0)} MiB`;
const describe = (file: File): string => `"${file.name}" (${file.type || 'type unknown'})`;

/** Which way to read a file: by its type, or by trying an image when the type says nothing. */
function kindOf(file: File): 'image' | 'video' | 'unknown' {
  if (file.type.startsWith('image/')) return 'image';
  if (file.type.startsWith('video/')) return 'video';
  return 'unknown';
}

async function imageBitmap(file: File): Promise<ImageBitmap> {
  if (file.size > MAX_SCAN_IMAGE_BYTES)
    throw new Error(`${describe(file)} is ${mib(file.size)}; images up to ${mib(MAX_SCAN_IMAGE_BYTES)} are read`);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new Error(`${describe(file)} is not an image this app can decode (PNG, JPEG, WebP, GIF and BMP are)`);
  }
  const side = Math.max(bitmap.width, bitmap.height);
  if (side <= MAX_IMAGE_SIDE) return bitmap;
  const scale = MAX_IMAGE_SIDE / side;
  const resized = await createImageBitmap(bitmap, {
    resizeWidth: Math.round(bitmap.width * scale),
    resizeHeight: Math.round(bitmap.height * scale),
    resizeQuality: 'high',
  });
  bitmap.close();
  return resized;
}

async function decode(scanner: FrameScanner, bitmap: ImageBitmap): Promise<Uint8Array[]> {
  const outcome = await scanner.scan(bitmap);
  if (outcome.kind === 'decoded') return outcome.codes;
  if (outcome.kind === 'overrun') throw new Error(`a frame took longer than ${outcome.budgetMs} ms to decode`);
  throw new Error(outcome.message);
}

type VideoWithCallback = HTMLVideoElement & {
  requestVideoFrameCallback(cb: (now: number, meta: { mediaTime: number }) => void): number;
  cancelVideoFrameCallback(handle: number): void;
};

/** Resolve once the video can play, or reject naming the format Chromium could not decode. */
function loaded(video: HTMLVideoElement, file: File, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      video.removeEventListener('loadeddata', ok);
      video.removeEventListener('error', bad);
      signal.removeEventListener('abort', gone);
    };
    // The screen went away while the file was opening: stop waiting, so the scanner worker is closed.
    const gone = (): void => {
      done();
      reject(new Error('reading the file was stopped'));
    };
    const ok = (): void => {
      done();
      resolve();
    };
    const bad = (): void => {
      done();
      const code = video.error?.code;
      reject(
        new Error(
          code === MediaError.MEDIA_ERR_SRC_NOT_SUPPORTED || code === MediaError.MEDIA_ERR_DECODE
            ? `${describe(file)} is in a format this app's video decoder cannot play: record as WebM (VP8, VP9) or MP4 (H.264)`
            : `${describe(file)} could not be played: ${video.error?.message || 'unknown media error'}`,
        ),
      );
    };
    video.addEventListener('loadeddata', ok);
    video.addEventListener('error', bad);
    signal.addEventListener('abort', gone);
  });
}

/**
 * Play a recorded video into `video` (muted, never shown to the network) and decode its frames
 * until `stop()` or `VIDEO_PASSES` plays; every frame's codes go to `onCodes`.
 */
async function scanVideo(
  file: File,
  video: HTMLVideoElement,
  scanner: FrameScanner,
  onCodes: (codes: Uint8Array[]) => void,
  signal: AbortSignal,
): Promise<FileScanSummary> {
  if (file.size > MAX_SCAN_VIDEO_BYTES)
    throw new Error(`${describe(file)} is ${mib(file.size)}; videos up to ${mib(MAX_SCAN_VIDEO_BYTES)} are read`);
  if (file.type && video.canPlayType(file.type) === '')
    throw new Error(`${describe(file)} is a video type this app's video decoder cannot play: record as WebM or MP4`);
  const v = video as VideoWithCallback;
  const url = URL.createObjectURL(file);
  let frames = 0;
  let codes = 0;
  let handle = 0;
  try {
    video.muted = true;
    video.playsInline = true;
    video.src = url;
    await loaded(video, file, signal);
    for (let pass = 0; pass < VIDEO_PASSES && !signal.aborted; pass++) {
      video.currentTime = 0;
      await new Promise<void>((resolve, reject) => {
        let pending = false;
        const finish = (): void => {
          v.cancelVideoFrameCallback(handle);
          video.removeEventListener('ended', finish);
          signal.removeEventListener('abort', finish);
          resolve();
        };
        const onFrame = (): void => {
          if (signal.aborted) return;
          handle = v.requestVideoFrameCallback(onFrame);
          // As with the camera: skip a frame while the previous one decodes; a later pass reads it.
          if (pending) return;
          pending = true;
          createImageBitmap(video)
            .then((bitmap) => decode(scanner, bitmap))
            .then((found) => {
              frames++;
              codes += found.length;
              if (found.length > 0 && !signal.aborted) onCodes(found);
            })
            .catch(() => undefined)
            .finally(() => {
              pending = false;
            });
        };
        video.addEventListener('ended', finish);
        signal.addEventListener('abort', finish);
        handle = v.requestVideoFrameCallback(onFrame);
        video.play().catch((e: unknown) => {
          finish();
          reject(new Error(`${describe(file)} could not be played: ${e instanceof Error ? e.message : String(e)}`));
        });
      });
    }
  } finally {
    video.pause();
    video.removeAttribute('src');
    video.load();
    URL.revokeObjectURL(url);
  }
  return { file: file.name, kind: 'video', frames, codes };
}

/**
 * Read QR frames from the chosen files, in order: each image is one frame; a video is played and
 * its frames read. Throws with the file's name and type for one it cannot read, after the files
 * before it were read.
 */
export async function scanFiles(
  files: readonly File[],
  video: HTMLVideoElement,
  options: Pick<FrameScannerOptions, 'decoder' | 'wasmUrl'> & {
    readonly onCodes: (codes: Uint8Array[]) => void;
    readonly onFile?: (summary: FileScanSummary) => void;
    readonly signal: AbortSignal;
  },
): Promise<FileScanSummary[]> {
  const scanner = new FrameScanner({
    decoder: options.decoder,
    ...(options.wasmUrl ? { wasmUrl: options.wasmUrl } : {}),
    budgetMs: FILE_BUDGET_MS,
  });
  const out: FileScanSummary[] = [];
  try {
    for (const file of files) {
      if (options.signal.aborted) break;
      let kind = kindOf(file);
      let summary: FileScanSummary;
      // No type to go by: an image if it decodes as one (never reading more than an image may be).
      if (kind === 'unknown')
        kind =
          file.size > MAX_SCAN_IMAGE_BYTES
            ? 'video'
            : await createImageBitmap(file).then(
                (b) => (b.close(), 'image' as const),
                () => 'video' as const,
              );
      if (kind === 'image') {
        const found = await decode(scanner, await imageBitmap(file));
        if (found.length > 0) options.onCodes(found);
        summary = { file: file.name, kind, frames: 1, codes: found.length };
      } else {
        summary = await scanVideo(file, video, scanner, options.onCodes, options.signal);
      }
      out.push(summary);
      options.onFile?.(summary);
    }
  } finally {
    scanner.close();
  }
  return out;
}
