// What a newcomer tripped over (issue 10): accessibility (axe-core) and width of every screen at
// desktop, tablet and phone, route guards by capability, and the fixes to the broken items.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BASE,
  DESKTOP,
  PASSWORD,
  Scenario,
  apiCall,
  assert,
  assertAccessible,
  assertAccessibleAtAllWidths,
  login,
  pickFirstFreeLocation,
  storedCrate,
} from './lib.mjs';

const TOUR = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'docs', 'screenshots');

/** A picture for the README's tour (frontend/docs/screenshots/). */
async function tourShot(page, name) {
  await page.screenshot({ path: join(TOUR, `${name}.png`) });
}

/** Every screen a role reaches from the menu, and the forms behind it. */
const SCREENS = [
  ['/', 'Dashboard'],
  ['/crates', 'Crates'],
  ['/crates/new', 'New crate'],
  ['/documents', 'Documents'],
  ['/requests', 'Requests'],
  ['/requests/new', 'New request'],
  ['/sendbacks', 'Send-backs'],
  ['/custody', 'Custody'],
  ['/holds', 'Legal holds'],
  ['/disposition', 'Disposition'],
  ['/schedules', 'Retention schedules'],
  ['/retention-events', 'Retention events'],
  ['/storage', 'Storage'],
  ['/counts', 'Counts'],
  ['/imports', 'Import'],
  ['/reports', 'Reports'],
  ['/audit', 'Audit trail'],
  ['/administration', 'Administration'],
  ['/account/password', 'Change password'],
  ['/account/signature', 'Signature certification'],
];

async function settle(page) {
  await page.locator('main h1').first().waitFor();
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"], .spinner'));
}

export async function newcomer(browser, results) {
  const t = new Scenario('newcomer', results);
  const context = await browser.newContext(DESKTOP);
  let admin;
  await t.step('the sign-in page is accessible at every width', async () => {
    const page = await context.newPage();
    await page.goto(`${BASE}/login`);
    await assertAccessibleAtAllWidths(page, 'Sign in', {
      ready: (p) => p.getByRole('button', { name: 'Sign in' }).waitFor(),
    });
    await page.close();
  });
  await t.step('sign in as the System Administrator', async () => {
    admin = await login(context, 'sysadmin');
  });
  for (const [path, label] of SCREENS) {
    await t.step(`${label} (${path}) is accessible at every width`, async () => {
      await admin.goto(`${BASE}${path}`);
      await settle(admin);
      await assertAccessibleAtAllWidths(admin, label, { ready: settle });
    });
  }
  await context.close();

  const viewerContext = await browser.newContext(DESKTOP);
  let viewer;
  await t.step('sign in as a Viewer', async () => {
    viewer = await login(viewerContext, 'viewer');
  });
  for (const path of ['/crates/new', '/requests/new', '/audit', '/administration']) {
    await t.step(`a Viewer opening ${path} is told it is not for their role`, async () => {
      await viewer.goto(`${BASE}${path}`);
      await viewer.getByTestId('forbidden').waitFor();
      assert((await viewer.locator('main form').count()) === 0, `${path} shows a form`);
      assert(
        (await viewer.getByRole('button', { name: /Export|Verify/ }).count()) === 0,
        `${path} offers Export or Verify`,
      );
    });
  }
  await t.step('Reports offers a Viewer no audit-trail export', async () => {
    await viewer.goto(`${BASE}/reports`);
    const select = viewer.getByLabel('Report', { exact: true });
    await select.locator('option').first().waitFor({ state: 'attached' });
    const kinds = await select.locator('option').evaluateAll((all) => all.map((o) => o.value));
    assert(kinds.includes('inventory') && !kinds.includes('audit'), `report kinds: ${kinds}`);
  });
  await t.step('the not-available screen is accessible at every width', async () => {
    await viewer.goto(`${BASE}/audit`);
    await assertAccessibleAtAllWidths(viewer, 'Not available', {
      ready: (p) => p.getByTestId('forbidden').waitFor(),
    });
    await viewer.setViewportSize(DESKTOP.viewport);
    await viewer.getByTestId('forbidden').waitFor();
    await tourShot(viewer, 'route-guard');
  });
  await viewerContext.close();

  await accounts(browser, t);
  await requestScreens(browser, t);
}

