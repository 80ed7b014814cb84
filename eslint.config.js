import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * `npm run lint`: ESLint with typescript-eslint's type-checked rules, chosen over Biome because
 * those rules follow types across files (a promise nobody awaits, an async function handed to an
 * event emitter, a value of type `any` flowing on): the bugs a long-running server dies of.
 * Formatting is Prettier's job (`npm run format:check`), so no stylistic rules here.
 */
export default tseslint.config(
  {
    ignores: [
      'dist/',
      'coverage/',
      'profiles/',
      'node_modules/',
      'test/generated/',
      'examples/web-dashboard/dist/',
      'examples/web-dashboard/src/gql/',
      '**/*.tmp.*',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'examples/web-dashboard/vite.config.ts', 'test/*/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
  {
    rules: {
      // Interfaces we implement are async by contract (Apollo's plugin hooks, KeyValueCache, our
      // limit and cache stores); an `async` implementation without `await` is how such a method
      // turns a throw into a rejection, as its callers expect.
      '@typescript-eslint/require-await': 'off',
      // `const { documentId: _dropped, ...rest } = body` is how a field is left out of a copy.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true, argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['test/**/*.mjs', 'test/**/*.js'],
    languageOptions: { globals: globals.node },
  },
  {
    // Plain JavaScript (this file, jest.config.js, the soak's preload probe): no type information.
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
