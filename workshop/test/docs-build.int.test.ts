/**
 * The guide, built and read in a real browser: `vitepress build` into a
 * temporary folder (timed), a tiny static server on 127.0.0.1, and Debian's
 * Chromium driven by playwright-core. On the page of step 3: the sidebar lists
 * every step of the manifest, the solution is collapsed, and opening it shows
 * the real code of the solution files. A screenshot is left in the temp dir.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { readManifest, snippetImports, stepLink, stepText } from '../../workshop-docs/.vitepress/guide';

const REPO = join(__dirname, '..', '..');
const DOCS = join(REPO, 'workshop-docs');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SCREENSHOT = join(tmpdir(), 'workshop-docs-step-3.png');
const STEP = 3;

/** An error that prints as its one line (no stack): what to do, not where it came from. */
function oneLine(message: string): Error {
  const error = new Error(message);
  error.stack = message;
  return error;
}

/** `vitepress build` into outDir; resolves with the seconds it took. */
function buildSite(outDir: string): Promise<number> {
  const bin = join(REPO, 'node_modules', 'vitepress', 'bin', 'vitepress.js');
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'build', DOCS, '--outDir', outDir], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve((Date.now() - started) / 1000);
      else reject(oneLine(`vitepress build failed (exit ${code}):\n${output}`));
    });
  });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
};

/** Serves a built VitePress site (cleanUrls: /steps/x is steps/x.html) on a free loopback port. */
async function serve(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    void (async () => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      const safe = normalize(join(root, path));
      const candidates = [safe, `${safe}.html`, join(safe, 'index.html')].filter((p) => p.startsWith(root + sep));
      for (const file of candidates) {
        const info = await stat(file).catch(() => undefined);
        if (!info?.isFile()) continue;
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
        res.end(await readFile(file));
        return;
      }
      res.writeHead(404, { 'content-type': TYPES['.html'] });
      res.end(await readFile(join(root, '404.html')).catch(() => 'not found'));
    })().catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A line of a solution file worth looking for on the page: the longest one. */
function telltaleLine(file: string): string {
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim());
  return lines.reduce((a, b) => (b.length > a.length ? b : a), '');
}

describe('the guide in a browser', () => {
  const manifest = readManifest(REPO);
  const step = manifest.steps.find((s) => s.id === STEP);
  let outDir: string;
  let server: Server | undefined;
  let url: string;
  let browser: Browser | undefined;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw oneLine(
        `Chromium not found at ${CHROMIUM}: install it with \`sudo apt-get install -y chromium\` (or set CHROMIUM_PATH)`,
      );
    }
    if (!step) throw oneLine(`step ${STEP} is not in steps/steps.json: this test opens its page`);
    outDir = mkdtempSync(join(tmpdir(), 'workshop-docs-'));
    const seconds = await buildSite(outDir);
    console.info(`vitepress build: ${seconds.toFixed(1)} s`);
    ({ server, url } = await serve(outDir));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console error: ${message.text()} (${message.location().url})`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400) errors.push(`${response.status()} for ${response.url()}`);
    });
    await page.goto(`${url}${stepLink(step)}`, { waitUntil: 'networkidle' });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('opens the page of step 3, with its title and its diagrams', async () => {
    expect(await page.locator('h1').first().innerText()).toContain(step!.title);
    expect(await page.locator('figure.delivery-diagram svg').count()).toBeGreaterThan(0);
    expect(await page.locator('figure.delivery-diagram svg').first().isVisible()).toBe(true);
  });

  it('lists every step of the manifest in the sidebar, linked to its page', async () => {
    const links = page.locator('.VPSidebar a');
    const found: { text: string; href: string }[] = [];
    for (let i = 0; i < (await links.count()); i++) {
      const href = (await links.nth(i).getAttribute('href')) ?? '';
      found.push({ text: (await links.nth(i).innerText()).trim(), href: new URL(href, url).pathname });
    }
    for (const s of manifest.steps) {
      expect(found).toContainEqual({ text: stepText(s), href: stepLink(s) });
    }
  });

  it('lists the files to edit, from the manifest', async () => {
    const listed = await page.locator('.step-files li code').allInnerTexts();
    expect(listed).toEqual(step!.files);
  });

  it('keeps the solution collapsed, and shows the real solution files once opened', async () => {
    const details = page.locator('details.details', { hasText: 'solution' }).first();
    const imports = snippetImports(DOCS, `steps/${step!.slug}.md`);
    expect(imports.length).toBeGreaterThan(0);
    const first = telltaleLine(imports[0].file);
    expect(await details.getAttribute('open')).toBeNull();
    expect(await details.getByText(first).first().isVisible()).toBe(false);

    await details.locator('summary').click();
    expect(await details.getAttribute('open')).not.toBeNull();
    const code = await details.locator('div[class*="language-"] pre').allInnerTexts();
    expect(code.length).toBe(imports.length);
    imports.forEach((snippet, i) => {
      // Each block is the file itself, as it is in solutions/ today.
      expect(code[i].trim()).toBe(readFileSync(snippet.file, 'utf8').trim());
    });
    expect(await details.getByText(first).first().isVisible()).toBe(true);

    await details.scrollIntoViewIfNeeded();
    await page.screenshot({ path: SCREENSHOT });
    console.info(`screenshot: ${SCREENSHOT}`);
  });

  it('draws the diagram of each page beyond the steps, linked from the sidebar', async () => {
    for (const slug of ['outbox', 'poison-messages', 'ordering']) {
      expect(await page.locator(`.VPSidebar a[href$="/beyond/${slug}"]`).count()).toBe(1);
      await page.goto(`${url}/beyond/${slug}`, { waitUntil: 'networkidle' });
      const diagram = page.locator('figure.flow-diagram svg').first();
      expect(await diagram.isVisible()).toBe(true);
      expect(await diagram.locator('rect').count()).toBeGreaterThan(3);
      await diagram.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(tmpdir(), `workshop-docs-${slug}.png`) });
    }
  });

  it('loads with no page or console error (e.g. a hydration mismatch)', () => {
    expect(errors).toEqual([]);
  });
});
