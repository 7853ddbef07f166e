// Shared helpers for the browser tests (playwright-core + Debian Chromium).
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const BASE = (process.env.E2E_BASE_URL ?? 'http://127.0.0.1:8000').replace(/\/$/, '');
export const PASSWORD = process.env.E2E_PASSWORD ?? 'Demo@12345678';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HERE = dirname(fileURLToPath(import.meta.url));
export const ARTIFACTS = join(HERE, '..', 'test-artifacts');
export const TIMEOUT = 20_000;
export const DESKTOP = { viewport: { width: 1366, height: 900 } };
export const TABLET = { viewport: { width: 1024, height: 768 } };
/** The widths every screen is checked at: desktop, tablet (820 px) and phone (390 px). */
export const WIDTHS = [
  { name: 'desktop', width: 1366, height: 900 },
  { name: 'tablet', width: 820, height: 1180 },
  { name: 'phone', width: 390, height: 844 },
];
mkdirSync(ARTIFACTS, { recursive: true });

/** Runs named steps of one scenario; after a failure the rest of that scenario is skipped. */
export class Scenario {
  constructor(name, results) {
    this.name = name;
    this.results = results;
    this.failed = false;
  }

  /** Records a step that cannot run here (e.g. the server lacks what it needs), with why. */
  skip(name, reason) {
    this.results.push({ name: `${this.name}: ${name}`, ok: true, skipped: true });
    console.log(`- skipped: ${this.name}: ${name} (${reason})`);
  }

  async step(name, fn) {
    const label = `${this.name}: ${name}`;
    if (this.failed) {
      this.results.push({ name: label, ok: false, skipped: true });
      console.log(`- not run after a failure: ${label}`);
      return;
    }
    const started = Date.now();
    try {
      await fn();
      this.results.push({ name: label, ok: true });
      console.log(`✔ ${label} (${Date.now() - started} ms)`);
    } catch (error) {
      this.results.push({ name: label, ok: false });
      this.failed = true;
      console.log(
        `✘ ${label}\n  ${String(error?.stack ?? error)
          .split('\n')
          .slice(0, 6)
          .join('\n  ')}`,
      );
    }
  }
}

export function assert(condition, message) {
  if (!condition) throw new Error(`Assertion failed: ${message}`);
}

export async function shot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

const SCREENSHOTS = join(HERE, '..', 'docs', 'screenshots');

/**
 * A screenshot in the test artifacts; with E2E_TOUR=1 also into frontend/docs/screenshots,
 * the README tour's pictures.
 */
export async function tour(page, name) {
  await shot(page, name);
  if (process.env.E2E_TOUR !== '1') return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  copyFileSync(join(ARTIFACTS, `${name}.png`), join(SCREENSHOTS, `${name}.png`));
}

/** Chromium with the flags this machine needs; playwright gives it a fresh temporary profile. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export async function login(context, username) {
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  await page.goto(`${BASE}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('current-user').waitFor();
  return page;
}

export async function requestStatus(page) {
  return (await page.getByTestId('request-status').innerText()).trim();
}

/** Waits until the request detail on `page` shows `status` (it updates live). */
export async function waitForStatus(page, status, timeout = TIMEOUT) {
  await page.waitForFunction(
    (wanted) =>
      new RegExp(wanted, 'i').test(
        document.querySelector('[data-testid="request-status"]')?.textContent ?? '',
      ),
    status,
    { timeout },
  );
}

