import { boundedFieldErrors } from './error-response';
import { ERROR_BODY_LIMITS } from './error-response.dto';

describe('boundedFieldErrors', () => {
  it('keeps short lists as they are', () => {
    const errors = [{ field: 'title', message: 'title must be longer than or equal to 5 characters' }];
    expect(boundedFieldErrors(errors)).toEqual(errors);
  });

  it('lists at most the documented number of problems, each cut to the documented lengths', () => {
    const longName = 'x'.repeat(10_000);
    const errors = Array.from({ length: 500 }, () => ({
      field: longName,
      message: `property ${longName} should not exist`,
    }));
    const bounded = boundedFieldErrors(errors);
    expect(bounded).toHaveLength(ERROR_BODY_LIMITS.errors);
    expect(bounded[0].field).toHaveLength(ERROR_BODY_LIMITS.field);
    expect(bounded[0].field.endsWith('…')).toBe(true);
    expect(bounded[0].message).toHaveLength(ERROR_BODY_LIMITS.message);
  });
});
