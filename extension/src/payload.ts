/**
 * The tfgraph payload, version 2: the graph as the extension uses it (a record
 * per op and per group) and the reader that checks untrusted data against the
 * payload as it travels (columns; workbench/schema/tfgraph.v2.schema.json is the
 * contract) and reads it into those records.
 */

/** The MIME type this extension renders; its version follows the payload version. */
export const MIME_TYPE = 'application/vnd.tfgraph.v2+json';

/** The payload version this extension understands. */
export const PAYLOAD_VERSION = 2;

/** The colourings a payload carries a colour map for ('op' is by op category). */
export const COLORINGS = ['op', 'device', 'scope', 'time', 'status'] as const;

/** One way of colouring the nodes. */
export type ColorBy = (typeof COLORINGS)[number];

/** Execution status of an op, as the stepper reports it. */
export type NodeStatus = 'done' | 'current' | 'next' | 'pending' | 'unused' | 'error';

/** Static shape: null for unknown rank, null entries for unknown dimensions. */
export type Shape = (number | null)[] | null;

/** Output i of node N: the tensor `N:i`. */
export interface IOutput {
  dtype: string;
  shape: Shape;
}

/** An op of the graph; optional fields are left out at their defaults. */
export interface INode {
  name: string;
  op: string;
  /** Id of the innermost group holding it, '' at top level. */
  group: string;
  /** Index into the payload's devices. */
  device: number;
  /** The tensors it reads, named as TF names them (`N:i`). */
  inputs: string[];
  outputs: IOutput[];
  control_inputs?: string[];
  requested_device?: string;
  soft_placed?: true;
  auxiliary?: true;
  status?: NodeStatus;
  time_us?: number;
  attrs?: { [name: string]: string };
  created_at?: string;
}

/** A box that opens: a name scope, a while frame, a series or a chunk of one. */
export interface IGroup {
  /** `g` and its position. */
  id: string;
  kind: 'scope' | 'frame' | 'series' | 'chunk';
  label: string;
  /** Id of the enclosing group, '' at top level; parents come before children. */
  parent: string;
  /** Ops anywhere inside. */
  op_count: number;
  auxiliary?: true;
  iterations?: number;
}

/** A device some op runs on (or asked for, in an unplaced graph). */
export interface IDevice {
  name: string;
  label: string;
  op_count: number;
}

/** A colour map: key (category, device name, scope, node name or status) to `#rrggbb`. */
export interface IColorMap {
  [key: string]: string;
}

/** A whole graph as read from a payload: one record per op and per group. */
export interface ITFGraphPayload {
  version: 2;
  name?: string;
  note?: string;
  color_by: ColorBy;
  placed: boolean;
  nodes: INode[];
  groups: IGroup[];
  expanded: string[];
  devices: IDevice[];
  categories: { [opType: string]: string };
  dtype_sizes: { [dtype: string]: number };
  colors: { [K in ColorBy]: IColorMap };
}

/** What reading a payload gives: the graph, or a message naming the first problem. */
export type PayloadReading =
  { payload: ITFGraphPayload; error: null } | { payload: null; error: string };

/**
 * Read untrusted data as payload v2 (as it travels: ops and groups in columns,
 * workbench/view.py `to_json`) into one record per op and per group.
 */
export function readPayload(data: unknown): PayloadReading {
  const error = payloadError(data);
  return error === null
    ? { payload: Private.decode(data as unknown as Private.IWirePayload), error }
    : { payload: null, error };
}

/**
 * Check untrusted data against payload v2.
 *
 * @returns null when `data` is a valid payload, otherwise a message for the
 *   user that names the first problem found.
 */
export function payloadError(data: unknown): string | null {
  if (!Private.isObject(data)) {
    return `tfgraph payload is malformed: expected an object, got ${Private.kind(data)}`;
  }
  if (data.version !== PAYLOAD_VERSION) {
    const version = Private.describe(data.version);
    return (
      `tfgraph payload version ${version} is not supported by this extension ` +
      `(expects ${PAYLOAD_VERSION})`
    );
  }
  const problem = Private.findProblem(data);
  return problem === null ? null : `tfgraph payload is malformed: ${problem}`;
}

/**
 * Module-private helpers.
 */
namespace Private {
  type Obj = { [key: string]: unknown };
  /** Returns a problem description, or null when the value fits. */
  type Check = (value: unknown, path: string) => string | null;

  const COLOR = /^#[0-9a-fA-F]{6}$/;
  const STATUSES = ['done', 'current', 'next', 'pending', 'unused', 'error'];

