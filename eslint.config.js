// Lint enforces the layer boundaries of docs/architecture.md ("Layers"):
//  - src/core imports nothing platform-specific (no electron, node:*, DOM globals);
//  - src/node and src/cli never import electron;
//  - the renderer imports only core, the IPC contract types and browser libraries;
//  - screens render core's views and call its verbs: they never decode, verify or hash messages;
//  - no code path anywhere imports a network module.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import prettier from 'eslint-config-prettier';

const NODE_BUILTINS = [
  'assert',
  'buffer',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'net',
  'os',
  'path',
  'process',
  'readline',
  'stream',
  'tls',
  'url',
  'util',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
  'module',
  'perf_hooks',
  'inspector',
];
const NETWORK = [
  'http',
  'https',
  'http2',
  'net',
  'tls',
  'dgram',
  'dns',
  'node:http',
  'node:https',
  'node:http2',
  'node:net',
  'node:tls',
  'node:dgram',
  'node:dns',
  'undici',
  'axios',
  'node-fetch',
  'ws',
];

const RENDERER_PATHS_TAIL = [
  { name: 'electron', message: 'the renderer reaches the main process only through the preload bridge.' },
  ...NODE_BUILTINS.map((name) => ({ name, message: 'no Node in renderers.' })),
];
const RENDERER_PATTERNS = [
  { group: ['node:*'], message: 'no Node in renderers.' },
  {
    group: ['**/src/node/**', '**/src/main/**', '**/src/preload/**', '**/src/cli/**'],
    message: 'the renderer imports core and the IPC contract only.',
  },
];

const networkBan = NETWORK.map((name) => ({ name, message: 'Keywitness has no network code paths.' }));
const RENDERER_PATHS = [...networkBan, ...RENDERER_PATHS_TAIL];

export default tseslint.config(
  { ignores: ['tmp/**', 'dist/**', 'dist-*/**', 'out/**', 'release/**', 'node_modules/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    // Typed rules: the type checker's knowledge, applied to every TypeScript file of tsconfig.json.
    files: ['**/*.{ts,tsx}'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    // Tests assert on values they just built; a non-null assertion there fails the test loudly.
    files: ['test/**/*.{ts,tsx}', 'bench/**/*.{ts,tsx}'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: networkBan }],
      'no-restricted-globals': [
        'error',
        { name: 'fetch', message: 'Keywitness has no network code paths.' },
        { name: 'XMLHttpRequest', message: 'Keywitness has no network code paths.' },
        { name: 'WebSocket', message: 'Keywitness has no network code paths.' },
      ],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    languageOptions: { globals: { ...globals['shared-node-browser'] } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...networkBan,
            { name: 'electron', message: 'src/core is platform-free.' },
            ...NODE_BUILTINS.map((name) => ({ name, message: 'src/core is platform-free.' })),
          ],
          patterns: [
            { group: ['node:*'], message: 'src/core is platform-free: put Node code in src/node.' },
            {
              group: ['**/node/**', '**/main/**', '**/preload/**', '**/cli/**', '**/renderer/**'],
              message: 'src/core depends on nothing outside core.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        'window',
        'document',
        'navigator',
        'process',
        'Buffer',
        'require',
        '__dirname',
        'fetch',
        'XMLHttpRequest',
        'WebSocket',
        'localStorage',
      ],
    },
  },
  {
    files: ['src/node/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...networkBan, { name: 'electron', message: 'src/node and src/cli run without Electron.' }],
          patterns: [
            {
              group: ['**/main/**', '**/preload/**', '**/renderer/**'],
              message: 'layer boundary (docs/architecture.md, "Layers")',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...networkBan, { name: 'electron', message: 'the IPC contract is platform-free.' }],
          patterns: [
            {
              group: ['node:*', '**/node/**', '**/main/**', '**/renderer/**'],
              message: 'the IPC contract imports only core and zod.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'no-restricted-imports': ['error', { paths: RENDERER_PATHS, patterns: RENDERER_PATTERNS }] },
  },
  {
    // Core decides; screens render its views. Decoding, verifying or hashing a message in a screen
    // is a second copy of a rule that lives in core.
    files: ['renderer/screens/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: RENDERER_PATHS,
          patterns: [
            ...RENDERER_PATTERNS,
            {
              group: ['**/core/protocol/message.js'],
              importNames: ['decodeMessage', 'verifyMessage', 'signMessage', 'expectType'],
              message: 'screens render views and call verbs: the session decodes, verifies and signs.',
            },
            {
              group: ['**/core/util/hash.js', '**/core/protocol/cbor.js', '**/core/protocol/identity.js'],
              allowTypeImports: true,
              message: 'screens render views and call verbs: hashing, CBOR and keys belong to core.',
            },
          ],
        },
      ],
    },
  },
);
