// Shelf work (issue 11): the scan box inside New request's form, the camera scanner fed by
// Chromium's fake camera with a rendered label, crate selection -> label sheets and a request,
// labels of a location's subtree, a pick list ticked by scanning, the send-back dialog, a
// storage execution allocated by scanning crate then shelf labels, and a relocation whose new
// place is scanned with the keyboard and with the camera through the browser's BarcodeDetector.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import {
  ARTIFACTS,
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

const HERE = dirname(fileURLToPath(import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function python() {
  const venv = process.env.VENV ?? join(HERE, '..', '..', '.venv');
  const candidate = join(venv, 'bin', 'python');
  return existsSync(candidate) ? candidate : 'python3';
}

// The label's QR code drawn module by module from the same encoder the PDF labels use
// (reportlab), with the code printed under it, saved as a PNG; then that picture as an MJPEG
// stream (concatenated JPEG frames), which Chromium's fake camera plays in a loop.
const RENDER_LABEL = `
import io, sys
from PIL import Image, ImageDraw
from reportlab.graphics.barcode import qr
code, png_path, mjpeg_path = sys.argv[1:4]
widget = qr.QrCodeWidget(code, barLevel="M")
widget.qr.make()
modules = widget.qr.modules
box, border = 8, 4
side = (len(modules) + 2 * border) * box
label = Image.new("RGB", (640, 480), "white")
draw = ImageDraw.Draw(label)
left, top = (640 - side) // 2, 40
for r, row in enumerate(modules):
    for c, dark in enumerate(row):
        if dark:
            x, y = left + (c + border) * box, top + (r + border) * box
            draw.rectangle([x, y, x + box - 1, y + box - 1], fill="black")
draw.text((left, top + side + 10), code, fill="black")
label.save(png_path)
frame = io.BytesIO()
label.save(frame, "JPEG", quality=95)
with open(mjpeg_path, "wb") as out:
    for _ in range(30):
        out.write(frame.getvalue())
`;

function renderLabelVideo(code, name) {
  const png = join(ARTIFACTS, `${name}.png`);
  const mjpeg = join(ARTIFACTS, `${name}.mjpeg`);
  execFileSync(python(), ['-c', RENDER_LABEL, code, png, mjpeg], { stdio: 'inherit' });
  return mjpeg;
}

/** Types a code into a scan box the way a hand scanner does: the characters, then Enter. */
async function scan(box, code) {
  await box.fill('');
  await box.pressSequentially(code, { delay: 5 });
  await box.press('Enter');
}

export async function shelf(browser, results) {
  const t = new Scenario('shelf', results);
  const suffix = `SH${Date.now().toString(36).toUpperCase()}`;
  const state = {};

  await t.step('set up: three stored crates', async () => {
    state.docContext = await browser.newContext(DESKTOP);
    state.approverContext = await browser.newContext(DESKTOP);
    state.storeContext = await browser.newContext(TABLET);
    state.doc = await login(state.docContext, 'docmanager');
    state.approver = await login(state.approverContext, 'approver');
    state.store = await login(state.storeContext, 'storehead');
    const pages = { doc: state.doc, approver: state.approver, store: state.store };
    state.a = await storedCrate(pages, { suffix: `${suffix}-A` });
    state.b = await storedCrate(pages, { suffix: `${suffix}-B` });
    state.c = await storedCrate(pages, { suffix: `${suffix}-C` });
  });

  await t.step('scan box in New request: Enter adds the crate, purpose and type stay', async () => {
    const page = state.doc;
    await page.goto(`${BASE}/requests/new?type=withdrawal`);
    await page.locator('textarea[name="purpose"]').fill(`Audit ${suffix}`);
    const box = page.getByRole('textbox', { name: 'Scan or type a crate number' });
    await scan(box, state.a.number.toLowerCase());
    await page.getByTestId('picked-crate').filter({ hasText: state.a.number }).waitFor();
    assert(page.url().endsWith('/requests/new?type=withdrawal'), `the page moved to ${page.url()}`);
    const purpose = await page.locator('textarea[name="purpose"]').inputValue();
    assert(purpose === `Audit ${suffix}`, `purpose became "${purpose}"`);
    const type = await page.locator('select[name="request_type"]').inputValue();
    assert(type === 'withdrawal', `request type became ${type}`);
    assert((await box.inputValue()) === '', 'the scan box was not cleared for the next label');

    await scan(box, `NOPE-${suffix}`);
    const alert = page.getByRole('alert').filter({ hasText: `NOPE-${suffix}` });
    await alert.waitFor();
    assert(
      /is not a crate, location or document of your units/.test(await alert.innerText()),
      'garbage was not refused in words',
    );
    assert((await page.getByTestId('picked-crate').count()) === 1, 'garbage added an item');
    await assertAccessible(page, 'New request with the scan box');
    await tour(page, 'scan-in-request-form');
  });

  await t.step('camera scanner reads a rendered label from a fake camera', async () => {
    const video = renderLabelVideo(state.b.number, 'camera-label');
    const cameraBrowser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
        `--use-file-for-fake-video-capture=${video}`,
      ],
    });
    try {
      const context = await cameraBrowser.newContext(TABLET);
      await context.grantPermissions(['camera'], { origin: BASE });
      const page = await login(context, 'docmanager');
      await page.goto(`${BASE}/requests/new?type=withdrawal`);
      await page.locator('textarea[name="purpose"]').fill(`Camera ${suffix}`);
      await page.getByRole('button', { name: 'Camera' }).click();
      await page.locator('.camera-scanner__video').waitFor();
      await page
        .getByTestId('picked-crate')
        .filter({ hasText: state.b.number })
        .waitFor({ timeout: 30_000 });
      const engine = await page.locator('.camera-scanner').getAttribute('data-engine');
      assert(engine === 'zxing' || engine === 'native', `camera engine ${engine}`);
      const purpose = await page.locator('textarea[name="purpose"]').inputValue();
      assert(purpose === `Camera ${suffix}`, `purpose became "${purpose}"`);
      assert(
        page.url().endsWith('/requests/new?type=withdrawal'),
        `the page moved to ${page.url()}`,
      );
      await tour(page, 'camera-scanner');
      await page.getByRole('button', { name: 'Close camera' }).click();
      await context.close();
    } finally {
      await cameraBrowser.close();
    }
  });

  await t.step('crate list: select crates, print a label sheet, raise one request', async () => {
    const page = state.doc;
    await page.goto(`${BASE}/crates?search=${suffix}`);
    await page.getByTestId('crates-table').locator('tbody tr').nth(2).waitFor();
    await page.getByRole('checkbox', { name: `Select ${state.a.number}` }).check();
    await page.getByRole('checkbox', { name: `Select ${state.b.number}` }).check();
    const bar = page.getByTestId('selection-bar');
    await bar.getByText('2 selected').waitFor();
    await bar.getByLabel('Label format').selectOption('avery-l7163');
    await assertAccessible(page, 'Crates with a selection');
    await tour(page, 'crate-selection-labels');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/labels/')),
      bar.getByRole('button', { name: 'Print 2 labels' }).click(),
    ]);
    assert(response.status() === 200, `labels answered ${response.status()}`);
    assert(
      response.headers()['content-type'] === 'application/pdf',
      `labels came as ${response.headers()['content-type']}`,
    );
    const sent = JSON.parse(response.request().postData());
    assert(
      sent.format === 'avery-l7163' &&
        [...sent.crates].sort().join() === [state.a.id, state.b.id].sort().join(),
      `labels asked for ${JSON.stringify(sent)}`,
    );

    // Select the page, then clear: nothing stays selected.
    await page.getByRole('checkbox', { name: 'Select every crate on this page' }).check();
    await bar.getByText('3 selected').waitFor();
    await bar.getByRole('button', { name: 'Clear selection' }).click();
    await bar.waitFor({ state: 'detached' });

    await page.getByRole('checkbox', { name: `Select ${state.a.number}` }).check();
    await page.getByRole('checkbox', { name: `Select ${state.c.number}` }).check();
    await page.getByRole('button', { name: 'New request from selection' }).click();
    await page.waitForURL(/\/requests\/new\?type=withdrawal&crates=/);
    for (const crate of [state.a, state.c]) {
      await page.getByTestId('picked-crate').filter({ hasText: crate.number }).waitFor();
    }
    assert((await page.getByTestId('picked-crate').count()) === 2, 'the request has other crates');
  });

  await t.step('storage tree: labels for a location and everything inside it', async () => {
    const page = state.store;
    const rooms = await apiCall(page, 'GET', 'locations/?root=true&page_size=1');
    const room = rooms.results[0];
    await page.goto(`${BASE}/storage?location=${room.id}`);
    const barcode = await page.getByTestId('location-barcode').innerText();
    assert(barcode === room.barcode && /^LOC-/.test(barcode), `barcode shown ${barcode}`);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/labels/')),
      page.getByRole('button', { name: 'Print labels for it and everything inside' }).click(),
    ]);
    assert(response.status() === 200, `labels answered ${response.status()}`);
    const sent = JSON.parse(response.request().postData());
    assert(sent.subtree === true && sent.locations[0] === room.id, JSON.stringify(sent));
    await tour(page, 'storage-labels');
  });

  await t.step('pick list: scanning ticks items, a crate not on it is refused', async () => {
    const request = await apiCall(state.doc, 'POST', 'requests/', {
      request_type: 'withdrawal',
      purpose: `Pick ${suffix}`,
      expected_return_date: new Date(Date.now() + 14 * 86400000).toISOString().slice(0, 10),
      items: [{ crate: state.a.id }, { crate: state.b.id }],
    });
    await apiCall(state.doc, 'POST', `requests/${request.id}/submit/`, {});
    await apiCall(state.approver, 'POST', `requests/${request.id}/approve/`, {
      password: PASSWORD,
      comment: '',
    });
    const page = state.store;
    await page.goto(`${BASE}/requests/${request.id}`);
    const list = page.getByTestId('pick-list');
    await list.locator('tbody tr').nth(1).waitFor();
    const progress = page.getByTestId('pick-progress');
    assert((await progress.innerText()).startsWith('0 of 2'), await progress.innerText());
    const box = page.getByRole('textbox', { name: /Scan each crate or document/ });
    await scan(box, state.a.number);
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="pick-progress"]')?.textContent.startsWith('1 of 2'),
    );
    await scan(box, state.c.number);
    const refusal = page.getByRole('alert').filter({ hasText: state.c.number });
    await refusal.waitFor();
    assert(/is not on this pick list/.test(await refusal.innerText()), await refusal.innerText());
    assert((await progress.innerText()).startsWith('1 of 2'), 'a crate not on the list ticked');
    await scan(box, state.b.number);
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="pick-progress"]')?.textContent.startsWith('2 of 2'),
    );
    assert(
      (await list.getByRole('img', { name: 'ticked' }).count()) === 2,
      'both rows are not ticked',
    );
    await assertAccessible(page, 'Request with its pick list');
    await tour(page, 'pick-list');
    const [pdf] = await Promise.all([
      page.waitForResponse((r) =>
        r.url().includes(`/api/requests/${request.id}/pick-list/?format=pdf`),
      ),
      page.getByRole('button', { name: 'Print pick list' }).click(),
    ]);
    assert(pdf.status() === 200, `pick list PDF answered ${pdf.status()}`);
    state.pickRequest = request;
  });

  await t.step('send-back: scanning a returned crate ticks it, another is refused', async () => {
    const store = state.store;
    await store.getByRole('button', { name: 'Execute: issue' }).click();
    await store.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await store
      .getByTestId('request-status')
      .filter({ hasText: /issued/i })
      .waitFor();
    const page = state.doc;
    await page.goto(`${BASE}/requests/${state.pickRequest.id}`);
    await page.getByRole('button', { name: 'Send back' }).click();
    const dialog = page.getByRole('dialog');
    const box = dialog.getByRole('textbox', { name: 'Scan what is being returned' });
    await scan(box, state.b.number);
    const b = dialog.getByRole('checkbox', { name: new RegExp(state.b.number) });
    const a = dialog.getByRole('checkbox', { name: new RegExp(state.a.number) });
    assert((await b.isChecked()) && !(await a.isChecked()), 'the scan ticked the wrong item');
    await scan(box, state.c.number);
    await dialog.getByRole('alert').filter({ hasText: 'is not out under' }).waitFor();
    await dialog.getByRole('button', { name: 'Create send-back' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  await t.step('storage execution: each crate’s label, then its shelf’s label', async () => {
    const [doc, store] = [state.doc, state.store];
    const departments = await apiCall(doc, 'GET', 'departments/?page_size=1');
    const types = await apiCall(doc, 'GET', 'document-types/?page_size=1&is_active=true');
    const crates = [];
    for (const n of [1, 2]) {
      const crate = await apiCall(doc, 'POST', 'crates/', {
        department: departments.results[0].id,
        description: `E2E put-away ${suffix}`,
      });
      await apiCall(doc, 'POST', 'documents/', {
        crate: crate.id,
        number: `PUT-${suffix}-${n}`,
        title: `Record ${n}`,
        document_type: types.results[0].id,
        record_date: '2025-02-01',
      });
      crates.push(crate);
    }
    const request = await apiCall(doc, 'POST', 'requests/', {
      request_type: 'storage',
      purpose: `Put away ${suffix}`,
      items: crates.map((crate) => ({ crate: crate.id })),
    });
    await apiCall(doc, 'POST', `requests/${request.id}/submit/`, {});
    await apiCall(state.approver, 'POST', `requests/${request.id}/approve/`, {
      password: PASSWORD,
      comment: '',
    });
    const free = await apiCall(
      store,
      'GET',
      `locations/?available=true&page_size=2&unit=${crates[0].unit}`,
    );
    assert(free.results.length === 2, 'two shelves with a free place');
    const [first, second] = free.results;
    const rooms = await apiCall(store, 'GET', `locations/?root=true&page_size=1`);
    const room = rooms.results[0];

    await store.goto(`${BASE}/requests/${request.id}`);
    await store.getByRole('button', { name: 'Execute: store crates' }).click();
    const dialog = store.getByTestId('allocation-dialog');
    const box = dialog.getByRole('textbox', {
      name: "Scan a crate's label, then its location's label",
    });
    await scan(box, first.barcode);
    await dialog.getByRole('alert').filter({ hasText: 'Scan a crate' }).waitFor();
    await scan(box, crates[0].number);
    await dialog.getByText(`${crates[0].number}: now scan its location's label.`).waitFor();
    await scan(box, room.barcode); // a room holds no crates
    await dialog
      .getByRole('alert')
      .filter({ hasText: 'is not an active place for crates' })
      .waitFor();
    await scan(box, first.barcode);
    await dialog.getByText(`${crates[0].number} → ${first.path}.`).waitFor();
    await scan(box, crates[1].number.toLowerCase());
    await scan(box, second.barcode);
    await dialog.getByText(`${crates[1].number} → ${second.path}.`).waitFor();
    const pickers = dialog.locator('select.location-picker');
    assert((await pickers.nth(0).inputValue()) === String(first.id), 'first crate: wrong place');
    assert((await pickers.nth(1).inputValue()) === String(second.id), 'second crate: wrong place');
    assert(store.url().endsWith(`/requests/${request.id}`), `the page moved to ${store.url()}`);
    await assertAccessible(store, 'allocation dialog with the scan box');
    await dialog.getByRole('button', { name: 'Store crates' }).click();
    await dialog.waitFor({ state: 'detached' });
    for (const [crate, place] of [
      [crates[0], first],
      [crates[1], second],
    ]) {
      const stored = await apiCall(store, 'GET', `crates/${crate.id}/`);
      assert(
        stored.status === 'stored' && stored.location === place.id,
        `${crate.number} is ${stored.status} at ${stored.location_path}`,
      );
    }
  });

  await t.step('relocate: the new place by its scanned label, the dialog stays', async () => {
    const page = state.store;
    const crate = await apiCall(page, 'GET', `crates/${state.c.id}/`);
    const free = await apiCall(
      page,
      'GET',
      `locations/?available=true&page_size=10&unit=${crate.unit}`,
    );
    const target = free.results.find((location) => location.id !== crate.location);
    await page.goto(`${BASE}/crates/${crate.id}`);
    await page.getByRole('button', { name: 'Relocate' }).click();
    const dialog = page.getByRole('dialog');
    const box = dialog.getByRole('textbox', { name: 'New location: or scan its label' });
    await scan(box, crate.number);
    await dialog.getByRole('alert').filter({ hasText: 'scan the location' }).waitFor();
    await scan(box, target.barcode);
    await dialog.getByText(`${target.path} chosen.`).waitFor();
    const picker = dialog.locator('select.location-picker');
    assert((await picker.inputValue()) === String(target.id), 'the scan chose another place');
    assert(page.url().endsWith(`/crates/${crate.id}`), `the page moved to ${page.url()}`);
    await dialog.getByRole('button', { name: 'Relocate' }).click();
    await dialog.waitFor({ state: 'detached' });
    const moved = await apiCall(page, 'GET', `crates/${crate.id}/`);
    assert(moved.location === target.id, `relocated to ${moved.location_path}`);
    state.relocatedFrom = crate.location;
  });

  await t.step('relocate by camera: the browser’s BarcodeDetector reads the label', async () => {
    const back = await apiCall(state.store, 'GET', `locations/${state.relocatedFrom}/`);
    // Chromium on Linux has no BarcodeDetector: the page gets one that reads `back`'s label
    // from the (fake) camera's frames, as Android's and macOS's do from a real one.
    const cameraBrowser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
      ],
    });
    try {
      const context = await cameraBrowser.newContext(TABLET);
      await context.grantPermissions(['camera'], { origin: BASE });
      await context.addInitScript((code) => {
        window.BarcodeDetector = class {
          static async getSupportedFormats() {
            return ['code_128', 'qr_code'];
          }
          async detect(video) {
            window.__framesRead = (window.__framesRead ?? 0) + 1;
            return video.readyState >= 2 ? [{ rawValue: code }] : [];
          }
        };
      }, back.barcode);
      const page = await login(context, 'storehead');
      await page.goto(`${BASE}/crates/${state.c.id}`);
      await page.getByRole('button', { name: 'Relocate' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('button', { name: 'Camera' }).click();
      await dialog.getByText(`${back.path} chosen.`).waitFor({ timeout: 30_000 });
      const engine = await dialog.locator('.camera-scanner').getAttribute('data-engine');
      assert(engine === 'native', `camera engine ${engine}`);
      assert((await page.evaluate(() => window.__framesRead)) > 0, 'no frame was read');
      const picker = dialog.locator('select.location-picker');
      assert((await picker.inputValue()) === String(back.id), 'the camera chose another place');
      await dialog.getByRole('button', { name: 'Close camera' }).click();
      await dialog.getByRole('button', { name: 'Relocate' }).click();
      await dialog.waitFor({ state: 'detached' });
      const moved = await apiCall(page, 'GET', `crates/${state.c.id}/`);
      assert(moved.location === back.id, `relocated to ${moved.location_path}`);
      await context.close();
    } finally {
      await cameraBrowser.close();
    }
  });

  await t.step('new location: the place it goes inside by its scanned label', async () => {
    const context = await browser.newContext(DESKTOP);
    try {
      const page = await login(context, 'unitadmin');
      const rooms = await apiCall(page, 'GET', 'locations/?root=true&page_size=1');
      const room = rooms.results[0];
      await page.goto(`${BASE}/storage`);
      await page.getByRole('button', { name: 'New room' }).click();
      const dialog = page.getByRole('dialog');
      const box = dialog.getByRole('textbox', { name: 'Inside: or scan its label' });
      await scan(box, state.c.number);
      await dialog.getByRole('alert').filter({ hasText: "scan a location's label" }).waitFor();
      await scan(box, room.barcode);
      await dialog.getByText(`Inside ${room.path}.`).waitFor();
      const inside = await dialog.locator('select').first().inputValue();
      assert(inside === String(room.id), `inside became ${inside}`);
      assert(page.url().endsWith('/storage'), `the page moved to ${page.url()}`);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
    } finally {
      await context.close();
    }
  });

  for (const context of [state.docContext, state.approverContext, state.storeContext]) {
    await context?.close().catch(() => undefined);
  }
}
