import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '.local/**',
      'data/**',
      'coverage/**',
      'bench/results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message:
            'Read configuration only in a composition root (src/main.ts) through loadConfig().',
        },
      ],
    },
  },
  {
    // Composition roots, tests, benchmarks and tools may read the environment.
    files: [
      '**/main.ts',
      '**/embedded.ts',
      '**/migrate.ts',
      '**/*.test.ts',
      'bench/**',
      'test/**',
      'monitoring/**',
      'web/e2e/**',
      '**/*.config.ts',
      'kit/src/config/**',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // Tests poke at untyped JSON responses.
    files: ['**/*.test.ts', '**/*-spec.ts', '**/testing/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', 'no-restricted-syntax': 'off' },
  },
  {
    // The web app: hooks called unconditionally, effects listing what they read.
    files: ['web/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  prettier,
);
