/**
 * The tfgraph payload, version 1: its types and a guard that checks untrusted
 * data against them (workbench/schema/tfgraph.v1.schema.json is the contract).
 */

/** The MIME type this extension renders; its version follows the payload version. */
export const MIME_TYPE = 'application/vnd.tfgraph.v1+json';

/** The payload version this extension understands. */
export const PAYLOAD_VERSION = 1;

/** The colourings a payload carries a colour map for. */
export const COLORINGS = ['device', 'op', 'scope', 'time', 'status'] as const;

/** One way of colouring the nodes. */
export type ColorBy = (typeof COLORINGS)[number];

/** Execution status of an op, as the stepper reports it. */
export type NodeStatus = null | 'done' | 'current' | 'next' | 'pending' | 'unused' | 'error';

/** Static shape: null for unknown rank, null entries for unknown dimensions. */
export type Shape = (number | null)[] | null;

/** An output tensor of an op. */
export interface ITensor {
  name: string;
  dtype: string;
  shape: Shape;
}

/** An op of the graph. */
export interface INode {
  name: string;
  op: string;
  scope: string;
  requested_device: string;
  assigned_device: string | null;
  inputs: string[];
  control_inputs: string[];
  outputs: ITensor[];
  attrs: { [name: string]: string };
  status: NodeStatus;
  soft_placed: boolean;
  time_us: number | null;
  created_at?: string;
}

/** A data or control dependency between two ops. */
export interface IEdge {
  source: string;
  target: string;
  kind: 'data' | 'control';
  tensor?: string;
  dtype?: string;
  shape?: Shape;
}

/** A name scope. */
export interface IScope {
  name: string;
  parent: string;
  op_count: number;
}

/** A device some op was placed on. */
export interface IDevice {
  name: string;
  label: string;
  op_count: number;
}

/** A colour map: key (device name, op type, scope, node name or status) to `#rrggbb`. */
export interface IColorMap {
  [key: string]: string;
}

/** A whole graph as the workbench sends it. */
export interface ITFGraphPayload {
  version: 1;
  name?: string;
  color_by: ColorBy;
  collapsed: string[];
  nodes: INode[];
  edges: IEdge[];
  scopes: IScope[];
  devices: IDevice[];
  colors: { [K in ColorBy]: IColorMap };
}

/**
 * Check untrusted data against payload v1.
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
 * Whether `data` is a valid payload v1.
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
  const STATUSES = [null, 'done', 'current', 'next', 'pending', 'unused', 'error'];

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

  const tensor = record({ name: string, dtype: string, shape });

  const node = record(
    {
      name: string,
      op: string,
      scope: string,
      requested_device: string,
      assigned_device: nullable(string),
      inputs: arrayOf(string),
      control_inputs: arrayOf(string),
      outputs: arrayOf(tensor),
      attrs: mapOf(string),
      status: oneOf(STATUSES),
      soft_placed: boolean,
      time_us: nullable(number)
    },
    { created_at: string }
  );

  const edge = record(
    { source: string, target: string, kind: oneOf(['data', 'control']) },
    { tensor: string, dtype: string, shape }
  );

  const colorMap = mapOf(color);

  const payload = record(
    {
      version: oneOf([PAYLOAD_VERSION]),
      color_by: oneOf(['device', 'op', 'scope', 'time', 'status']),
      collapsed: arrayOf(string),
      nodes: arrayOf(node),
      edges: arrayOf(edge),
      scopes: arrayOf(record({ name: string, parent: string, op_count: integer })),
      devices: arrayOf(record({ name: string, label: string, op_count: integer })),
      colors: record({
        device: colorMap,
        op: colorMap,
        scope: colorMap,
        time: colorMap,
        status: colorMap
      })
    },
    { name: string }
  );

  /** The first way `data` departs from the schema, or null. */
  export function findProblem(data: Obj): string | null {
    return payload(data, 'payload');
  }
}
