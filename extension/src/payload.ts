/**
 * The tfgraph payload, version 2: its types and a guard that checks untrusted
 * data against them (workbench/schema/tfgraph.v2.schema.json is the contract).
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
  id: string;
  kind: 'scope' | 'frame' | 'series' | 'chunk';
  name: string;
  label: string;
  /** Id of the enclosing group, '' at top level; parents come before children. */
  parent: string;
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

/** A whole graph as the workbench sends it (workbench/view.py, `to_json`). */
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
 * Whether `data` is a valid payload v2.
 */
export function isTFGraphPayload(data: unknown): data is ITFGraphPayload {
  return payloadError(data) === null;
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

  const shape: Check = nullable(arrayOf(nullable(integer)));

  const output = record({ dtype: string, shape });

  const node = record(
    {
      name: string,
      op: string,
      group: string,
      device: integer,
      inputs: arrayOf(string),
      outputs: arrayOf(output)
    },
    {
      control_inputs: arrayOf(string),
      requested_device: string,
      soft_placed: oneOf([true]),
      auxiliary: oneOf([true]),
      status: oneOf(STATUSES),
      time_us: number,
      attrs: mapOf(string),
      created_at: string
    }
  );

  const group = record(
    {
      id: string,
      kind: oneOf(['scope', 'frame', 'series', 'chunk']),
      name: string,
      label: string,
      parent: string,
      op_count: integer
    },
    { auxiliary: oneOf([true]), iterations: integer }
  );

  const colorMap = mapOf(color);

  const payload = record(
    {
      version: oneOf([PAYLOAD_VERSION]),
      color_by: oneOf([...COLORINGS]),
      placed: boolean,
      nodes: arrayOf(node),
      groups: arrayOf(group),
      expanded: arrayOf(string),
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

  /** What the schema cannot say: references that must resolve. */
  function findDangling(data: ITFGraphPayload): string | null {
    const ids = new Set<string>(['']);
    for (let i = 0; i < data.groups.length; i++) {
      if (!ids.has(data.groups[i].parent)) {
        return `payload.groups[${i}].parent names no earlier group`;
      }
      ids.add(data.groups[i].id);
    }
    for (let i = 0; i < data.nodes.length; i++) {
      if (!ids.has(data.nodes[i].group)) {
        return `payload.nodes[${i}].group names no group`;
      }
      if (data.nodes[i].device >= data.devices.length) {
        return `payload.nodes[${i}].device is not an index into devices`;
      }
    }
    return null;
  }

  /** The first way `data` departs from the schema, or null. */
  export function findProblem(data: Obj): string | null {
    return payload(data, 'payload') ?? findDangling(data as unknown as ITFGraphPayload);
  }
}
