import type { ReactNode } from 'react';
import { SCROLLABLE } from '@/components/ui/misc';

export interface ListColumn {
  label: ReactNode;
  className?: string;
  /** Named for screen readers only (an actions column). */
  hidden?: boolean;
}

/**
 * A list's rows as a table that scrolls sideways on a narrow screen; nothing while there are no
 * rows (ListStatus says so). `children` renders one row (`<tr key=…>`).
 */
export function ListTable<Row>({
  rows,
  columns,
  testId,
  dense = false,
  children,
}: {
  rows: readonly Row[] | undefined;
  columns: readonly (string | ListColumn)[];
  testId?: string;
  dense?: boolean;
  children: (row: Row) => ReactNode;
}) {
  if (!rows || rows.length === 0) return null;
  return (
    <div className="table-wrap" {...SCROLLABLE}>
      <table className={dense ? 'table table--dense' : 'table'} data-testid={testId}>
        <thead>
          <tr>
            {columns.map((column, index) => {
              const { label, className, hidden } =
                typeof column === 'string' ? { label: column } : (column as ListColumn);
              return (
                <th key={index} scope="col" className={className}>
                  {hidden ? <span className="sr-only">{label}</span> : label}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>{rows.map(children)}</tbody>
      </table>
    </div>
  );
}
