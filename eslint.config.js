// Type-aware lint for the whole monorepo. The import boundaries of SPEC §2 are enforced here:
// each workspace may import only the workspaces listed in `allowed` below, and never another
// package's `src/` or `dist/` directly. `node-kit` holds the Node-only primitives that the
// server, the agent, the steps and the CLI share (Ed25519, atomic files); the browser-safe
// packages (protocol, workflow, client, web) may not import it. `steps/catalogue` is the
// browser-safe entry of `@flotilla/steps` (schemas, effect classes, docs); a workspace allowed
// only that entry may not import the Node runners behind `@flotilla/steps`.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import pluginVue from 'eslint-plugin-vue';
import vueParser from 'vue-eslint-parser';

const workspaces = ['protocol', 'node-kit', 'workflow', 'steps', 'client', 'server', 'agent', 'cli'];
const CATALOGUE = 'steps/catalogue';
const allowed = {
  'packages/protocol': [],
  'packages/node-kit': [],
  'packages/workflow': ['protocol'],
  'packages/steps': ['protocol', 'node-kit', 'workflow'],
  'packages/client': ['protocol'],
  'apps/server': ['protocol', 'node-kit', 'workflow', CATALOGUE],
  'apps/agent': ['protocol', 'node-kit', 'workflow', 'steps'],
  'apps/cli': workspaces,
  'apps/web': ['protocol', 'client', 'workflow', CATALOGUE],
};

/** Node's own modules: the engine and the step catalogue run in browsers too. */
const NODE_MODULES = [
  'node:*',
  'fs',
  'path',
  'child_process',
  'os',
  'net',
  'http',
  'https',
  'crypto',
  'stream',
  'url',
  'util',
];

function restrictedImports(dir, deps, extraPatterns = []) {
  const onlyCatalogue = deps.includes(CATALOGUE) && !deps.includes('steps');
  const forbidden = workspaces.filter((w) => !deps.includes(w) && !(onlyCatalogue && w === 'steps'));
  const may = deps.map((d) => '@flotilla/' + d).join(', ') || (dir === 'packages/node-kit' ? 'node built-ins' : 'zod');
  return [
    'error',
    {
      // exact names: a pattern for `@flotilla/steps` would take its `/catalogue` entry along
      paths: onlyCatalogue ? [{ name: '@flotilla/steps', message: `SPEC §2: ${dir} may import only ${may}.` }] : [],
      patterns: [
        ...(forbidden.length === 0
          ? []
          : [{ group: forbidden.map((w) => `@flotilla/${w}`), message: `SPEC §2: ${dir} may import only ${may}.` }]),
        {
          group: [
            '@flotilla/*/*',
            ...(deps.includes(CATALOGUE) || deps.includes('steps') ? [`!@flotilla/${CATALOGUE}`] : []),
          ],
          message: 'No deep imports: use the package entry point.',
        },
        { group: ['**/packages/*/src/**', '**/apps/*/src/**'], message: 'No imports across workspaces by path.' },
        ...extraPatterns,
      ],
    },
  ];
}

const boundaries = Object.entries(allowed).map(([dir, deps]) => ({
  files: [`${dir}/src/**/*.ts`, ...(dir === 'apps/web' ? [`${dir}/src/**/*.vue`] : [])],
  rules: {
    'no-restricted-imports': restrictedImports(
      dir,
      deps,
      dir === 'packages/workflow'
        ? [{ group: NODE_MODULES, message: 'STYLE rule 6: the engine imports nothing from node.' }]
        : dir === 'packages/protocol'
          ? [
              {
                group: NODE_MODULES,
                message: 'SPEC §2: the protocol stays browser-safe; Node-only helpers go to @flotilla/node-kit.',
              },
            ]
          : [],
    ),
  },
}));

// The catalogue entry is browser-safe: no Node module, nothing from the runners beside it, and
// from the engine its types only (test/catalogue/catalogue-bundle.test.ts bundles it for the browser).
const catalogue = {
  files: ['packages/steps/src/catalogue/**/*.ts'],
  rules: {
    'no-restricted-imports': restrictedImports('packages/steps', allowed['packages/steps'], [
      { group: NODE_MODULES, message: 'The step catalogue is browser-safe: no Node modules.' },
      { group: ['../*'], message: 'The step catalogue imports nothing from the runners beside it.' },
      {
        group: ['@flotilla/workflow'],
        allowTypeImports: true,
        message: 'The step catalogue takes only types from the engine.',
      },
    ]),
  },
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', '.flotilla/**', 'apps/cli/bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...pluginVue.configs['flat/recommended'],
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js'] },
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.vue'],
      },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      '@typescript-eslint/no-unnecessary-condition': 'off',
      'import-x/no-cycle': ['error', { maxDepth: 10 }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'STYLE rule 10: name your exports; no export *.' },
      ],
    },
  },
  {
    files: ['packages/workflow/src/**/*.ts'],
    rules: {
      // STYLE rule 6: the engine is pure; clock, journal and I/O are injected.
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use the injected clock.' },
        { name: 'Date', message: 'Use the injected clock.' },
        { name: 'process', message: 'The engine does no I/O.' },
      ],
    },
  },
  ...boundaries,
  catalogue,
  {
    files: ['**/test/**/*.ts', 'bench/**/*.ts', '**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  {
    // The web UI: single-file components parsed by vue-eslint-parser, their scripts type-checked
    // through apps/web/tsconfig.json (vue-tsc checks the templates).
    files: ['apps/web/**/*.vue'],
    languageOptions: {
      parser: vueParser,
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' },
    },
  },
  {
    files: ['apps/web/**/*.{ts,vue}'],
    languageOptions: { globals: globals.browser },
    rules: {
      // Prettier owns layout; these stylistic template rules would fight it.
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      // Single-word page names (`FleetPage`) are fine: the app registers no global components.
      'vue/multi-word-component-names': 'off',
    },
  },
  {
    // import-x's resolver cannot load the build tools' packages; a build config has no cycles to find.
    files: ['apps/web/vite.config.ts'],
    rules: { 'import-x/no-cycle': 'off' },
  },
);
