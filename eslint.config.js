// Flat ESLint config. Type-aware rules (no-floating-promises) use the root tsconfig; Nx module
// boundaries enforce the tag matrix below, so an app can never import another app and a util
// library can never reach into a feature.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { execFileSync } from 'node:child_process';

/**
 * What git ignores and does not track (fetched data, scratch folders, build output, state files):
 * `eslint .` must not lint a stray `.ts` left there — it is not in any tsconfig, so it fails. Asked of
 * git itself, so every .gitignore and exclude applies exactly; outside a git checkout, nothing extra.
 */
function gitIgnored() {
  try {
    const out = execFileSync('git', ['ls-files', '--others', '--ignored', '--exclude-standard', '--directory', '-z'], { cwd: import.meta.dirname, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out
      .split('\0')
      .filter(Boolean)
      .map((p) => p.replace(/[*?[\]{}()!+@\\]/g, '\\$&'))
      .map((p) => (p.endsWith('/') ? `${p}**` : p));
  } catch {
    return [];
  }
}

export default [
  { ignores: ['**/node_modules/**', '**/src/gen/**', '.tools/**', '.nx/**', '**/*.cjs', 'dist/**', '**/dist/**', 'reports/**', ...gitIgnored()] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@nx': nx, 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/prefer-nullish-coalescing': 'off',
      'import-x/no-cycle': 'error',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:util', 'type:data'] },
            { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:feature', 'type:util', 'type:data'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', 'type:data'] },
            { sourceTag: 'type:data', onlyDependOnLibsWithTags: ['type:data'] },
            // The host (apps/mesh) is the one project that imports apps: their light registrations.
            { sourceTag: 'type:host', onlyDependOnLibsWithTags: ['type:app', 'type:feature', 'type:util', 'type:data'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:tool', 'type:host', 'type:feature', 'type:util', 'type:data'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:tool', 'type:util', 'type:data'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:classifier', onlyDependOnLibsWithTags: ['scope:classifier', 'scope:shared'] },
            { sourceTag: 'scope:sql', onlyDependOnLibsWithTags: ['scope:sql', 'scope:shared'] },
            { sourceTag: 'scope:ledger', onlyDependOnLibsWithTags: ['scope:ledger', 'scope:shared'] },
            { sourceTag: 'scope:inference', onlyDependOnLibsWithTags: ['scope:inference', 'scope:shared'] },
            { sourceTag: 'scope:router', onlyDependOnLibsWithTags: ['scope:router', 'scope:classifier', 'scope:shared'] },
            { sourceTag: 'scope:gateway', onlyDependOnLibsWithTags: ['scope:gateway', 'scope:shared'] },
            { sourceTag: 'scope:sim', onlyDependOnLibsWithTags: ['scope:sim', 'scope:shared'] },
            { sourceTag: 'scope:ops', onlyDependOnLibsWithTags: ['scope:ops', 'scope:shared'] },
            { sourceTag: 'scope:mesh', onlyDependOnLibsWithTags: ['*'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', 'tools/**/*.ts', 'apps/mesh-e2e/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // import-x's legacy resolver, walking into vite's own files, loads vite/dist/node as a "node" resolver and crashes.
    files: ['apps/web/vite.config.ts'],
    rules: { 'import-x/no-cycle': 'off' },
  },
];
