/** Multiply-add FLOPs of a forward pass (convolutions and up-convolutions), counted from the spec. */
import { layerTable, type Spec } from '../src/index.js';

export function forwardFlops(spec: Spec, inputSize: number): number {
  const rows = layerTable(spec, inputSize);
  const byName = new Map(rows.map((r) => [r.name, r]));
  let flops = 0;
  for (const node of spec.nodes) {
    if (node.kind === 'conv') {
      const out = byName.get(node.name)!;
      const cin = byName.get(node.input)!.channels;
      flops += 2 * out.height * out.width * node.kernelSize * node.kernelSize * cin * node.filters;
    } else if (node.kind === 'upconv') {
      const out = byName.get(node.name)!;
      const cin = byName.get(node.input)!.channels;
      flops += 2 * out.height * out.width * cin * node.filters; // one tap per output pixel
    }
  }
  return flops;
}
