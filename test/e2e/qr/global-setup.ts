import { servePages } from './pages.js';

/** Build and serve the pages once for all QR tests; KW_QR_PAGES tells the tests where. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const { url, close } = await servePages();
  process.env.KW_QR_PAGES = url;
  return close;
}
