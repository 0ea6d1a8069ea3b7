// Reading the attributes of TF.js graph-model nodes (model.json's NodeDef as protobuf JSON:
// int64 as strings, strings as base64, proto3 defaults left out) as plain JS values.

/** One node of `modelTopology.node` in a TF.js graph model. */
export interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttr>;
  device?: string;
}

interface TfShapeJson { dim?: { size?: string | number }[]; unknownRank?: boolean }

export interface TfAttr {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  type?: string;
  shape?: TfShapeJson;
  list?: { s?: string[]; i?: (string | number)[]; f?: number[]; b?: boolean[] };
  tensor?: unknown;
}

const decodeB64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

export function attrString(n: TfNode, key: string, fallback: string): string {
  const s = n.attr?.[key]?.s;
  return s === undefined ? fallback : decodeB64(s);
}

export function attrStrings(n: TfNode, key: string): string[] {
  return (n.attr?.[key]?.list?.s ?? []).map(decodeB64);
}

export function attrInt(n: TfNode, key: string, fallback: number): number {
  const i = n.attr?.[key]?.i;
  return i === undefined ? fallback : Number(i);
}

/** A list of ints; an attribute present with an empty list reads as [] (TF's JSON drops empty lists). */
export function attrInts(n: TfNode, key: string, fallback: number[]): number[] {
  const a = n.attr?.[key];
  if (!a) return fallback;
  return (a.list?.i ?? []).map(Number);
}

export function attrFloat(n: TfNode, key: string, fallback: number): number {
  const f = n.attr?.[key]?.f;
  return f === undefined ? fallback : Number(f);
}

export function attrBool(n: TfNode, key: string, fallback: boolean): boolean {
  const b = n.attr?.[key]?.b;
  return b === undefined ? fallback : b;
}

/** A shape attribute as dims (-1 = unknown), or undefined when absent or of unknown rank. */
export function attrShape(n: TfNode, key: string): number[] | undefined {
  const s = n.attr?.[key]?.shape;
  if (!s || s.unknownRank) return undefined;
  return (s.dim ?? []).map((d) => {
    const v = Number(d.size ?? -1);
    // A TypeError: the loader reports it as a malformed model.json (bad input), naming the node.
    if (!Number.isSafeInteger(v) || v < -1) throw new TypeError(`node "${n.name}": shape attribute "${key}" has a dimension ${JSON.stringify(d.size)}, not a whole number`);
    return v;
  });
}
