import { defineConfig } from '@playwright/test';

// Debian's chromium (scripts/setup.sh installs it); Playwright never downloads a browser.
// Headless Chromium renders deck.gl's WebGL2 through SwiftShader.
const port = Number(process.env.EXPLORER_PORT ?? 4173);

export default defineConfig({
  testDir: 'tests',
  fullyParallel: false,
  workers: 1,
  timeout: 120_000,
  expect: { timeout: 30_000 },
  reporter: [['list']],
  outputDir: 'test-results',
  globalSetup: './tests/global-setup.ts',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1400, height: 900 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
      // --disable-gpu: software compositing; WebGL2 still runs on SwiftShader, and frames stay fast
      // (with the GL compositor on SwiftShader a page with a WebGL canvas drew ~1 frame a second).
      args: ['--no-sandbox', '--disable-gpu'],
    },
  },
  webServer: {
    // The built app (npm run build), served as `make run` serves it.
    command: `./node_modules/.bin/vite preview --host 127.0.0.1 --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