/** Calls the API with the page's own session (setting up data quickly). */
export async function apiCall(page, method, path, body) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const session = JSON.parse(window.localStorage.getItem('dms.session'));
      const response = await fetch(`/api/${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${session.access}`,
          'Content-Type': 'application/json',
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${path} -> ${response.status} ${text}`);
      return text ? JSON.parse(text) : null;
    },
    { method, path, body },
  );
}

/** Chooses the first enabled location in a location picker. */
export async function pickFirstFreeLocation(select) {
  await select
    .page()
    .waitForFunction(
      (el) => Array.from(el.options).some((o) => o.value && !o.disabled),
      await select.elementHandle(),
    );
  const value = await select.evaluate(
    (el) => Array.from(el.options).find((o) => o.value && !o.disabled).value,
  );
  await select.selectOption(value);
  return value;
}

/**
 * A stored crate made through the API: crate + document, storage request, approval and
 * execution by the given role pages. `recordDate` far in the past makes it due for destruction.
 */
export async function storedCrate({ doc, approver, store }, { suffix, recordDate = '2025-02-01' }) {
  const departments = await apiCall(doc, 'GET', 'departments/?page_size=1');
  const types = await apiCall(doc, 'GET', 'document-types/?page_size=100&ordering=retention_years');
  const crate = await apiCall(doc, 'POST', 'crates/', {
    department: departments.results[0].id,
    description: `E2E ${suffix}`,
  });
  await apiCall(doc, 'POST', 'documents/', {
    crate: crate.id,
    number: `DOC-${suffix}`,
    title: `Record ${suffix}`,
    document_type: types.results[0].id,
    record_date: recordDate,
  });
  const request = await apiCall(doc, 'POST', 'requests/', {
    request_type: 'storage',
    purpose: `Store ${suffix}`,
    items: [{ crate: crate.id }],
  });
  await apiCall(doc, 'POST', `requests/${request.id}/submit/`, {});
  await apiCall(approver, 'POST', `requests/${request.id}/approve/`, {
    password: PASSWORD,
    comment: '',
  });
  const free = await apiCall(
    store,
    'GET',
    `locations/?available=true&page_size=1&unit=${crate.unit}`,
  );
  await apiCall(store, 'POST', `requests/${request.id}/execute/`, {
    allocations: [{ crate: crate.id, location: free.results[0].id }],
  });
  return apiCall(doc, 'GET', `crates/${crate.id}/`);
}

const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

/**
 * Runs axe-core (the pinned devDependency) on the page as it is now and throws on any serious
 * or critical violation, listing each rule with the first offending elements. `exclude` takes
 * CSS selectors axe should skip; `label` names the screen in the message.
 */
export async function assertAccessible(page, label = page.url(), { exclude = [] } = {}) {
  if (!(await page.evaluate(() => 'axe' in window)))
    await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async (exclude) => {
    const context = exclude.length ? { exclude: exclude.map((s) => [s]) } : document;
    const result = await window.axe.run(context, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} — ${n.failureSummary}`),
        count: v.nodes.length,
      }));
  }, exclude);
  if (violations.length) {
    const lines = violations.map(
      (v) => `[${v.impact}] ${v.id} (${v.count}×): ${v.help}\n      ${v.nodes.join('\n      ')}`,
    );
    throw new Error(
      `axe: ${violations.length} serious/critical violation(s) on ${label}\n  ${lines.join('\n  ')}`,
    );
  }
}

/** Does the page scroll sideways at its current width (outside elements that scroll themselves)? */
export async function assertNoHorizontalScroll(page, label = page.url()) {
  const { overflow, culprits } = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    // The outermost elements that stick out, skipping boxes that scroll themselves (tables).
    const scrolls = (el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
    const culprits = [];
    for (const el of document.body.querySelectorAll('*')) {
      if (el.getBoundingClientRect().right <= width + 1) continue;
      let inside = false;
      for (let p = el.parentElement; p && !inside; p = p.parentElement) inside = scrolls(p);
      if (inside) continue;
      const parent = el.parentElement;
      if (parent && parent.getBoundingClientRect().right > width + 1) continue;
      culprits.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`);
    }
    return {
      overflow: document.documentElement.scrollWidth - width,
      culprits: culprits.slice(0, 5),
    };
  });
  assert(
    overflow <= 0,
    `${label} is ${overflow} px wider than the screen (${culprits.join(', ')})`,
  );
}

/**
 * axe-core and the horizontal-scroll check on the page at every width in WIDTHS; `ready` is
 * awaited after each resize (e.g. a heading that must be visible). Restores the first viewport.
 */
export async function assertAccessibleAtAllWidths(page, label, { ready, exclude } = {}) {
  const original = page.viewportSize();
  try {
    for (const { name, width, height } of WIDTHS) {
      await page.setViewportSize({ width, height });
      if (ready) await ready(page);
      await assertAccessible(page, `${label} at ${name} (${width} px)`, { exclude });
      await assertNoHorizontalScroll(page, `${label} at ${name} (${width} px)`);
    }
  } finally {
    if (original) await page.setViewportSize(original);
  }
}

export function summarize(results) {
  const passed = results.filter((r) => r.ok && !r.skipped).length;
  const skipped = results.filter((r) => r.skipped).length;
  const failed = results.filter((r) => !r.ok && !r.skipped).length;
  console.log(`\nScreenshots in ${ARTIFACTS}`);
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  return failed === 0;
}
