import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ListTable } from './list-table';

const rows = [
  { id: 1, number: 'CRT-1' },
  { id: 2, number: 'CRT-2' },
];

describe('ListTable', () => {
  it('renders nothing while there are no rows', () => {
    const { container } = render(
      <ListTable rows={[]} columns={['Number']} testId="empty">
        {(row: { id: number }) => <tr key={row.id} />}
      </ListTable>,
    );
    expect(container.innerHTML).toBe('');
  });

  it('heads each column for screen readers and renders one row each', () => {
    render(
      <ListTable
        rows={rows}
        testId="crates"
        dense
        columns={['Number', { label: 'Actions', hidden: true }]}
      >
        {(row) => (
          <tr key={row.id}>
            <td>{row.number}</td>
            <td>
              <button type="button">Open</button>
            </td>
          </tr>
        )}
      </ListTable>,
    );
    const table = screen.getByTestId('crates');
    expect(table.className).toBe('table table--dense');
    const headers = within(table).getAllByRole('columnheader');
    expect(headers.map((th) => th.getAttribute('scope'))).toEqual(['col', 'col']);
    expect(headers[1].querySelector('.sr-only')?.textContent).toBe('Actions');
    expect(within(table).getAllByRole('row')).toHaveLength(3);
    expect(screen.getByRole('region', { name: 'Table (scrolls sideways)' })).toBeTruthy();
  });
});
