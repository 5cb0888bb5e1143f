import { Writable } from 'node:stream';
import { createRootLogger, JsonNestLogger, wantsPrettyLogs } from './logger';

function capture(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { lines, nest: new JsonNestLogger(createRootLogger(level, sink)) };
}

describe('logging', () => {
  it('is human-readable only on a terminal outside production', () => {
    expect(wantsPrettyLogs('development', true)).toBe(true);
    expect(wantsPrettyLogs('test', true)).toBe(true);
    expect(wantsPrettyLogs('production', true)).toBe(false);
    expect(wantsPrettyLogs('development', false)).toBe(false);
  });

  it("logs Nest's route and module wiring at debug, other Nest messages at info", () => {
    const info = capture('info');
    info.nest.log('Mapped {/api/v1/tickets, GET} route', 'RouterExplorer');
    info.nest.log('TicketsController {/api/v1/tickets}:', 'RoutesResolver');
    info.nest.log('TicketsModule dependencies initialized', 'InstanceLoader');
    info.nest.log('Nest application successfully started', 'NestApplication');
    expect(info.lines.map((line) => line.msg)).toEqual(['Nest application successfully started']);

    const debug = capture('debug');
    debug.nest.log('Mapped {/api/v1/tickets, GET} route', 'RouterExplorer');
    expect(debug.lines).toEqual([
      expect.objectContaining({ level: 20, context: 'RouterExplorer', msg: 'Mapped {/api/v1/tickets, GET} route' }),
    ]);
  });
});
