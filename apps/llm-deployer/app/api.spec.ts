import { describe, expect, it } from 'vitest';
import { fieldErrors } from './api';

describe('fieldErrors', () => {
  it('puts each api validation message on its field', () => {
    expect(fieldErrors('body/minVramGb must be > 0')).toEqual({ minVramGb: 'must be > 0' });
    expect(fieldErrors("body must have required property 'model'")).toEqual({ model: 'is required' });
    expect(fieldErrors('rate limit reached')).toEqual({ form: 'rate limit reached' });
  });
});
