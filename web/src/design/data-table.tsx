import type { ReactNode } from 'react';
import { Cell, Column, Row, Table, TableBody, TableHeader } from 'react-aria-components';

export interface DataColumn<T> {
  id: string;
  header: string;
  cell: (row: T) => ReactNode;
  /** The row's header cell (its name, for screen readers); one column should be. */
  isRowHeader?: boolean;
}

export interface DataTableProps<T> {
  /** What the table lists; read by screen readers. */
  label: string;
  columns: readonly DataColumn<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  /** Opening a row by click, Enter or Space (e.g. a patient's chart). */
  rowHref?: (row: T) => string;
  /** Shown in place of rows when there are none. */
  empty?: ReactNode;
}

/**
 * A table with react-aria's grid keyboard navigation (arrow keys between rows and cells). With
 * `rowHref` each row is a link: the whole row opens the item, as clinicians expect.
 */
export function DataTable<T>({ label, columns, rows, rowKey, rowHref, empty }: DataTableProps<T>) {
  return (
    <Table aria-label={label} className="h-table">
      <TableHeader columns={columns}>
        {(column) => (
          <Column id={column.id} isRowHeader={column.isRowHeader ?? false}>
            {column.header}
          </Column>
        )}
      </TableHeader>
      <TableBody items={rows} renderEmptyState={() => empty ?? 'Nothing to show.'}>
        {(row) => (
          <Row id={rowKey(row)} columns={columns} {...(rowHref ? { href: rowHref(row), 'data-href': true } : {})}>
            {(column) => <Cell>{column.cell(row)}</Cell>}
          </Row>
        )}
      </TableBody>
    </Table>
  );
}
