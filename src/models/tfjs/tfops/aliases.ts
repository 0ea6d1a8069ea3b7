// Readable layer names for imported graph models. TF node names carry every wrapper scope
// (`StatefulPartitionedCall/sequential/keras_layer/…/MobilenetV2/expanded_conv_14/expand/Relu6`);
// users want `expanded_conv_14/expand`: the model's main scope stripped, the op name dropped.

export interface ConvertedNode {
  /** TF node name (also its IR tensor name). */
  name: string;
  op: string;
  preActivation?: string;
  /** TF name of the node's weight constant, when it has one. */
  weight?: string;
}

export type LayerAliases = Record<string, { tensor: string; preActivation?: string; kind?: string }>;

const dirname = (n: string) => (n.includes('/') ? n.slice(0, n.lastIndexOf('/')) : n);

/**
 * The deepest scope (ending in '/') that holds at least half of the computing nodes: the model
 * proper, inside whatever wrappers the export added. '' when no scope does.
 */
export function mainScope(names: string[]): string {
  const counts = new Map<string, number>();
  for (const n of names) {
    const parts = n.split('/');
    for (let i = 1; i < parts.length; i++) {
      const p = `${parts.slice(0, i).join('/')}/`;
      counts.set(p, (counts.get(p) ?? 0) + 1);
    }
  }
  let best = '';
  for (const [p, k] of counts) if (2 * k >= names.length && p.length > best.length) best = p;
  return best;
}

/** Strip the main scope, or for nodes outside it the part of it they share (`…/sequential/dense/BiasAdd` → `dense/BiasAdd`). */
export function stripScope(name: string, scope: string): string {
  if (name.startsWith(scope)) return name.slice(scope.length);
  const a = name.split('/');
  const b = scope.split('/');
  let i = 0;
  while (i < a.length - 1 && i < b.length && a[i] === b[i]) i++;
  return a.slice(i).join('/');
}

const KIND: Record<string, string> = { _FusedConv2D: 'Conv2D', FusedDepthwiseConv2dNative: 'DepthwiseConv2D', DepthwiseConv2dNative: 'DepthwiseConv2D', _FusedMatMul: 'MatMul', AddV2: 'Add' };

/**
 * One readable name per computing node. A layer's name is its weight's scope when the node sits
 * inside it (`expanded_conv/project/BatchNorm/FusedBatchNormV3` → `expanded_conv/project`), else
 * its own scope (`expanded_conv_2/add` → `expanded_conv_2`). When nodes share a scope, the last
 * one (the scope's output) takes the scope's name and the others keep their stripped names.
 */
export function layerAliases(nodes: ConvertedNode[]): LayerAliases {
  const scope = mainScope(nodes.map((n) => n.name));
  const layerOf = (n: ConvertedNode) => {
    const w = n.weight ? dirname(n.weight) : undefined;
    if (w && w !== n.weight && n.name.startsWith(`${w}/`)) return stripScope(w, scope);
    const stripped = stripScope(n.name, scope);
    return dirname(stripped);
  };
  const lastInLayer = new Map<string, ConvertedNode>();
  for (const n of nodes) lastInLayer.set(layerOf(n), n);
  const out: LayerAliases = {};
  const entry = (n: ConvertedNode) => ({ tensor: n.name, ...(n.preActivation ? { preActivation: n.preActivation } : {}), kind: KIND[n.op] ?? n.op });
  // A name equal to the tensor's own adds nothing unless it carries a pre-activation.
  for (const [layer, n] of lastInLayer) if (layer !== n.name || n.preActivation) out[layer] = entry(n);
  for (const n of nodes) {
    const own = stripScope(n.name, scope);
    if (lastInLayer.get(layerOf(n)) !== n && !(own in out) && own !== n.name) out[own] = entry(n);
  }
  return out;
}
