import { DataTable, EmptyState, Panel, type DataColumn } from '../../design/index.ts';

/** One section of a chart list (current problems, past medications…): a titled panel holding its table, with a sentence when it is empty. */
export function ListTable<T>({ title, label, columns, rows, rowKey, empty }: { title: string; label: string; columns: readonly DataColumn<T>[]; rows: readonly T[]; rowKey: (row: T) => string; empty: string }) {
  return (
    <Panel title={title} level={3} flush>
      <DataTable label={label} columns={columns} rows={rows} rowKey={rowKey} empty={<EmptyState title={empty} />} />
    </Panel>
  );
}
