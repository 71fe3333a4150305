/**
 * Module resolution hooks for the Electron start-up contract test: `import ... from 'electron'`
 * in the built main process resolves to the recording stand-in beside this file; every other
 * specifier resolves as Node resolves it. Registered with `node --import ./register.mjs`.
 */
const STAND_IN = new URL('./electron.mjs', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'electron') return { url: STAND_IN, shortCircuit: true };
  return nextResolve(specifier, context);
}
