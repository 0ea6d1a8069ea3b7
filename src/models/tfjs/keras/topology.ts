// Reading a Keras model.json topology (Functional "Model" or Sequential) into one flat,
// topologically ordered list of layers with named inputs; refuses what a 1:1 import cannot map.
import { badInput } from '../../../errors.ts';

/** One Keras layer called exactly once: its class, its config (snake_case, as saved) and whose outputs it reads. */
export interface KerasLayer {
  name: string;
  className: string;
  config: Record<string, any>;
  /** Names of the layers whose single output this layer reads, in call order. */
  inbound: string[];
}

export interface KerasTopology {
  /** The model's own name, if saved. */
  name?: string;
  kerasVersion?: string;
  /** The model's one InputLayer (synthesised for a Sequential model without one, named as TF.js does). */
  input: KerasLayer;
  /** Every other layer, each after the layers it reads. */
  layers: KerasLayer[];
  /** Names of the output layers. */
  outputs: string[];
}

const NESTED = new Set(['Model', 'Functional', 'Sequential']);
const HINT_FLATTEN = 'flatten the model in Python (rebuild it as one functional model whose layers are called once) and convert it again';

/** The model_config of a TF.js "layers-model" model.json, validated and flattened. */
export function readTopology(modelJson: { format?: string; modelTopology: any }, where: string): KerasTopology {
  if (modelJson.format && modelJson.format !== 'layers-model') {
    throw badInput('E_KERAS_FORMAT', `model.json has format "${modelJson.format}", not "layers-model"`, where,
      'graph models are imported by the TF.js graph importer; this one reads Keras layers models');
  }
  const topo = modelJson.modelTopology;
  const modelConfig = topo?.model_config ?? topo;
  if (!modelConfig || typeof modelConfig !== 'object' || typeof modelConfig.class_name !== 'string') {
    throw badInput('E_KERAS_FORMAT', 'model.json has no Keras model_config (modelTopology.model_config.class_name is missing)', where,
      'pass the model.json written by tensorflowjs_converter --output_format tfjs_layers_model or by model.save()');
  }
  const kerasVersion = typeof topo?.keras_version === 'string' ? topo.keras_version : undefined;
  const cls = modelConfig.class_name;
  const name = typeof modelConfig.config?.name === 'string' ? modelConfig.config.name : undefined;
  if (cls === 'Sequential') return { name, ...sequential(modelConfig.config, where, kerasVersion) };
  if (cls === 'Model' || cls === 'Functional') return { name, ...functional(modelConfig.config, where, kerasVersion) };
  throw badInput('E_KERAS_FORMAT', `model_config has class "${cls}"; expected Model, Functional or Sequential`, where,
    'subclassed Keras models cannot be converted layer by layer; save a functional or Sequential model');
}

function layerName(raw: any): string {
  const n = raw?.name ?? raw?.config?.name;
  return typeof n === 'string' ? n : '';
}

function checkLayerClass(raw: any, where: string): void {
  const name = layerName(raw);
  if (!name) throw badInput('E_KERAS_FORMAT', `a layer of class ${raw?.class_name ?? '?'} has no name`, where, 'the model.json is damaged; convert the model again');
  if (NESTED.has(raw.class_name)) {
    throw badInput('E_KERAS_NESTED', `layer "${name}" (${raw.class_name}) is a nested model, which neurogate does not import`, where, HINT_FLATTEN);
  }
}

function sequential(config: any, where: string, kerasVersion?: string): KerasTopology {
  const raws: any[] = Array.isArray(config) ? config : config?.layers;
  if (!Array.isArray(raws) || raws.length === 0) throw badInput('E_KERAS_FORMAT', 'the Sequential model has no layers', where, 'convert the model again');
  raws.forEach((r) => checkLayerClass(r, where));
  let input: KerasLayer;
  let rest = raws;
  if (raws[0].class_name === 'InputLayer') {
    input = { name: layerName(raws[0]), className: 'InputLayer', config: raws[0].config ?? {}, inbound: [] };
    rest = raws.slice(1);
  } else {
    // TF.js (Sequential.add) names the implicit input after the first layer; so do we, so tensor names match.
    const first = raws[0].config ?? {};
    const batchShape = first.batch_input_shape ?? first.batch_shape;
    if (!Array.isArray(batchShape)) {
      throw badInput('E_KERAS_INPUT', `the first layer "${layerName(raws[0])}" of the Sequential model declares no batch_input_shape`, where,
        'build the model with an Input layer or input_shape= on its first layer');
    }
    input = { name: `${layerName(raws[0])}_input`, className: 'InputLayer', config: { batch_input_shape: batchShape, dtype: first.dtype }, inbound: [] };
  }
  const layers: KerasLayer[] = [];
  let prev = input.name;
  for (const r of rest) {
    layers.push({ name: layerName(r), className: r.class_name, config: r.config ?? {}, inbound: [prev] });
    prev = layers[layers.length - 1].name;
  }
  checkUnique([input, ...layers], where);
  return { kerasVersion, input, layers, outputs: [prev] };
}

