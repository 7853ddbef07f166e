import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { InventoryImport } from '@/lib/types';
import { fakeApi, json, page, renderAt } from '@/test/fake-api';
import { makeUser } from '@/test/factories';
import { ImportsPage } from './imports-page';

const docmanager = makeUser({ id: 3, username: 'docmanager', capabilities: ['import_inventory'] });

function makeImport(overrides: Partial<InventoryImport> = {}): InventoryImport {
  return {
    id: 4,
    status: 'validating',
    unit: 1,
    unit_code: 'GOA',
    file_name: 'legacy.csv',
    sha256: 'ab'.repeat(32),
    rows: 3,
    crates: 0,
    documents: 0,
    errors: [],
    error_count: 0,
    preview: [],
    failure: '',
    progress: null,
    created_by: 3,
    created_by_name: 'Doc Manager',
    created_at: '2026-06-01T09:00:00Z',
    validated_at: null,
    committed_at: null,
    ...overrides,
  };
}

const INVALID = makeImport({
  status: 'invalid',
  error_count: 3,
  errors: [
    { row: 1, field: 'date', message: "Unknown column 'date'." },
    { row: 4, field: 'location', message: "No location 'NOWHERE' in this unit (a code or a LOC- barcode)." }, // prettier-ignore
    { row: 4, field: 'record_date', message: 'Not a date: use YYYY-MM-DD.' },
  ],
});

const VALIDATED = makeImport({
  status: 'validated',
  crates: 2,
  documents: 3,
  preview: [
    { legacy_number: 'OLD-1', department: 'QA', location: 2, location_path: 'Archive Room 1 / Shelf 1', description: '', documents: 2, rows: [2, 3] }, // prettier-ignore
    { legacy_number: 'OLD-2', department: 'QA', location: 3, location_path: 'Archive Room 1 / Shelf 2', description: '', documents: 1, rows: [4] }, // prettier-ignore
  ],
});

async function uploadFile(name = 'legacy.csv') {
  const file = new File(['legacy_number,department\n'], name, { type: 'text/csv' });
  await userEvent.upload(screen.getByTestId('import-file') as HTMLInputElement, file);
  const button = screen.getByRole('button', { name: 'Upload and check' });
  await waitFor(() => expect((button as HTMLButtonElement).disabled).toBe(false));
  // jsdom's constraint validation does not see a file set by a test on a required input, so
  // the click would not submit; the browser tests click the real button.
  fireEvent.submit(button.closest('form') as HTMLFormElement);
}

const cells = (row: HTMLElement) => within(row).getAllByRole('cell').map((cell) => cell.textContent); // prettier-ignore

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('ImportsPage', () => {
  it('names every problem by its spreadsheet row and column, and offers no import', async () => {
    const calls = fakeApi(docmanager, (method, url) => {
      if (url === '/api/imports/' && method === 'POST') return json(202, makeImport());
      if (url === '/api/imports/4/') return json(200, INVALID);
      if (url.startsWith('/api/imports/')) return json(200, page([]));
      return undefined;
    });
    renderAt('/imports', '/imports', <ImportsPage />);
    await uploadFile();
    const table = await screen.findByTestId('import-errors');
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map(cells)).toEqual([
      ['1', 'date', "Unknown column 'date'."],
      ['4', 'location', "No location 'NOWHERE' in this unit (a code or a LOC- barcode)."],
      ['4', 'record_date', 'Not a date: use YYYY-MM-DD.'],
    ]);
    expect(screen.getByRole('alert').textContent).toBe(
      '3 problem(s) found; nothing was imported. Fix the file and upload it again.',
    );
    expect(screen.getByTestId('import-status').getAttribute('data-status')).toBe('invalid');
    expect(screen.queryByTestId('import-commit')).toBeNull();
    const upload = calls.find((call) => call.method === 'POST');
    expect((upload?.body as FormData).get('file')).toBeInstanceOf(File);
  });

  it('shows the first crates of a valid file, then its progress, then what was imported', async () => {
    const importing = makeImport({
      ...VALIDATED,
      status: 'importing',
      progress: { phase: 'importing', done: 1, total: 3 },
    });
    // After the commit: the import is at work for the next two reads, then done.
    let answers = [VALIDATED];
    const calls = fakeApi(docmanager, (method, url) => {
      if (url === '/api/imports/' && method === 'POST') return json(202, makeImport());
      if (url === '/api/imports/4/commit/' && method === 'POST') {
        answers = [importing, importing, makeImport({ ...VALIDATED, status: 'done' })];
        return json(202, importing);
      }
      if (url === '/api/imports/4/') return json(200, answers.length > 1 ? answers.shift() : answers[0]); // prettier-ignore
      if (url.startsWith('/api/imports/')) return json(200, page([]));
      return undefined;
    });
    renderAt('/imports', '/imports', <ImportsPage />);
    await uploadFile();
    const preview = await screen.findByTestId('import-preview');
    expect(within(preview).getAllByRole('row').slice(1).map(cells)).toEqual([
      ['OLD-1', 'QA', 'Archive Room 1 / Shelf 1', '2', '2, 3'],
      ['OLD-2', 'QA', 'Archive Room 1 / Shelf 2', '1', '4'],
    ]);
    await userEvent.click(screen.getByRole('button', { name: 'Import 2 crates' }));
    expect((await screen.findByTestId('import-progress')).textContent).toMatch(/importing 1 of 3 rows/); // prettier-ignore
    // The socket would refresh it at once; the page also polls while the work runs.
    expect(await screen.findByText('2 crates and 3 documents imported.', undefined, { timeout: 5000 })).toBeTruthy(); // prettier-ignore
    expect(screen.queryByTestId('import-commit')).toBeNull();
    expect(calls.filter((call) => call.url === '/api/imports/4/commit/')).toHaveLength(1);
  });

  it('shows a refused upload next to the file field and creates nothing', async () => {
    fakeApi(docmanager, (method, url) => {
      if (url === '/api/imports/' && method === 'POST')
        return json(400, { file: ['This is a binary file, not a CSV or XLSX spreadsheet.'] });
      if (url.startsWith('/api/imports/')) return json(200, page([]));
      return undefined;
    });
    renderAt('/imports', '/imports', <ImportsPage />);
    await uploadFile('photo.csv');
    await waitFor(() =>
      expect(
        screen.getByText('This is a binary file, not a CSV or XLSX spreadsheet.'),
      ).toBeTruthy(),
    );
    expect(screen.queryByTestId('import-status')).toBeNull();
  });
});
