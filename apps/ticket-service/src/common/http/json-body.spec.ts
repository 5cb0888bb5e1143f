import { jsonBodyProblem } from './json-body';

describe('jsonBodyProblem', () => {
  it.each([
    ['a scalar', 1, 0],
    ['null', null, 0],
    ['an empty object', {}, 1],
    ['an empty array', [], 1],
    ['an object of scalars', { a: 1, b: 'x' }, 1],
    ['an array in an object', { tags: ['a'] }, 2],
    ['three levels', [[[]]], 3],
    ['a deep branch beside a shallow one', { a: 1, b: { c: { d: [] } } }, 4],
  ])('measures %s as %i levels', (_name, value, depth) => {
    expect(jsonBodyProblem(value, depth)).toBeNull();
    if (depth > 0)
      expect(jsonBodyProblem(value, depth - 1)?.detail).toBe(`Request body is nested deeper than ${depth - 1} levels`);
  });

  it('measures 100,000 levels without overflowing the stack', () => {
    const deep: unknown = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(jsonBodyProblem(deep, 32)?.detail).toBe('Request body is nested deeper than 32 levels');
    expect(jsonBodyProblem(deep, 100_000)).toBeNull();
  });

  it.each([
    ['a value', { notes: 'ok \udee4' }, 'notes'],
    ['a nested value', { a: { tags: ['x', '\ud800'] } }, 'a.tags.1'],
    ['a key', { ['k\udc00']: 1 }, 'k\udc00'],
    ['the whole body', '\ud800', 'body'],
  ])('refuses a lone surrogate in %s, naming where', (_name, value, field) => {
    expect(jsonBodyProblem(value, 32)?.options.errors).toEqual([
      { field, message: 'contains a lone UTF-16 surrogate' },
    ]);
  });

  it('accepts text outside the basic plane (surrogate pairs), RTL marks and combining characters', () => {
    expect(jsonBodyProblem({ title: '🫺 \u202Eabc e\u0301' }, 32)).toBeNull();
  });
});
