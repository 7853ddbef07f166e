// Part 11 depth: the signature dialog shows exactly what is signed, and a destruction is
// executed with a witness who signs with their own password; the certificate's SHA-256 is
// shown and verifies. A location's capacity changes only with a reason for change (Annex 11
// §9), and an Approver records an e-signed review of the audit trail.
import {
  BASE,
  DESKTOP,
  PASSWORD,
  Scenario,
  apiCall,
  assert,
  assertAccessible,
  login,
  shot,
  storedCrate,
  waitForStatus,
} from './lib.mjs';

export async function part11(browser, results) {
  const t = new Scenario('part11', results);
  const suffix = Date.now().toString(36).toUpperCase();
  const contexts = await Promise.all([
    browser.newContext(DESKTOP),
    browser.newContext(DESKTOP),
    browser.newContext(DESKTOP),
  ]);
  const roles = {};
  let requestId = 0;
  let crate = null;

  await t.step('sign in as document manager, approver and store head', async () => {
    roles.doc = await login(contexts[0], 'docmanager');
    roles.approver = await login(contexts[1], 'approver');
    roles.store = await login(contexts[2], 'storehead');
  });

  await t.step('the approval dialog shows the content being signed', async () => {
    const { doc, approver } = roles;
    crate = await storedCrate(roles, { suffix: `P${suffix}`, recordDate: '1990-01-01' });
    const request = await apiCall(doc, 'POST', 'requests/', {
      request_type: 'destruction',
      purpose: `Retention over ${suffix}`,
      items: [{ crate: crate.id }],
    });
    await apiCall(doc, 'POST', `requests/${request.id}/submit/`, {});
    requestId = request.id;

    await approver.goto(`${BASE}/requests/${requestId}`);
    await approver.getByRole('button', { name: 'Approve' }).click();
    const dialog = approver.getByTestId('signature-dialog');
    const content = approver.getByTestId('signature-content');
    await content.waitFor();
    await dialog.locator('textarea[name="signature-comment"]').fill('Retention checked');
    const signed = JSON.parse(await content.innerText());
    assert(signed.record.number === request.number, `record ${JSON.stringify(signed.record)}`);
    assert(signed.meaning === 'approved', `meaning ${signed.meaning}`);
    assert(signed.items[0].crate === crate.number, `items ${JSON.stringify(signed.items)}`);
    assert(signed.purpose === `Retention over ${suffix}`, `purpose ${signed.purpose}`);
    assert(signed.signer.username === 'approver', `signer ${JSON.stringify(signed.signer)}`);
    assert(signed.comment === 'Retention checked', `comment ${signed.comment}`);
    await shot(approver, 'p11-01-signature-dialog-content');
    await dialog.locator('input[name="signature-password"]').fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Sign and approve' }).click();
    await dialog.waitFor({ state: 'detached' });
    await waitForStatus(approver, 'Approved');
    const read = await apiCall(approver, 'GET', `requests/${requestId}/`);
    const verified = await apiCall(approver, 'GET', `signatures/${read.signatures[0].id}/verify/`);
    assert(verified.valid === true, `signature verifies: ${JSON.stringify(verified)}`);
  });

  await t.step(
    'a witnessed destruction: the executor cannot witness, a wrong witness password changes nothing',
    async () => {
      const { approver, store } = roles;
      const witness = await apiCall(approver, 'GET', 'auth/me/');
      await store.goto(`${BASE}/requests/${requestId}`);
      await store.getByRole('button', { name: 'Execute: destroy' }).click();
      const dialog = store.getByTestId('signature-dialog');
      await store.getByTestId('signature-content').waitFor();
      await dialog.locator('select[name="destruction-method"]').selectOption('incineration');
      await dialog.locator('input[name="destruction-vendor"]').fill(`Incinerator ${suffix}`);
      const offered = await dialog
        .locator('select[name="destruction-witness"] option')
        .allInnerTexts();
      assert(
        !offered.some((label) => label.includes('(storehead)')),
        `executor not offered: ${offered}`,
      );
      const shown = JSON.parse(await store.getByTestId('signature-content').innerText());
      assert(
        shown.method === 'incineration' && shown.vendor === `Incinerator ${suffix}`,
        'content has the record',
      );
      await dialog.locator('select[name="destruction-witness"]').selectOption(String(witness.id));
      await dialog.locator('input[name="witness-password"]').fill('not-the-password');
      await dialog.locator('input[name="signature-password"]').fill(PASSWORD);
      await dialog.getByRole('button', { name: 'Sign and record destruction' }).click();
      await dialog.getByText(/Witness: The password is wrong/).waitFor();
      const still = await apiCall(store, 'GET', `requests/${requestId}/`);
      assert(still.status === 'approved', `still approved: ${still.status}`);

      await dialog.locator('input[name="witness-password"]').fill(PASSWORD);
      await dialog.locator('input[name="signature-password"]').fill(PASSWORD);
      await shot(store, 'p11-02-destruction-with-witness');
      await dialog.getByRole('button', { name: 'Sign and record destruction' }).click();
      await dialog.waitFor({ state: 'detached' });
      await waitForStatus(store, 'Completed');
      const sha = (await store.getByTestId('certificate-sha256').innerText()).trim();
      assert(/^[0-9a-f]{64}$/.test(sha), `certificate hash shown: ${sha}`);
      const check = await apiCall(
        store,
        'GET',
        `requests/${requestId}/certificate/verify/?sha256=${sha}`,
      );
      assert(check.valid === true, 'the printed hash verifies');
      const done = await apiCall(store, 'GET', `requests/${requestId}/`);
      const meanings = done.signatures.map((s) => `${s.meaning}:${s.username}`);
      assert(
        meanings.join(',') ===
          'approved:approver,destroyed:storehead,destruction_witnessed:approver',
        `signatures ${meanings}`,
      );
      await store.getByRole('button', { name: 'Verify' }).last().click();
      await store.getByTestId('signature-verified').last().waitFor();
      assert(
        (await store.getByTestId('signature-verified').last().innerText()) === 'Valid',
        'witness signature verifies',
      );
      await shot(store, 'p11-03-destruction-certified');
    },
  );

  await t.step(
    'a location capacity change asks for the reason and the audit trail keeps it',
    async () => {
      const context = await browser.newContext(DESKTOP);
      contexts.push(context);
      const admin = await login(context, 'unitadmin');
      const me = await apiCall(admin, 'GET', 'auth/me/');
      const code = `P11R${suffix}`;
      const room = await apiCall(admin, 'POST', 'locations/', {
        unit: me.unit,
        kind: 'room',
        code,
        name: `Reason room ${suffix}`,
        capacity: 0,
      });
      await admin.goto(`${BASE}/storage`);
      await admin
        .locator('.tree__row', { hasText: code })
        .getByRole('button', { name: 'Edit' })
        .click();
      const dialog = admin.getByRole('dialog', { name: `Edit ${code}` });
      await dialog.getByLabel('Capacity (crates)').fill('4');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await dialog.getByText('Give the reason for this change.').waitFor();
      const unchanged = await apiCall(admin, 'GET', `locations/${room.id}/`);
      assert(unchanged.capacity === 0, `no reason, no change: ${unchanged.capacity}`);
      await assertAccessible(admin, 'location dialog with a reason');
      await dialog.getByLabel('Reason for change').fill(`Shelving fitted ${suffix}`);
      await shot(admin, 'p11-04-location-reason');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await dialog.waitFor({ state: 'detached' });
      const changed = await apiCall(admin, 'GET', `locations/${room.id}/`);
      assert(changed.capacity === 4, `capacity saved: ${changed.capacity}`);
      const events = await apiCall(
        admin,
        'GET',
        `audit/?entity_type=storagelocation&entity_id=${room.id}&action=location.updated`,
      );
      assert(
        events.results[0]?.comment === `Shelving fitted ${suffix}`,
        `the audit event keeps the reason: ${JSON.stringify(events.results[0])}`,
      );
    },
  );

  await t.step('an approver records an e-signed audit-trail review', async () => {
    const { approver } = roles;
    await approver.goto(`${BASE}/audit`);
    await approver.getByTestId('last-review').waitFor();
    await assertAccessible(approver, 'audit screen with reviews');
    await approver.getByRole('button', { name: 'Record a review' }).click();
    const dialog = approver.getByTestId('signature-dialog');
    const meaning = await approver.getByTestId('signature-meaning').innerText();
    assert(meaning === 'Audit reviewed', `meaning shown: ${meaning}`);
    const content = JSON.parse(await approver.getByTestId('signature-content').innerText());
    assert(
      content.meaning === 'audit_reviewed' && content.to,
      `content: ${JSON.stringify(content)}`,
    );
    await assertAccessible(approver, 'audit review dialog');

    // A wrong password signs nothing.
    await dialog.locator('textarea[name="signature-comment"]').fill(`Monthly review ${suffix}`);
    await dialog.locator('input[name="signature-password"]').fill('not-the-password');
    await dialog.getByRole('button', { name: 'Sign the review' }).click();
    await dialog.getByText(/The password is not correct/).waitFor();
    const none = await apiCall(approver, 'GET', 'audit/reviews/');
    assert(
      !none.results.some((r) => r.comment === `Monthly review ${suffix}`),
      'no review after a wrong password',
    );

    await dialog.locator('input[name="signature-password"]').fill(PASSWORD);
    await shot(approver, 'p11-05-audit-review-dialog');
    await dialog.getByRole('button', { name: 'Sign the review' }).click();
    await dialog.waitFor({ state: 'detached' });
    await approver.getByTestId('audit-reviews').getByText(`Monthly review ${suffix}`).waitFor();
    const last = await approver.getByTestId('last-review').innerText();
    assert(/^Last reviewed: .* by /.test(last), `last review shown: ${last}`);
    const reviews = await apiCall(approver, 'GET', 'audit/reviews/');
    const review = reviews.results[0];
    assert(review.comment === `Monthly review ${suffix}`, `recorded: ${review.comment}`);
    assert(/^[0-9a-f]{64}$/.test(review.chain_head_hash), 'chain head kept');
    const verified = await apiCall(
      approver,
      'GET',
      `signatures/${review.signatures[0].id}/verify/`,
    );
    assert(verified.valid === true, `review signature verifies: ${JSON.stringify(verified)}`);
    await shot(approver, 'p11-06-audit-reviewed');
  });

  for (const context of contexts) await context.close().catch(() => undefined);
}