  function hasOwn(object: object, key: string): boolean {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

  export function isObject(value: unknown): value is Obj {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  }

  export function kind(value: unknown): string {
    if (value === null) {
      return 'null';
    }
    return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
  }

  /** A short, safe rendering of a version value for the message. */
  export function describe(value: unknown): string {
    if (value === undefined) {
      return '(missing)';
    }
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 40 ? `${text.slice(0, 40)}…` : text;
  }

  const string: Check = (v, p) => (typeof v === 'string' ? null : `${p} must be a string`);
  const number: Check = (v, p) =>
    typeof v === 'number' && Number.isFinite(v) ? null : `${p} must be a number`;
  const integer: Check = (v, p) =>
    Number.isInteger(v) && (v as number) >= 0 ? null : `${p} must be a non-negative integer`;
  const boolean: Check = (v, p) => (typeof v === 'boolean' ? null : `${p} must be a boolean`);
  const color: Check = (v, p) =>
    typeof v === 'string' && COLOR.test(v) ? null : `${p} must be a colour like #1f77b4`;

  function nullable(check: Check): Check {
    return (v, p) => (v === null ? null : check(v, p));
  }

  function oneOf(values: unknown[]): Check {
    const allowed = values.map(v => JSON.stringify(v)).join(', ');
    return (v, p) => (values.includes(v as never) ? null : `${p} must be one of ${allowed}`);
  }

  function arrayOf(check: Check): Check {
    return (v, p) => {
      if (!Array.isArray(v)) {
        return `${p} must be an array`;
      }
      for (let i = 0; i < v.length; i++) {
        const problem = check(v[i], `${p}[${i}]`);
        if (problem !== null) {
          return problem;
        }
      }
      return null;
    };
  }

  function mapOf(check: Check): Check {
    return (v, p) => {
      if (!isObject(v)) {
        return `${p} must be an object`;
      }
      for (const key of Object.keys(v)) {
        const problem = check(v[key], `${p}[${JSON.stringify(key)}]`);
        if (problem !== null) {
          return problem;
        }
      }
      return null;
    };
  }

  /** An object with these required fields, these optional ones, and no others. */
  function record(
    required: { [key: string]: Check },
    optional: { [key: string]: Check } = {}
  ): Check {
    return (v, p) => {
      if (!isObject(v)) {
        return `${p} must be an object`;
      }
      for (const key of Object.keys(required)) {
        if (!hasOwn(v, key)) {
          return `${p} lacks the required field "${key}"`;
        }
      }
      for (const key of Object.keys(v)) {
        const check = hasOwn(required, key)
          ? required[key]
          : hasOwn(optional, key)
            ? optional[key]
            : null;
        if (check === null) {
          return `${p} has an unknown field ${JSON.stringify(key)}`;
        }
        const problem = check(v[key], `${p}.${key}`);
        if (problem !== null) {
          return problem;
        }
      }
      return null;
    };
  }

  /** An integer from -1 up: an index, or -1 for none. */
  const indexOrNone: Check = (v, p) =>
    Number.isInteger(v) && (v as number) >= -1 ? null : `${p} must be an integer from -1 up`;

  /** An array of exactly these entries. */
  function tuple(checks: Check[]): Check {
    return (v, p) => {
      if (!Array.isArray(v) || v.length !== checks.length) {
        return `${p} must be an array of ${checks.length}`;
      }
      for (let i = 0; i < checks.length; i++) {
        const problem = checks[i](v[i], `${p}[${i}]`);
        if (problem !== null) {
          return problem;
        }
      }
      return null;
    };
  }

  /** A value that passes one of `checks`, which `description` names. */
  function either(description: string, ...checks: Check[]): Check {
    return (v, p) =>
      checks.some(check => check(v, p) === null) ? null : `${p} must be ${description}`;
  }

  const shape: Check = nullable(arrayOf(nullable(integer)));
  const positions = arrayOf(integer);
  // An input: the producer's position (its output 0), [position, output], or a name.
  const tensor = either(
    'an op position, [position, output] or a tensor name',
    integer,
    tuple([integer, integer]),
    string
  );

  const nodes = record(
    { name: arrayOf(string), op: arrayOf(string) },
    {
      scope: arrayOf(indexOrNone),
      group: arrayOf(indexOrNone),
      device: arrayOf(integer),
      inputs: arrayOf(arrayOf(tensor)),
      outputs: arrayOf(positions),
      control_inputs: arrayOf(arrayOf(either('an op position or name', integer, string))),
      requested_device: arrayOf(string),
      status: arrayOf(oneOf([...STATUSES, null])),
      time_us: arrayOf(nullable(number)),
      attrs: arrayOf(mapOf(string)),
      created_at: arrayOf(nullable(string)),
      soft_placed: positions,
      auxiliary: positions
    }
  );

  const groups = record(
    { kind: arrayOf(oneOf(['scope', 'frame', 'series', 'chunk'])), label: arrayOf(string) },
    { parent: arrayOf(indexOrNone), iterations: arrayOf(nullable(integer)), auxiliary: positions }
  );

  const colorMap = mapOf(color);

  const payload = record(
    {
      version: oneOf([PAYLOAD_VERSION]),
      color_by: oneOf([...COLORINGS]),
      placed: boolean,
      nodes,
      scopes: arrayOf(string),
      tensor_types: arrayOf(tuple([string, shape])),
      groups,
      expanded: positions,
      devices: arrayOf(record({ name: string, label: string, op_count: integer })),
      categories: mapOf(string),
      dtype_sizes: mapOf(integer),
      colors: record({
        op: colorMap,
        device: colorMap,
        scope: colorMap,
        time: colorMap,
        status: colorMap
      })
    },
    { name: string, note: string }
  );

  /** The payload as it travels (workbench/schema/tfgraph.v2.schema.json). */
  export interface IWirePayload {
    version: 2;
    name?: string;
    note?: string;
    color_by: ColorBy;
    placed: boolean;
    nodes: IWireNodes;
    scopes: string[];
    tensor_types: [string, Shape][];
    groups: IWireGroups;
    expanded: number[];
    devices: IDevice[];
    categories: { [opType: string]: string };
    dtype_sizes: { [dtype: string]: number };
    colors: { [K in ColorBy]: IColorMap };
  }

  /** The ops as columns; a column of nothing but its default is left out. */
  interface IWireNodes {
    name: string[];
    op: string[];
    scope?: number[];
    group?: number[];
    device?: number[];
    inputs?: (number | [number, number] | string)[][];
    outputs?: number[][];
    control_inputs?: (number | string)[][];
    requested_device?: string[];
    status?: (NodeStatus | null)[];
    time_us?: (number | null)[];
    attrs?: { [name: string]: string }[];
    created_at?: (string | null)[];
    soft_placed?: number[];
    auxiliary?: number[];
  }

  /** The groups as columns, parents first. */
  interface IWireGroups {
    kind: IGroup['kind'][];
    label: string[];
    parent?: number[];
    iterations?: (number | null)[];
    auxiliary?: number[];
  }

  /** Columns that list positions rather than hold an entry per op or group. */
  const FLAGS = ['soft_placed', 'auxiliary'];

  /** A message about the first entry of `column` that is (or holds) an index past `limit`. */
  function outOfRange(
    column: (number | number[])[] | undefined,
    limit: number,
    path: string,
    what: string
  ): string | null {
    const i = (column ?? []).findIndex(v =>
      (typeof v === 'number' ? [v] : v).some(x => x >= limit)
    );
    return i < 0 ? null : `${path}[${i}] is not an index into ${what}`;
  }

  /** A column of another length than `length`, or a flag out of range, or null. */
  function unevenColumn(
    columns: object,
    length: number,
    path: string,
    what: string
  ): string | null {
    for (const [key, column] of Object.entries(columns) as [string, unknown[]][]) {
      const problem = FLAGS.includes(key)
        ? outOfRange(column as number[], length, `${path}.${key}`, what)
        : column.length === length
          ? null
          : `${path}.${key} has ${column.length} entries, not ${length}`;
      if (problem !== null) {
        return problem;
      }
    }
    return null;
  }

  /** Each op's producers: the positions its inputs name (tensors from elsewhere left out). */
  function producers(inputs: (number | [number, number] | string)[][] | undefined): number[][] {
    return (inputs ?? []).map(refs =>
      refs.flatMap(ref =>
        typeof ref === 'string' ? [] : typeof ref === 'number' ? [ref] : [ref[0]]
      )
    );
  }

  /** What the schema cannot say: columns of one length, references that resolve. */
  function findDangling(data: IWirePayload): string | null {
    const { nodes, groups } = data;
    const ops = nodes.name.length;
    const count = groups.kind.length;
    const late = (groups.parent ?? []).findIndex((parent, i) => parent >= i);
    return (
      unevenColumn(nodes, ops, 'payload.nodes', 'nodes') ??
      unevenColumn(groups, count, 'payload.groups', 'groups') ??
      (late < 0 ? null : `payload.groups.parent[${late}] names no earlier group`) ??
      outOfRange(nodes.scope, data.scopes.length, 'payload.nodes.scope', 'scopes') ??
      outOfRange(nodes.group, count, 'payload.nodes.group', 'groups') ??
      outOfRange(nodes.device, data.devices.length, 'payload.nodes.device', 'devices') ??
      outOfRange(
        nodes.outputs,
        data.tensor_types.length,
        'payload.nodes.outputs',
        'tensor_types'
      ) ??
      outOfRange(producers(nodes.inputs), ops, 'payload.nodes.inputs', 'nodes') ??
      outOfRange(producers(nodes.control_inputs), ops, 'payload.nodes.control_inputs', 'nodes') ??
      outOfRange(data.expanded, count, 'payload.expanded', 'groups')
    );
  }

  /** The first way `data` departs from the schema, or null. */
  export function findProblem(data: Obj): string | null {
    return payload(data, 'payload') ?? findDangling(data as unknown as IWirePayload);
  }

  /** One record per op and per group, from a checked payload. */
  export function decode(data: IWirePayload): ITFGraphPayload {
    const groups = decodeGroups(data.groups);
    return {
      version: data.version,
      ...(data.name === undefined ? {} : { name: data.name }),
      ...(data.note === undefined ? {} : { note: data.note }),
      color_by: data.color_by,
      placed: data.placed,
      nodes: decodeNodes(data, groups),
      groups,
      expanded: data.expanded.map(i => groups[i].id),
      devices: data.devices,
      categories: data.categories,
      dtype_sizes: data.dtype_sizes,
      colors: data.colors
    };
  }

  /** `fields` less those left undefined (the payload's defaults). */
  function defined<T extends object>(fields: T): Partial<T> {
    return Object.fromEntries(
      Object.entries(fields).filter(([, value]) => value !== undefined)
    ) as Partial<T>;
  }

  function decodeGroups(columns: IWireGroups): IGroup[] {
    const auxiliary = new Set(columns.auxiliary ?? []);
    return columns.kind.map((kind, i) => {
      const parent = columns.parent?.[i] ?? -1;
      return {
        id: `g${i}`,
        kind,
        label: columns.label[i],
        parent: parent < 0 ? '' : `g${parent}`,
        op_count: 0, // counted with the ops
        ...defined({
          auxiliary: auxiliary.has(i) ? (true as const) : undefined,
          iterations: columns.iterations?.[i] ?? undefined
        })
      };
    });
  }

  /** The ops; counts each group's ops on the way. */
  function decodeNodes(data: IWirePayload, groups: IGroup[]): INode[] {
    const columns = data.nodes;
    const names = columns.name.map((leaf, i) => {
      const scope = columns.scope?.[i] ?? -1;
      return scope < 0 ? leaf : `${data.scopes[scope]}/${leaf}`;
    });
    const parents = groups.map((_, i) => data.groups.parent?.[i] ?? -1);
    const tensorName = (ref: number | [number, number] | string) =>
      typeof ref === 'string'
        ? ref
        : typeof ref === 'number'
          ? `${names[ref]}:0`
          : `${names[ref[0]]}:${ref[1]}`;
    const soft = new Set(columns.soft_placed ?? []);
    const auxiliary = new Set(columns.auxiliary ?? []);
    return names.map((name, i) => {
      const group = columns.group?.[i] ?? -1;
      for (let g = group; g >= 0; g = parents[g]) {
        groups[g].op_count++;
      }
      const controls = columns.control_inputs?.[i] ?? [];
      const attrs = columns.attrs?.[i] ?? {};
      return {
        name,
        op: columns.op[i],
        group: group < 0 ? '' : `g${group}`,
        device: columns.device?.[i] ?? 0,
        inputs: (columns.inputs?.[i] ?? []).map(tensorName),
        outputs: (columns.outputs?.[i] ?? []).map(t => {
          const [dtype, shape] = data.tensor_types[t];
          return { dtype, shape };
        }),
        ...defined({
          control_inputs:
            controls.length > 0
              ? controls.map(c => (typeof c === 'string' ? c : names[c]))
              : undefined,
          requested_device: columns.requested_device?.[i] || undefined,
          soft_placed: soft.has(i) ? (true as const) : undefined,
          auxiliary: auxiliary.has(i) ? (true as const) : undefined,
          status: columns.status?.[i] ?? undefined,
          time_us: columns.time_us?.[i] ?? undefined,
          attrs: Object.keys(attrs).length > 0 ? attrs : undefined,
          created_at: columns.created_at?.[i] ?? undefined
        })
      };
    });
  }
}
