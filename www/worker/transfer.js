// A worker method may return `new Transfer(value, buffers)` to move `buffers` (ArrayBuffers
// inside `value`) to the page instead of copying them.

export class Transfer {
  constructor(value, buffers) {
    this.value = value;
    this.buffers = buffers;
  }
}
