// `--mock <machine>`: the CLI on the bundled simulated GPUs, with a state file kept between
// commands so that a session of several commands behaves like one machine. The state file is
// checked here before the mock reads it, so that a bad one gives one clear message and a hint.

import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { init, type Nvml } from '../nvml.js';
import type { InitOptions } from '../types.js';
import { missingBinaryAdvice } from '../platform.js';
import { mockLibraryPath } from '../testing/index.js';
import { CliError, EXIT } from './errors.js';

/** The default state file of a machine: one per machine spec in the temp folder. */
export function defaultStateFile(machine: string): string {
  const key = machine.replace(/[^A-Za-z0-9.,:_-]+/g, '_').replace(/[:,]/g, '_');
  return join(tmpdir(), `nvml-mig-mock-${key}.json`);
}

/** 'a100-40gb:1,a30' and 'a100-40gb,a30:1' are the same machine. */
function sameMachine(a: string, b: string): boolean {
  const norm = (s: string) => s.split(',').map((p) => p.trim().replace(/:1$/, '')).join(',');
  return norm(a) === norm(b);
}

/**
 * What the state file holds: null when there is none yet (or it is empty: a fresh machine), else
 * its machine spec. Throws a CliError (exit 8) for a file that is not a simulator state.
 */
export function readStateMachine(file: string): string | null {
  const bad = (why: string) =>
    new CliError('MOCK_STATE_INVALID', `the simulator state file ${file} ${why}: remove it to start a fresh machine, or choose another with --mock-state <file>`, EXIT.BAD_STATE);
  if (!existsSync(file)) return null;
  let text: string;
  try {
    if (statSync(file).isDirectory()) throw bad('is a directory');
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw bad(`cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (text.trim() === '') return null;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw bad('is not valid JSON (it was damaged or is not a state file)');
  }
  const o = doc as { machine?: unknown; gpus?: unknown };
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc) || typeof o.machine !== 'string' || !Array.isArray(o.gpus)) {
    throw bad('is not a simulator state (no "machine" and "gpus")');
  }
  return o.machine;
}

/**
 * Points the mock at the machine and state file (it reads both at nvmlInit) and returns the
 * library path to load. `machineGiven`: the user named the machine, so a state file of another
 * machine is an error (unless `replace`, for `sim reset`, which starts the named machine there).
 */
export function setUpMock(machine: string, stateFile: string | null, opts: { machineGiven?: boolean; replace?: boolean } = {}): { libraryPath: string; stateFile: string } {
  const libraryPath = mockLibraryPath();
  if (!existsSync(libraryPath)) {
    throw new CliError('ERR_NVML_LOAD_FAILED', `the bundled mock is missing (${libraryPath}). ${missingBinaryAdvice()}`, EXIT.NO_LIBRARY);
  }
  const state = stateFile ?? defaultStateFile(machine);
  let inFile: string | null;
  try {
    inFile = readStateMachine(state);
  } catch (e) {
    if (!opts.replace) throw e;
    inFile = null;
  }
  if (inFile === null && existsSync(state) && !statSync(state).isDirectory()) rmSync(state, { force: true }); // empty or replaced: a fresh machine
  if (inFile !== null && !sameMachine(inFile, machine)) {
    if (opts.machineGiven && !opts.replace) {
      throw new CliError(
        'MOCK_STATE_OTHER_MACHINE',
        `the simulator state file ${state} holds a ${inFile} machine, not ${machine}: use --mock ${inFile}, another --mock-state, or 'nvml-mig --mock ${machine} --mock-state ${state} sim reset' to replace it`,
        EXIT.BAD_STATE,
      );
    }
    if (!opts.replace) machine = inFile; // --mock without a machine: the file's machine
  }
  process.env.NVML_MOCK_MACHINE = machine;
  process.env.NVML_MOCK_STATE = state;
  return { libraryPath, stateFile: state };
}

/** Opens the library on the simulated machine. */
export async function openMock(machine: string, stateFile: string | null, options: InitOptions, opts: { machineGiven?: boolean; replace?: boolean } = {}): Promise<Nvml> {
  const { libraryPath } = setUpMock(machine, stateFile, opts);
  return init({ ...options, libraryPath });
}
