/**
 * The payload fixtures in tests/fixtures/payloads, shared with the Python tests
 * (tests/extension/test_fixtures.py checks them against the schema).
 */

import { readFileSync } from 'fs';
import { join } from 'path';

import { ITFGraphPayload, readPayload } from '../src/payload';

const DIR = join(__dirname, '..', '..', 'tests', 'fixtures', 'payloads');

/** The parsed JSON of one fixture file, as untrusted data. */
export function loadRaw(name: string): unknown {
  return JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf-8'));
}

/** A fixture that is a valid payload, read. */
export function load(name: string): ITFGraphPayload {
  const { payload, error } = readPayload(loadRaw(name));
  if (error !== null) {
    throw new Error(`fixture ${name}: ${error}`);
  }
  return payload;
}

/** Names of the fixtures that are valid payloads. */
export const VALID = ['chain', 'cnn', 'two_devices', 'xss_names'];

/** The node name the XSS fixture uses. */
export const XSS_NAME = '<img src=x onerror=alert(1)>';

export const CPU0 = '/job:localhost/replica:0/task:0/device:CPU:0';
export const CPU1 = '/job:localhost/replica:0/task:0/device:CPU:1';
