import { describe } from 'vitest';
import { examplesOn } from './examples.js';

describe('mig-parted example configs', () => examplesOn('a30:1,a100-40gb:1,a100-80gb:1,h100-80gb:1,h100-94gb:1,h200:1,h100-80gb:2'));
