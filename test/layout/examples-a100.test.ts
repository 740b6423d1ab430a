import { describe } from 'vitest';
import { examplesOn } from './examples.js';

describe('mig-parted example configs', () => examplesOn('a100-40gb:2,a100-80gb:2'));