function inDays(days) {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** Requests, send-backs and crates as the newcomer found them (issue 10, items 2, 8 and 10). */
async function requestScreens(browser, t) {
  const suffix = `N${Date.now().toString(36).toUpperCase()}`;
  const roles = {};
  const contexts = [];
  const open = async (username) => {
    const context = await browser.newContext(DESKTOP);
    contexts.push(context);
    return login(context, username);
  };
  let held;
  let lent;
  let withdrawal;
  await t.step('set up: stored crates, one under legal hold, one lent out', async () => {
    roles.doc = await open('docmanager');
    roles.approver = await open('approver');
    roles.store = await open('storehead');
    held = await storedCrate(roles, { suffix: `${suffix}H`, recordDate: '1990-01-01' });
    await apiCall(roles.approver, 'POST', `crates/${held.id}/legal-hold/`, {
      legal_hold: true,
      reason: 'Litigation',
      password: PASSWORD,
    });
    lent = await storedCrate(roles, { suffix: `${suffix}L` });
    withdrawal = await apiCall(roles.doc, 'POST', 'requests/', {
      request_type: 'withdrawal',
      purpose: `Audit ${suffix}`,
      expected_return_date: inDays(14),
      items: [{ crate: lent.id }],
    });
    await apiCall(roles.doc, 'POST', `requests/${withdrawal.id}/submit/`, {});
  });
  await t.step('a crate under legal hold offers no Request destruction, even by link', async () => {
    const { doc } = roles;
    await doc.goto(`${BASE}/crates/${held.id}`);
    await doc.getByRole('heading', { name: held.number }).waitFor();
    assert(
      (await doc.getByRole('link', { name: 'Request destruction' }).count()) === 0,
      'Request destruction offered on a held crate',
    );
    await doc.goto(`${BASE}/requests/new?type=destruction&crate=${held.id}`);
    await doc.getByText(`${held.number} cannot be added: under legal hold.`).waitFor();
    assert((await doc.getByTestId('picked-crate').count()) === 0, 'the held crate was picked');
  });
  await t.step('crate detail is accessible at every width', async () => {
    const { doc } = roles;
    await doc.goto(`${BASE}/crates/${held.id}`);
    await assertAccessibleAtAllWidths(doc, 'Crate detail', {
      ready: (p) => p.getByRole('heading', { name: held.number }).waitFor(),
    });
  });
  await t.step('keyboard only: skip link, a dialog traps Tab and gives focus back', async () => {
    const { approver } = roles;
    await approver.goto(`${BASE}/crates/${held.id}`);
    await approver.getByRole('heading', { name: held.number }).waitFor();
    await approver.keyboard.press('Tab');
    const skip = await approver.evaluate(() => document.activeElement?.textContent?.trim());
    assert(skip === 'Skip to content', `first Tab reaches ${skip}`);
    await approver.keyboard.press('Enter');
    assert(
      await approver.evaluate(() => document.activeElement?.id === 'main'),
      'the skip link does not move focus to the content',
    );
    const opener = approver.getByRole('button', { name: 'Release legal hold' });
    await opener.focus();
    await approver.keyboard.press('Enter');
    const dialog = approver.getByRole('dialog');
    await dialog.waitFor();
    for (let i = 0; i < 8; i += 1) {
      await approver.keyboard.press('Tab');
      assert(
        await dialog.evaluate((el) => el.contains(document.activeElement)),
        'Tab left the open dialog',
      );
    }
    const outline = await approver.evaluate(
      () => getComputedStyle(document.activeElement).outlineStyle,
    );
    assert(outline !== 'none', 'the focused control shows no outline');
    await approver.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert(
      await opener.evaluate((el) => el === document.activeElement),
      'focus did not return to the button that opened the dialog',
    );
  });
  await t.step('the picker marks a crate already in an open request as not available', async () => {
    const { doc } = roles;
    await doc.goto(`${BASE}/requests/new?type=withdrawal`);
    await doc.getByRole('searchbox').first().fill(lent.number);
    const row = doc.getByTestId('picker-row').filter({ hasText: lent.number });
    await row.waitFor();
    assert((await row.getAttribute('data-unusable')) === 'true', 'the lent crate is offered');
    assert(
      await row.getByRole('button', { name: `Not available ${lent.number}` }).isDisabled(),
      'Add enabled',
    );
    // The picker's rows pass axe too: each button's name starts with its visible word.
    await assertAccessible(doc, 'New request with the crate picker');
  });
  await t.step('after signing, focus lands on the page heading, not on <body>', async () => {
    const { approver } = roles;
    await approver.goto(`${BASE}/requests/${withdrawal.id}`);
    await approver.getByRole('button', { name: 'Approve' }).click();
    const dialog = approver.getByTestId('signature-dialog');
    await dialog.locator('input[name="signature-password"]').fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Sign and approve' }).click();
    await dialog.waitFor({ state: 'detached' });
    const focused = await approver.evaluate(() => document.activeElement?.tagName);
    assert(focused && focused !== 'BODY', `focus is on ${focused}`);
  });
  await t.step(
    'a send-back is in the withdrawal timeline and its receipt lists its items',
    async () => {
      const { doc, store } = roles;
      await apiCall(store, 'POST', `requests/${withdrawal.id}/execute/`, {});
      const sendback = await apiCall(doc, 'POST', 'sendbacks/', {
        request: withdrawal.id,
        items: [{ crate: lent.id }],
        condition_notes: 'Intact',
      });
      await doc.goto(`${BASE}/requests/${withdrawal.id}`);
      await doc
        .getByTestId('request-timeline')
        .getByText(`Send-back ${sendback.number}`, { exact: false })
        .waitFor();
      await assertAccessibleAtAllWidths(doc, 'Request detail', {
        ready: (p) => p.getByTestId('request-timeline').waitFor(),
      });
      await store.goto(`${BASE}/sendbacks`);
      const row = store.locator('tr', { hasText: sendback.number });
      await row.getByRole('button', { name: 'Receive' }).click();
      const items = store.getByTestId('allocation-items');
      await items.getByText(`${lent.number} (whole crate)`).waitFor();
      await store.getByRole('button', { name: 'Cancel' }).click();
    },
  );
  await t.step('choosing a location clears its "Choose a location." error', async () => {
    const { doc, approver, store } = roles;
    const departments = await apiCall(doc, 'GET', 'departments/?page_size=1');
    const types = await apiCall(doc, 'GET', 'document-types/?page_size=1');
    const crate = await apiCall(doc, 'POST', 'crates/', {
      department: departments.results[0].id,
      description: `Allocation ${suffix}`,
    });
    await apiCall(doc, 'POST', 'documents/', {
      crate: crate.id,
      number: `ALLOC-${suffix}`,
      title: 'Allocation',
      document_type: types.results[0].id,
      record_date: '2025-03-01',
    });
    const storage = await apiCall(doc, 'POST', 'requests/', {
      request_type: 'storage',
      purpose: `Store ${suffix}`,
      items: [{ crate: crate.id }],
    });
    await apiCall(doc, 'POST', `requests/${storage.id}/submit/`, {});
    await apiCall(approver, 'POST', `requests/${storage.id}/approve/`, {
      password: PASSWORD,
      comment: '',
    });
    await store.goto(`${BASE}/requests/${storage.id}`);
    await store.getByRole('button', { name: 'Execute: store crates' }).click();
    const dialog = store.getByTestId('allocation-dialog');
    await dialog.getByRole('button', { name: 'Store crates' }).click();
    await dialog.getByText('Choose a location.').waitFor();
    await pickFirstFreeLocation(dialog.locator('select').first());
    await dialog.getByText('Choose a location.').waitFor({ state: 'detached' });
    await store.getByRole('button', { name: 'Cancel' }).click();
  });
  for (const context of contexts) await context.close();
}

/** Users as a Unit Admin manages them, and what the sign-in page says about a lock. */
async function accounts(browser, t) {
  const context = await browser.newContext(DESKTOP);
  const suffix = Date.now().toString(36);
  let admin;
  const names = { leaver: `leaver${suffix}`, guesser: `guesser${suffix}` };
  await t.step(
    'a Unit Admin is offered no Edit or Deactivate on a System Administrator',
    async () => {
      admin = await login(context, 'unitadmin');
      const me = await apiCall(admin, 'GET', 'auth/me/');
      for (const username of Object.values(names)) {
        await apiCall(admin, 'POST', 'users/', {
          username,
          full_name: `E2E ${username}`,
          password: PASSWORD,
          unit: me.unit,
          roles: ['Viewer'],
        });
      }
      await admin.goto(`${BASE}/administration/users`);
      const table = admin.getByTestId('users-table');
      await table.waitFor();
      const row = table.locator('tr', {
        has: admin.getByRole('cell', { name: 'sysadmin', exact: true }),
      });
      await row.waitFor();
      assert((await row.getByRole('button').count()) === 0, 'buttons on the sysadmin row');
      const own = table.locator('tr', {
        has: admin.getByRole('cell', { name: names.leaver, exact: true }),
      });
      await own.getByRole('button', { name: `Edit ${names.leaver}` }).waitFor();
    },
  );
  await t.step(
    'deactivating a user asks first, and the user stays listed as deactivated',
    async () => {
      const table = admin.getByTestId('users-table');
      const row = table.locator('tr', {
        has: admin.getByRole('cell', { name: names.leaver, exact: true }),
      });
      await row.getByRole('button', { name: `Deactivate ${names.leaver}` }).click();
      const dialog = admin.getByRole('dialog', { name: 'Deactivate user' });
      await dialog.getByTestId('deactivate-confirm').waitFor();
      await dialog.getByRole('button', { name: 'Keep active' }).click();
      await dialog.waitFor({ state: 'detached' });
      assert(
        (await row.getByTestId('user-inactive').count()) === 0,
        'deactivated without confirming',
      );
      await row.getByRole('button', { name: `Deactivate ${names.leaver}` }).click();
      await dialog.getByRole('button', { name: 'Deactivate' }).click();
      await dialog.waitFor({ state: 'detached' });
      await row.getByTestId('user-inactive').waitFor();
      assert(
        (await row.getByRole('button', { name: `Deactivate ${names.leaver}` }).count()) === 0,
        'a deactivated user still offers Deactivate',
      );
      await assertAccessibleAtAllWidths(admin, 'Users', { ready: () => table.waitFor() });
    },
  );
  await t.step('the fifth wrong password says the account is now locked', async () => {
    const page = await browser.newPage();
    await page.goto(`${BASE}/login`);
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      await page.getByLabel('Username').fill(names.guesser);
      await page.getByLabel('Password').fill(`Wrong-${attempt}-password`);
      await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/auth/login/')),
        page.getByRole('button', { name: 'Sign in' }).click(),
      ]);
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      const message = await page.getByTestId('login-error').innerText();
      assert(/now locked/.test(message) === (attempt === 5), `attempt ${attempt}: ${message}`);
    }
    await page.close();
  });
  await context.close();
}
