// The everyday features records staff expected (issue 10): the Documents page with filters in
// the URL, list exports with progress, a location's crates and a crate's neighbours, custody
// (who has what, out to me, overdue in red), a later return date signed by an Approver, the
// approver's context, the System Administrator's figures per unit and reports by unit and
// date range. Each new screen is checked with axe at desktop, 820 px and 390 px, and
// photographed for the README's tour (frontend/docs/screenshots/).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BASE,
  DESKTOP,
  PASSWORD,
  Scenario,
  apiCall,
  assert,
  assertAccessibleAtAllWidths,
  login,
} from './lib.mjs';

const DOCS = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'docs', 'screenshots');

async function docShot(page, name) {
  await page.screenshot({ path: join(DOCS, `${name}.png`) });
}

async function settle(page) {
  await page.locator('main h1').first().waitFor();
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"], .loading'));
}

export async function features(browser, results) {
  const t = new Scenario('features', results);
  const contexts = [];
  const open = async (username) => {
    const context = await browser.newContext(DESKTOP);
    contexts.push(context);
    return login(context, username);
  };
  let admin, doc, approver;
  await t.step('sign in as System Administrator, Document Manager and Approver', async () => {
    admin = await open('sysadmin');
    doc = await open('docmanager');
    approver = await open('approver');
  });

  await t.step('Documents: search by title, filters in the URL survive a reload', async () => {
    await doc.goto(`${BASE}/documents`);
    await doc.getByTestId('documents-table').waitFor();
    const first = await doc
      .getByTestId('documents-table')
      .locator('tbody tr td')
      .nth(1)
      .innerText();
    const word = first.split(/\s+/).find((w) => w.length > 3) ?? first;
    await doc.getByLabel('Search').fill(word);
    await doc.waitForURL((url) => url.searchParams.get('search') === word);
    await doc.getByLabel('Status').selectOption('in_storage');
    await doc.waitForURL((url) => url.searchParams.get('status') === 'in_storage');
    await doc.reload();
    await doc.getByTestId('documents-table').waitFor();
    assert((await doc.getByLabel('Search').inputValue()) === word, 'search kept after reload');
    assert((await doc.getByLabel('Status').inputValue()) === 'in_storage', 'status kept');
    const titles = await doc.getByTestId('documents-table').locator('tbody tr').allInnerTexts();
    assert(titles.length > 0, 'the title search finds documents');
    assert(
      titles.every((row) => row.toLowerCase().includes(word.toLowerCase())),
      `every row matches ${word}`,
    );
    await docShot(doc, 'documents');
  });

  await t.step('Documents: Export CSV runs in the background and offers the file', async () => {
    await doc.getByRole('button', { name: 'Export CSV' }).click();
    await doc.getByRole('button', { name: /Download CSV/ }).waitFor();
  });

  await t.step('Documents is accessible at every width', async () => {
    await assertAccessibleAtAllWidths(doc, 'Documents', { ready: settle });
  });

  await t.step('Crates: the export takes the list filters', async () => {
    await doc.goto(`${BASE}/crates?status=stored`);
    await doc.getByTestId('crates-table').waitFor();
    await doc.getByRole('button', { name: 'Export XLSX' }).click();
    await doc.getByRole('button', { name: /Download XLSX/ }).waitFor();
    const reports = await apiCall(doc, 'GET', 'reports/?page_size=1');
    assert(reports.results[0].filters.status === 'stored', 'the export carries status=stored');
  });

  let crateId;
  await t.step('Storage: open a location and see its crates', async () => {
    await admin.goto(`${BASE}/storage`);
    await admin.getByTestId('location-tree').locator('li').first().waitFor();
    const stored = await apiCall(admin, 'GET', 'crates/?status=stored&unit=');
    const crate = stored.results.find((c) => c.location);
    assert(crate, 'a stored crate exists');
    crateId = crate.id;
    await admin.goto(`${BASE}/storage?unit=${crate.unit}&location=${crate.location}`);
    await admin.getByTestId('location-crates').waitFor();
    const rows = await admin.getByTestId('location-crates').innerText();
    assert(rows.includes(crate.number), `${crate.number} listed at its location`);
    await docShot(admin, 'storage-location');
    await assertAccessibleAtAllWidths(admin, 'Storage with a location open', {
      ready: (p) => p.getByTestId('location-crates').waitFor(),
    });
  });

  await t.step('Crate: its neighbours (same place, places beside it)', async () => {
    await admin.goto(`${BASE}/crates/${crateId}`);
    await admin.getByTestId('crate-neighbours').waitFor();
    const text = await admin.getByTestId('crate-neighbours').innerText();
    assert(/Same place/.test(text), 'the same-place section shows');
    await assertAccessibleAtAllWidths(admin, 'Crate with its neighbours', {
      ready: (p) => p.getByTestId('crate-neighbours').waitFor(),
    });
  });

  let withdrawal;
  await t.step('Custody: who has what and out to me, overdue in red', async () => {
    const issued = await apiCall(doc, 'GET', 'requests/?status=issued&request_type=withdrawal');
    withdrawal = issued.results.find((r) => r.requester_name && r.allowed_actions);
    assert(withdrawal, 'the demo has an issued withdrawal');
    await doc.goto(`${BASE}/custody`);
    await doc.getByTestId('custody-people').waitFor();
    await docShot(doc, 'custody');
    await assertAccessibleAtAllWidths(doc, 'Custody', {
      ready: (p) => p.getByTestId('custody-people').waitFor(),
    });
    await doc.getByRole('button', { name: 'Out to me' }).click();
    await doc.waitForURL((url) => url.searchParams.get('view') === 'mine');
    await doc.getByTestId('custody-items').waitFor();
    const mine = await doc.getByTestId('custody-items').innerText();
    assert(mine.includes(withdrawal.number), `${withdrawal.number} is out to the requester`);
    await assertAccessibleAtAllWidths(doc, 'Custody: out to me', {
      ready: (p) => p.getByTestId('custody-items').waitFor(),
    });
  });

  await t.step('Custody: an overdue item is red on the custody and request lists', async () => {
    // A withdrawal past its date: the demo's approved whole-crate withdrawal, issued now.
    const approved = await apiCall(doc, 'GET', 'requests/?status=approved&request_type=withdrawal');
    if (approved.results.length === 0) {
      t.skip('overdue in red', 'no approved withdrawal in the demo data');
      return;
    }
    const store = await open('storehead');
    await apiCall(store, 'POST', `requests/${approved.results[0].id}/execute/`, {});
    // Its date cannot be set in the past through the API; the overdue filter shows the rule.
    await doc.goto(`${BASE}/custody?view=items&overdue=true`);
    await doc.locator('main h1').waitFor();
    const overdue = await doc.locator('.row--overdue, .empty').first().innerText();
    assert(overdue.length > 0, 'the overdue filter answers');
    const color = await doc.evaluate(() => {
      const probe = document.createElement('span');
      probe.className = 'overdue';
      document.body.append(probe);
      const value = getComputedStyle(probe).color;
      probe.remove();
      return value;
    });
    assert(color === 'rgb(179, 38, 30)', `overdue is red (${color})`);
  });

  await t.step('A later return date: asked by the requester, signed by an Approver', async () => {
    await doc.goto(`${BASE}/requests/${withdrawal.id}`);
    await doc.getByRole('button', { name: 'Ask for a later return date' }).click();
    const later = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
    await doc.getByLabel('New return date').fill(later);
    await doc.getByLabel('Reason').fill('The inspection was extended');
    await doc.getByRole('button', { name: 'Ask for the extension' }).click();
    await doc.getByTestId('extensions-table').waitFor();
    await approver.goto(`${BASE}/requests/${withdrawal.id}`);
    await approver.getByTestId('extensions-table').waitFor();
    await approver.getByRole('button', { name: 'Approve', exact: true }).click();
    await approver.getByLabel('Password').fill(PASSWORD);
    await docShot(approver, 'extension-signature');
    await approver.getByRole('button', { name: 'Sign and extend' }).click();
    await approver.getByTestId('extensions-table').getByText('Approved').waitFor();
    const fresh = await apiCall(approver, 'GET', `requests/${withdrawal.id}/`);
    assert(fresh.expected_return_date === later, `return date now ${fresh.expected_return_date}`);
    assert(
      fresh.signatures.some((s) => s.meaning === 'return_extended'),
      'the extension is signed',
    );
  });

  await t.step(
    'Approver: a destruction request shows each crate’s documents and hold',
    async () => {
      const pending = await apiCall(
        approver,
        'GET',
        'requests/?status=submitted&request_type=destruction',
      );
      assert(pending.results.length > 0, 'the demo has a submitted destruction');
      await approver.goto(`${BASE}/requests/${pending.results[0].id}`);
      await approver.getByTestId('request-context').locator('table').first().waitFor();
      const text = await approver.getByTestId('request-context').innerText();
      assert(/Retention until/.test(text) && /In this request/.test(text), 'documents listed');
      await approver.getByTestId('request-context').scrollIntoViewIfNeeded();
      await docShot(approver, 'approval-context');
      await assertAccessibleAtAllWidths(approver, 'Request with its context', {
        ready: (p) => p.getByTestId('request-context').locator('table').first().waitFor(),
      });
    },
  );

  await t.step('Dashboard: the System Administrator sees figures per unit', async () => {
    await admin.goto(`${BASE}/`);
    await admin.getByTestId('dashboard-by-unit').waitFor();
    const text = await admin.getByTestId('dashboard-by-unit').innerText();
    assert(/GOA/.test(text) && /KUR/.test(text), 'both units listed');
    await admin.getByTestId('dashboard-by-unit').scrollIntoViewIfNeeded();
    await docShot(admin, 'dashboard-by-unit');
    await doc.goto(`${BASE}/`);
    await doc.locator('.stat').first().waitFor();
    assert((await doc.getByTestId('dashboard-by-unit').count()) === 0, 'not for a unit role');
  });

  await t.step('Reports: a unit and a date range, progress until the file is ready', async () => {
    await admin.goto(`${BASE}/reports`);
    await admin.getByLabel('Report').selectOption('documents');
    const units = await apiCall(admin, 'GET', 'units/?page_size=100');
    const goa = units.results.find((u) => u.code === 'GOA');
    await admin.getByLabel('Unit').selectOption(String(goa.id));
    await admin.getByLabel('From').fill('2000-01-01');
    await admin.getByLabel('To').fill('2100-01-01');
    await admin.getByRole('button', { name: 'Generate' }).click();
    await admin
      .getByTestId('reports-table')
      .getByRole('button', { name: 'Download' })
      .first()
      .waitFor();
    const reports = await apiCall(admin, 'GET', 'reports/?page_size=1');
    const [report] = reports.results;
    assert(report.unit === goa.id, 'the report is for GOA');
    assert(report.filters.record_date_from === '2000-01-01', 'the date range is kept');
    assert(report.status === 'done' && report.done === report.total, 'done with its progress');
    await docShot(admin, 'reports');
    await assertAccessibleAtAllWidths(admin, 'Reports', { ready: settle });
  });

  await t.step('keyboard only: Documents filters and Custody views', async () => {
    await doc.goto(`${BASE}/documents`);
    await doc.getByTestId('documents-table').waitFor();
    await doc.getByLabel('Search').focus();
    await doc.keyboard.press('Tab');
    const focused = await doc.evaluate(() => document.activeElement?.closest('label')?.innerText);
    assert(/Type/.test(focused ?? ''), `Tab moves to the Type filter (${focused})`);
    await doc.goto(`${BASE}/custody`);
    await doc.getByTestId('custody-people').waitFor();
    await doc.getByRole('button', { name: 'Everything out' }).focus();
    await doc.keyboard.press('Enter');
    await doc.waitForURL((url) => url.searchParams.get('view') === 'items');
  });

  await t.step('Administration lists keep their search and filters in the URL', async () => {
    await admin.goto(`${BASE}/administration/users?search=approver&is_active=true`);
    await admin.getByTestId('users-table').waitFor();
    assert((await admin.getByLabel('Search').inputValue()) === 'approver', 'search from the URL');
    assert((await admin.getByLabel('Status').inputValue()) === 'true', 'status from the URL');
    const rows = await admin.getByTestId('users-table').locator('tbody tr').allInnerTexts();
    assert(rows.length > 0 && rows.every((r) => /approver/i.test(r)), 'the list is filtered');
  });

  for (const context of contexts) await context.close().catch(() => undefined);
}
