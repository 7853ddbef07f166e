import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { Pagination } from './pagination';

describe('Pagination', () => {
  it('shows the exact total and stops at the last page', () => {
    render(
      <Pagination page={2} pageSize={25} count={50} countExact hasNext={false} onPage={vi.fn()} />,
    );
    expect(screen.getByText('Page 2 of 2 · 50 total')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Next ›' }) as HTMLButtonElement).disabled).toBe(
      true,
    );
  });

  it('follows the next link past a capped count', async () => {
    const onPage = vi.fn();
    render(
      <Pagination
        page={40}
        pageSize={25}
        count={1000}
        countExact={false}
        hasNext
        onPage={onPage}
      />,
    );
    expect(screen.getByText('Page 40 of 40+ · more than 1000')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Next ›' }));
    expect(onPage).toHaveBeenCalledWith(41);
  });

  it('stops where the API offers no next page even if the count was capped', () => {
    render(
      <Pagination
        page={41}
        pageSize={25}
        count={1000}
        countExact={false}
        hasNext={false}
        onPage={vi.fn()}
      />,
    );
    expect((screen.getByRole('button', { name: 'Next ›' }) as HTMLButtonElement).disabled).toBe(
      true,
    );
  });
});
