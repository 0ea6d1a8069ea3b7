// Headless Chromium for the report tests (Debian's `chromium` driven by playwright-core), with
// a fresh profile and no background traffic. A missing browser is a failure that says how to install it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.NEUROGATE_CHROMIUM ?? '/usr/bin/chromium';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(viewport = { width: 1280, height: 900 }): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: the HTML report tests need it. Install it with \`sudo apt-get install -y chromium\` (Debian/Ubuntu; .ci/run does this), or point NEUROGATE_CHROMIUM at a Chromium binary.`);
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-chromium-'));
  // launchPersistentContext passes the fresh folder as --user-data-dir.
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport, timeout: 60_000 });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * One browser per test file, launched by the first test that needs it — not in a `before` hook,
 * where uvu would swallow the "not installed" error and still exit 0.
 */
export function sharedChromium(): { get(): Promise<Browser>; close(): Promise<void> } {
  let launched: Promise<Browser> | undefined;
  return {
    get: () => (launched ??= launchChromium()),
    async close() {
      if (launched) await (await launched.catch(() => null))?.close();
    },
  };
}
