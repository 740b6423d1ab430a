import { describe } from 'vitest';
import { examplesOn } from './examples.js';

describe('mig-parted example configs', () => examplesOn('h100-80gb:4,h100-94gb:2,h200:2'));
