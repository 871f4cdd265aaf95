
/** Prints rows as JSON (for --json) or as a table with the given columns. */
export async function printRows<T extends object>(rows: readonly T[], columns: ReadonlyArray<[header: string, cell: (row: T) => string | number]>, json: boolean | undefined, jsonValue: unknown = rows): Promise<void> {
  if (json) {
    process.stdout.write(JSON.stringify(jsonValue, null, 2) + '\n');
    return;
  }
  // Loaded only for tables: scripts asking for --json do not pay its start-up cost.
  const { default: Table } = await import('cli-table3');
  const table = new Table({
    head: columns.map(([h]) => h),
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const row of rows) table.push(columns.map(([, cell]) => String(cell(row))));
  process.stdout.write(table.toString() + '\n');
}
