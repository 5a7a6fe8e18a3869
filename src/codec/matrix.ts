/**
 * The p×s message matrix is the blob row-major: symbol (r, c) is bytes [(r·s + c)·ss, +ss).
 * A row is contiguous (a systematic primary sliver); a column is strided (a systematic secondary sliver).
 */
export interface MatrixShape {
  readonly rows: number;
  readonly columns: number;
  readonly symbolSize: number;
}

/** Writes `column` (rows·ss bytes) into column `c` of the matrix. */
export function writeColumn(matrix: Uint8Array, shape: MatrixShape, c: number, column: Uint8Array): void {
  const { rows, columns, symbolSize: ss } = shape;
  for (let r = 0; r < rows; r++) matrix.set(column.subarray(r * ss, (r + 1) * ss), (r * columns + c) * ss);
}
