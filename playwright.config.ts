import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests: Debian's Chromium (Playwright's own browser download is
 * not available here) against the app as built (`next build` + `next start`)
 * with a fresh database.
 */
/** E2E_PORT moves both servers (3100 and 3101 by default), so that two checkouts can run their tests at once. */
export const PORT = Number(process.env.E2E_PORT || 3100);
/** The same build in shared mode (accounts), with its own database. */
export const SHARED_PORT = PORT + 1;

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 240_000,
  expect: { timeout: 10_000 },
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    viewport: { width: 1700, height: 1000 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--enable-unsafe-webgpu'],
    },
  },
  // Started in order: the first builds the app.
  webServer: [
    {
      command: `rm -rf .e2e && DATABASE_URL=file:.e2e/app.db npm run -s db:migrate && npx next build > .e2e-build.log && DATABASE_URL=file:.e2e/app.db npx tsx scripts/serve.ts -p ${PORT}`,
      url: `http://127.0.0.1:${PORT}`,
      timeout: 300_000,
      reuseExistingServer: !process.env.CI,
    },
    {
      command: `DATABASE_URL=file:.e2e/shared.db npm run -s db:migrate && DATABASE_URL=file:.e2e/shared.db npx tsx scripts/serve.ts -p ${SHARED_PORT}`,
      env: {
        NETLOOM_MODE: 'shared',
        NETLOOM_HOST: '127.0.0.1',
        BETTER_AUTH_SECRET: 'e2e-only-secret-0123456789-abcdefghijklmnop',
        BETTER_AUTH_URL: `http://127.0.0.1:${SHARED_PORT}`,
      },
      url: `http://127.0.0.1:${SHARED_PORT}/sign-in`,
      timeout: 120_000,
      reuseExistingServer: !process.env.CI,
    },
  ],
});
