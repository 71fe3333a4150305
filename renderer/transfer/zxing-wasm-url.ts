/**
 * URL of zxing's reader .wasm inside the app bundle. The bundler copies the file into the app's
 * own output and gives back a same-origin URL; the scanner hands that URL to zxing-wasm so it never
 * falls back to its CDN default (docs/security.md, "No network").
 */
/// <reference types="vite/client" />
import zxingReaderWasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';

export const ZXING_WASM_URL: string = zxingReaderWasmUrl;
