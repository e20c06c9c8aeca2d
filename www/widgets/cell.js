// One runnable PyTorch cell as a widget (`<nn-cell code="...">`, or ```widget cell``` with
// {"code": "..."}). All cells of a page share one kernel, so state carries from cell to cell as
// in a notebook. Options: `code` (the cell's text), `autorun` (run once mounted).
import { createCell } from '../notebook/cell.js';
import { KernelSession } from '../notebook/kernel.js';

let kernel = null;
let count = 0;

export async function mount(host, options = {}, { client }) {
  if (!kernel || kernel.client !== client) kernel = new KernelSession(client, {});
  const code = String(options.code ?? 'import torch\nx = torch.ones(64, 3, 32, 32)\nprint(torch.flatten(x, 1).shape)');
  const cell = createCell(count++, code, code, { kernel, client, onEdit: () => {} });
  host.append(cell.root);
  if (options.autorun) await cell.run();
  return {};
}
