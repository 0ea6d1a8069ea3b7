// Headless Chromium for the report tests and the docs screenshots: by default the one that comes with
// `npm install` (@sparticuz/chromium, a brotli-packed headless shell), a system Chromium only when
// NEUROGATE_CHROMIUM names its binary. Either is driven by playwright-core with a fresh profile.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium, type BrowserContext } from 'playwright-core';

/** Flags for any Chromium: no sandbox (CI runs as root), no background traffic. */
const QUIET = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface BrowserBinary {
  executablePath: string;
  args: string[];
  /** Where it came from, for error messages. */
  source: string;
}

/**
 * Unpacks @sparticuz/chromium once per version into the temp folder. The package's own
 * executablePath() unpacks into os.tmpdir() and trusts any file already there, so two test
 * processes unpacking at once could launch a half-written binary: each unpacks into a staging
 * folder of its own and renames it into place, and a loser of that race discards its copy.
 */
async function npmChromium(): Promise<BrowserBinary> {
  // Its exports hide package.json: find it beside the entry point (build/index.js).
  const entry = createRequire(import.meta.url).resolve('@sparticuz/chromium');
  const version = (JSON.parse(fs.readFileSync(path.join(path.dirname(entry), '..', 'package.json'), 'utf8')) as { version: string }).version;
  const { default: packed } = await import('@sparticuz/chromium');
  const dir = path.join(os.tmpdir(), `neurogate-chromium-${version}`);
  const exe = path.join(dir, 'chromium');
  if (!fs.existsSync(exe)) {
    const staging = fs.mkdtempSync(`${dir}-unpacking-`);
    const tmpdir = process.env.TMPDIR;
    process.env.TMPDIR = staging; // os.tmpdir() reads it on each call
    try {
      await packed.executablePath();
    } finally {
      if (tmpdir === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmpdir;
    }
    try {
      fs.renameSync(staging, dir);
    } catch (e) {
      fs.rmSync(staging, { recursive: true, force: true });
      if (!fs.existsSync(exe)) throw e;
    }
  }
  // Its headless flag is Playwright's to set; --single-process would put every page of a test file in one process.
  const args = packed.args.filter((a) => !a.startsWith('--headless') && a !== '--single-process');
  return { executablePath: exe, args: [...QUIET, ...args], source: `@sparticuz/chromium ${version} (unpacked in ${dir})` };
}

/** The browser the tests launch: NEUROGATE_CHROMIUM when set, else the one from npm. */
export async function browserBinary(): Promise<BrowserBinary> {
  const system = process.env.NEUROGATE_CHROMIUM;
  if (system) {
    if (!fs.existsSync(system)) throw new Error(`NEUROGATE_CHROMIUM names ${system}, which does not exist. Unset it to use the Chromium that npm installs (@sparticuz/chromium), or point it at a Chromium binary.`);
    return { executablePath: system, args: ['--headless', ...QUIET], source: `NEUROGATE_CHROMIUM=${system}` };
  }
  try {
    return await npmChromium();
  } catch (e) {
    throw new Error(`Could not unpack the Chromium from npm (@sparticuz/chromium, a devDependency: run \`npm install\`), or set NEUROGATE_CHROMIUM to a Chromium binary: ${(e as Error).message}`);
  }
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(viewport = { width: 1280, height: 900 }): Promise<Browser> {
  const binary = await browserBinary();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-chromium-'));
  // launchPersistentContext passes the fresh folder as --user-data-dir.
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath: binary.executablePath, headless: true, args: binary.args, viewport, timeout: 60_000 });
  } catch (e) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw new Error(`Chromium from ${binary.source} did not start: ${(e as Error).message}`);
  }
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
