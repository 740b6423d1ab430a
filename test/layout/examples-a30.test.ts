import { describe } from 'vitest';
import { examplesOn } from './examples.js';

describe('mig-parted example configs', () => examplesOn('a30:4'));
