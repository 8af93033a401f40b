import { cloudflareTest } from '@cloudflare/vitest-pool-workers'
import { defineConfig } from 'vitest/config'
import { networkDefine } from './scripts/plugin-network.mjs'

export default defineConfig({
  test: {
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      {
        // The plugin's code reads the network settings a build writes into its bundles: here, those
        // of a release build for a worker at https://promptframe.example.
        define: networkDefine({ PROMPTFRAME_WORKER_URL: 'https://promptframe.example' }),
        test: {
          name: 'unit',
          include: [
            'test/shared/**/*.test.ts',
            'test/plugin/**/*.test.{ts,tsx}',
            'test/scripts/**/*.test.ts',
            'test/console/**/*.test.ts',
          ],
          environment: 'node',
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './proxy-worker/wrangler.jsonc' },
            miniflare: {
              bindings: {
                ADMIN_TOKEN: 'test-admin-token-that-is-long-enough-to-use',
                PUBLIC_BASE_URL: 'https://worker.test',
              },
            },
          }),
        ],
        test: {
          name: 'worker',
          include: ['test/proxy-worker/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 90_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          // The UI waits on exports, the local worker and the canvas: a second is too short on a
          // loaded two-core machine, where a reference took longer than that to appear.
          expect: { poll: { timeout: 10_000 } },
        },
      },
    ],
  },
})