/** [layer name, node index, tensor index, kwargs] — the Keras 2 form of a reference to a layer output. */
function readRef(ref: any, owner: string, where: string): string {
  if (!Array.isArray(ref) || typeof ref[0] !== 'string') {
    throw badInput('E_KERAS_FORMAT', `layer "${owner}" has inbound nodes in a format neurogate cannot read (${JSON.stringify(ref)?.slice(0, 80)})`, where,
      'neurogate reads Keras 2 / tf.keras model.json files; save the model with tf.keras (Keras 2) and convert it with tensorflowjs_converter');
  }
  const [name, nodeIndex, tensorIndex] = ref;
  if (nodeIndex !== 0) {
    throw badInput('E_KERAS_SHARED', `layer "${owner}" reads call #${nodeIndex + 1} of layer "${name}"; shared layers (one layer called several times) are not supported`, where, HINT_FLATTEN);
  }
  if (tensorIndex !== 0) {
    throw badInput('E_KERAS_MULTI_OUTPUT', `layer "${owner}" reads output #${tensorIndex + 1} of layer "${name}"; layers with several outputs are not supported`, where, HINT_FLATTEN);
  }
  return name;
}

function functional(config: any, where: string, kerasVersion?: string): KerasTopology {
  const raws: any[] = config?.layers;
  if (!Array.isArray(raws) || raws.length === 0) throw badInput('E_KERAS_FORMAT', 'the model has no layers', where, 'convert the model again');
  const layers: KerasLayer[] = raws.map((r) => {
    checkLayerClass(r, where);
    const name = layerName(r);
    const nodes = r.inbound_nodes ?? [];
    if (!Array.isArray(nodes)) {
      throw badInput('E_KERAS_FORMAT', `layer "${name}" (${r.class_name}) has inbound_nodes that are not a list`, where, 'convert the model again');
    }
    if (nodes.length > 1) {
      throw badInput('E_KERAS_SHARED', `layer "${name}" (${r.class_name}) is called ${nodes.length} times; shared layers are not supported`, where, HINT_FLATTEN);
    }
    const call = nodes[0] ?? [];
    if (!Array.isArray(call)) {
      throw badInput('E_KERAS_FORMAT', `layer "${name}" (${r.class_name}) has inbound nodes in a format neurogate cannot read`, where,
        'neurogate reads Keras 2 / tf.keras model.json files; save the model with tf.keras (Keras 2) and convert it with tensorflowjs_converter');
    }
    return { name, className: r.class_name, config: r.config ?? {}, inbound: call.map((ref: any) => readRef(ref, name, where)) };
  });
  checkUnique(layers, where);
  const byName = new Map(layers.map((l) => [l.name, l]));
  const inputRefs: any[] = config.input_layers ?? [];
  const outputRefs: any[] = config.output_layers ?? [];
  const inputs = layers.filter((l) => l.className === 'InputLayer');
  if (inputs.length !== 1 || inputRefs.length > 1) {
    throw badInput('E_KERAS_INPUTS', `the model has ${Math.max(inputs.length, inputRefs.length)} inputs (${inputs.map((l) => l.name).join(', ')}); neurogate imports models with one image input`, where,
      'export a model with a single image input');
  }
  const input = inputs[0];
  if (inputRefs.length === 1 && readRef(inputRefs[0], 'input_layers', where) !== input.name) {
    throw badInput('E_KERAS_INPUTS', `input_layers names "${inputRefs[0][0]}", which is not the model's InputLayer "${input.name}"`, where, 'the model.json is damaged; convert the model again');
  }
  if (outputRefs.length === 0) throw badInput('E_KERAS_FORMAT', 'the model declares no output_layers', where, 'convert the model again');
  const outputs = outputRefs.map((r) => readRef(r, 'output_layers', where));
  for (const l of layers) {
    for (const src of l.inbound) {
      if (!byName.has(src)) throw badInput('E_KERAS_FORMAT', `layer "${l.name}" (${l.className}) reads layer "${src}", which the model does not have`, where, 'the model.json is damaged; convert the model again');
    }
  }
  for (const o of outputs) {
    if (!byName.has(o)) throw badInput('E_KERAS_FORMAT', `output_layers names "${o}", which the model does not have`, where, 'the model.json is damaged; convert the model again');
  }
  return { kerasVersion, input, layers: ordered(layers.filter((l) => l !== input), input.name, where), outputs };
}

function checkUnique(layers: KerasLayer[], where: string): void {
  const seen = new Set<string>();
  for (const l of layers) {
    if (seen.has(l.name)) throw badInput('E_KERAS_FORMAT', `two layers are named "${l.name}"`, where, 'layer names must be unique; rename one and convert again');
    seen.add(l.name);
  }
}

/** Saved order is usually topological already; this keeps it where it is and fixes it where not. */
function ordered(layers: KerasLayer[], inputName: string, where: string): KerasLayer[] {
  const byName = new Map(layers.map((l) => [l.name, l]));
  const done = new Set<string>([inputName]);
  const visiting = new Set<string>();
  const out: KerasLayer[] = [];
  const visit = (l: KerasLayer) => {
    if (done.has(l.name)) return;
    if (l.inbound.length === 0) {
      throw badInput('E_KERAS_FORMAT', `layer "${l.name}" (${l.className}) has no inputs`, where, 'the model.json is damaged; convert the model again');
    }
    if (visiting.has(l.name)) throw badInput('E_KERAS_FORMAT', `the layers form a cycle through "${l.name}"`, where, 'the model.json is damaged; convert the model again');
    visiting.add(l.name);
    for (const src of l.inbound) if (!done.has(src)) visit(byName.get(src)!);
    visiting.delete(l.name);
    done.add(l.name);
    out.push(l);
  };
  for (const l of layers) visit(l);
  return out;
}
