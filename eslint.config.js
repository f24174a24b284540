// Lint is part of the test run: the determinism rules below are how keel keeps the simulator
// honest (engine code reads time from the injected clock and randomness from the seeded rng).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const wallClockAndRandom = [
  {
    selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
    message: 'Engine code takes time from the injected Clock, never Date.now().',
  },
  {
    selector: "NewExpression[callee.name='Date'][arguments.length=0]",
    message: 'Engine code takes time from the injected Clock, never new Date().',
  },
  {
    selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
    message: 'Engine code takes randomness from the seeded Rng, never Math.random().',
  },
  {
    selector: "CallExpression[callee.object.name='performance'][callee.property.name='now']",
    message: 'Engine code takes time from the injected Clock, never performance.now().',
  },
];

// Dependencies point inward (DESIGN.md): domain depends on nothing; the engine never imports a
// concrete venue; a venue adapter never imports the engine.
const layer = (files, forbidden) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: forbidden.map((dir) => ({
          group: [`**/${dir}/**`, `**/${dir}`],
          message: `this layer must not import ${dir}/`,
        })),
      },
    ],
  },
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    files: ['**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error', ...wallClockAndRandom],
      '@typescript-eslint/switch-exhaustiveness-check': 'off',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The edges: the CLI and the real-broker adapters may read the wall clock.
    files: [
      'src/app/**',
      'src/venues/ibkr/**',
      'src/venues/alpaca/**',
      'src/venues/ccxt/**',
      'bench/**',
      'bin/**',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
  layer(['src/domain/**'], ['pricing', 'risk', 'ledger', 'engine', 'venues', 'strategies', 'sim', 'app']),
  layer(['src/pricing/**'], ['risk', 'ledger', 'engine', 'venues', 'strategies', 'sim', 'app']),
  layer(['src/risk/**'], ['ledger', 'engine', 'venues', 'strategies', 'sim', 'app']),
  layer(['src/ledger/**'], ['engine', 'venues', 'strategies', 'sim', 'app']),
  layer(
    ['src/engine/**'],
    ['venues/sim', 'venues/ibkr', 'venues/alpaca', 'venues/ccxt', 'strategies', 'sim', 'app'],
  ),
  layer(['src/venues/**'], ['engine', 'strategies', 'app', 'ledger']),
  layer(['src/strategies/**'], ['venues', 'sim', 'app', 'ledger']),
  layer(['src/sim/**'], ['app']),
  {
    files: ['**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
