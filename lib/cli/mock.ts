// `--mock <machine>`: the CLI on the bundled simulated GPUs, with a state file kept between
// commands so that a session of several commands behaves like one machine.

import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mockLibraryPath } from '../testing/index.js';
import { CliError, EXIT } from './errors.js';

/** The default state file of a machine: one per machine spec in the temp folder. */
export function defaultStateFile(machine: string): string {
  const key = machine.replace(/[^A-Za-z0-9.,:_-]+/g, '_').replace(/[:,]/g, '_');
  return join(tmpdir(), `nvml-mig-mock-${key}.json`);
}

/**
 * Points the mock at the machine and state file (it reads both at nvmlInit) and returns the
 * library path to load.
 */
export function setUpMock(machine: string, stateFile: string | null): { libraryPath: string; stateFile: string } {
  const libraryPath = mockLibraryPath();
  if (!existsSync(libraryPath)) {
    throw new CliError('ERR_NVML_LOAD_FAILED', `the bundled mock is not built (${libraryPath} is missing): run 'npm run build'`, EXIT.NO_LIBRARY);
  }
  const state = stateFile ?? defaultStateFile(machine);
  process.env.NVML_MOCK_MACHINE = machine;
  process.env.NVML_MOCK_STATE = state;
  return { libraryPath, stateFile: state };
}
