// Cycle counts and the legacy import (issue 11): a count from open to review on a tablet-sized
// screen (shelf label, crates, submit, review with the signature), and an import whose one bad
// row is named, fixed and uploaded again, then committed.
import {
  BASE,
  DESKTOP,
  PASSWORD,
  Scenario,
  TABLET,
  apiCall,
  assert,
  assertAccessible,
  login,
  storedCrate,
  tour,
} from './lib.mjs';

/** Types a code into a scan box the way a hand scanner does: the characters, then Enter. */
async function scan(box, code) {
  await box.fill('');
  await box.pressSequentially(code, { delay: 5 });
  await box.press('Enter');
}

async function tally(page, name) {
  return Number(
    (await page.getByTestId(`tally-${name}`).locator('.tally__value').innerText()).trim(),
  );
}

async function waitForTally(page, name, value) {
  await page.waitForFunction(
    ({ name, value }) =>
      document.querySelector(`[data-testid="tally-${name}"] .tally__value`)?.textContent?.trim() ===
      String(value),
    { name, value },
  );
}

function csv(rows) {
  const header =
    'legacy_number,department,location,description,document_number,document_title,document_type,record_date';
  return Buffer.from([header, ...rows.map((row) => row.join(','))].join('\n') + '\n');
}

export async function counts(browser, results) {
  const t = new Scenario('counts', results);
  const suffix = `CN${Date.now().toString(36).toUpperCase()}`;
  const contexts = {
    doc: await browser.newContext(DESKTOP),
    approver: await browser.newContext(DESKTOP),
    store: await browser.newContext(TABLET),
  };
  const pages = {};
  const state = {};
  try {
    await t.step('sign in as document manager, approver and store head', async () => {
      pages.doc = await login(contexts.doc, 'docmanager');
      pages.approver = await login(contexts.approver, 'approver');
      pages.store = await login(contexts.store, 'storehead');
      state.crate = await storedCrate(pages, { suffix });
      state.shelf = await apiCall(pages.store, 'GET', `locations/${state.crate.location}/`);
      assert(state.shelf.barcode, 'the shelf has a barcode');
    });

    await t.step('the store head opens a count over the crate’s shelf by its label', async () => {
      const page = pages.store;
      await page.goto(`${BASE}/counts`);
      const select = page.getByTestId('count-location');
      await page.waitForFunction((el) => el.options.length > 1, await select.elementHandle());
      const box = page.getByRole('textbox', { name: 'Or scan its label' });
      await scan(box, state.crate.number);
      await page.getByRole('alert').filter({ hasText: 'is a crate' }).waitFor();
      assert((await select.inputValue()) === '', 'a crate label chose a location');
      await scan(box, state.shelf.barcode);
      await page.getByText(`${state.shelf.path} chosen.`).waitFor();
      assert((await select.inputValue()) === String(state.shelf.id), 'the scan chose another');
      assert(page.url().endsWith('/counts'), `the page moved to ${page.url()}`);
      await page.getByRole('button', { name: 'Open the count' }).click();
      await page.waitForURL(/\/counts\/\d+$/);
      state.countId = Number(page.url().split('/').pop());
      await page.getByTestId('count-status').waitFor();
      assert(
        (await page.getByTestId('count-status').getAttribute('data-status')) === 'open',
        'the count is open',
      );
      // Blind: no expected or missing tally while counting.
      assert((await page.getByTestId('tally-expected').count()) === 0, 'expected is hidden');
    });

    await t.step('scans the shelf label, then its crate and a garbage code', async () => {
      const page = pages.store;
      await scan(
        page.getByRole('textbox', { name: "Scan the shelf's label" }),
        state.shelf.barcode,
      );
      await page.getByText(`Counting ${state.shelf.path}`).first().waitFor();
      const crates = page.getByRole('textbox', { name: 'Scan each crate' });
      await scan(crates, state.crate.number);
      await waitForTally(page, 'found', 1);
      await page.getByText(`${state.crate.number}: found, where it belongs`).first().waitFor();
      await scan(crates, `GARBAGE-${suffix}`);
      await waitForTally(page, 'unknown', 1);
      assert((await tally(page, 'scanned')) === 2, 'two codes scanned');
      await tour(page, 'count-tablet');
      await assertAccessible(page, 'count screen');
    });

    await t.step('submits: what was expected shows, the count waits for review', async () => {
      const page = pages.store;
      await page.getByTestId('count-submit').click();
      await page.getByTestId('count-submit-confirm').click();
      await page.waitForSelector('[data-testid="count-status"][data-status="submitted"]');
      await page.getByTestId('tally-expected').waitFor();
      assert(
        (await page.getByRole('textbox', { name: 'Scan each crate' }).count()) === 0,
        'no scanning after submit',
      );
    });

    await t.step('the approver reviews it with an electronic signature', async () => {
      const page = pages.approver;
      await page.goto(`${BASE}/counts/${state.countId}`);
      await page.waitForSelector('[data-testid="count-status"][data-status="submitted"]');
      await page.getByTestId('count-review-open').click();
      await page.getByLabel('Password').fill(PASSWORD);
      await tour(page, 'count-review');
      await page.getByRole('button', { name: 'Sign the review' }).click();
      await page.waitForSelector('[data-testid="count-status"][data-status="reviewed"]');
      const count = await apiCall(page, 'GET', `counts/${state.countId}/`);
      assert(count.status === 'reviewed', 'reviewed in the API');
      assert(count.found.map((line) => line.number).includes(state.crate.number), 'crate found');
      assert(count.unknown.includes(`GARBAGE-${suffix}`), 'garbage kept as unknown');
    });

    await t.step(
      'the document manager imports a file with one bad row, fixes it, commits',
      async () => {
        const page = pages.doc;
        const types = await apiCall(page, 'GET', 'document-types/?page_size=1&is_active=true');
        const type = types.results[0].code;
        const good = (n) => [
          `${suffix}-${n}`,
          'QA',
          state.shelf.code,
          'E2E import',
          `D-${n}`,
          `Record ${n}`,
          type,
          '2020-01-0' + n,
        ];
        const rows = [
          good(1),
          good(2),
          [
            `${suffix}-3`,
            'QA',
            'NO-SUCH-SHELF',
            'E2E import',
            'D-3',
            'Record 3',
            type,
            '2020-01-03',
          ],
        ];
        await page.goto(`${BASE}/imports`);
        await page
          .getByTestId('import-file')
          .setInputFiles({ name: 'legacy.csv', mimeType: 'text/csv', buffer: csv(rows) });
        await page.getByTestId('import-upload').click();
        await page.waitForSelector('[data-testid="import-status"][data-status="invalid"]');
        const errors = await page.getByTestId('import-errors').innerText();
        assert(
          /\b4\s+location\s+No location 'NO-SUCH-SHELF'/.test(errors),
          `row 4 named: ${errors}`,
        );
        await tour(page, 'import-errors');
        await assertAccessible(page, 'import screen');

        rows[2][2] = state.shelf.barcode; // fixed: the shelf's label barcode is accepted too
        await page
          .getByTestId('import-file')
          .setInputFiles({ name: 'legacy-fixed.csv', mimeType: 'text/csv', buffer: csv(rows) });
        await page.getByTestId('import-upload').click();
        await page.waitForSelector('[data-testid="import-status"][data-status="validated"]');
        await page.getByTestId('import-preview').waitFor();
        await page.getByTestId('import-commit').click();
        await page.waitForSelector('[data-testid="import-status"][data-status="done"]');
        const crates = await apiCall(page, 'GET', `crates/?search=E2E%20import&page_size=10`);
        assert(crates.count === 3, `three crates imported, got ${crates.count}`);
      },
    );
  } finally {
    for (const context of Object.values(contexts)) await context.close().catch(() => undefined);
  }
}
